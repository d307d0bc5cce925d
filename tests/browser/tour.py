"""The main pages of the seeded demo, per role: what `make screenshots` photographs and
what the phone-width and axe-core browser tests walk through. Reads the database the demo
was seeded into (``seed_demo``), so it runs inside Django (a test or the script)."""

from django.urls import reverse

from assessments import permissions, selectors
from assessments.models import IN_REVIEW_STATES, User
from assessments.permissions import Action
from assessments.roles import Role
from seeding.management.commands.seed_demo import demo_password

# Role name -> the demo account that plays it (seed_demo.ACCOUNTS).
ROLES = {
    "marketer": "marketer@example.com",
    "marketer2": "marketer2@example.com",  # the team with drafts: the assessment wizard
    "reviewer": "reviewer@example.com",
    "chair": "chair@example.com",
    "manager": "manager@example.com",
    "admin": "admin@example.com",
}
LANGUAGES = ("en", "ar")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def password_of(role: str) -> str:
    return demo_password(ROLES[role])


def pages_for(role: str) -> list[tuple[str, str]]:
    """(name, path) of each main page ``role`` sees, in the order a person meets them."""
    user = User.objects.get(email=ROLES[role])
    pages = [("home", reverse("home"))]
    campaigns = selectors.visible_campaigns(user).order_by("pk")
    if permissions.can(user, Action.VIEW_MY_CAMPAIGNS):
        pages.append(("my-campaigns", reverse("my_campaigns")))
    draft = campaigns.filter(status="draft").first()
    in_review = campaigns.filter(status__in=IN_REVIEW_STATES).first()
    decided = campaigns.exclude(status__in=[*IN_REVIEW_STATES, "draft"]).first()
    if user.has_role(Role.MARKETER):
        pages.append(("new-campaign", reverse("campaign_new")))
    if draft is not None:
        pages.append(("campaign-draft", reverse("campaign_detail", args=[draft.pk])))
        if permissions.can_edit_campaign(user, draft):
            first = selectors.assessment_sections(
                selectors.definition_of(draft.assessment.questionnaire),
                draft.intake(),
                draft.assessment.answers,
                "en",
            )[0]
            pages.append(("wizard-step", reverse("assessment_step", args=[draft.pk, first.code])))
            pages.append(("summary", reverse("assessment_summary", args=[draft.pk])))
    if in_review is not None:
        pages.append(("campaign-in-review", reverse("campaign_detail", args=[in_review.pk])))
    if decided is not None:
        pages.append(("campaign-decided", reverse("campaign_detail", args=[decided.pk])))
        pages.append(("report", reverse("campaign_report", args=[decided.pk])))
    if permissions.can(user, Action.VIEW_REVIEW_QUEUE):
        pages.append(("review-queue", reverse("review_queue")))
    if permissions.can(user, Action.VIEW_CAMPAIGNS):
        pages.append(("campaign-list", reverse("campaign_list")))
    if permissions.can(user, Action.VIEW_DASHBOARD):
        pages.append(("dashboard", reverse("dashboard")))
    if permissions.can(user, Action.MANAGE_PEOPLE):
        pages.append(("people", reverse("people")))
    pages.append(("notifications", reverse("notifications")))
    return pages


def set_language(language: str) -> None:
    """Every demo account reads the pages in ``language`` (their saved preference wins)."""
    User.objects.filter(email__in=ROLES.values()).update(language=language)


def sign_in(page, base: str, role: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.locator("input[name=login]").fill(ROLES[role])
    page.locator("input[name=password]").fill(password_of(role))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(f"{base}/")


def sign_out(page) -> None:
    page.context.clear_cookies()
