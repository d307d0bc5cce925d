"""Who may see a campaign is one rule (``Campaign.objects.visible_to``): the list, the
campaign page, the API (list and detail), the report and the review queue agree for every
role, including people demoted to no role and deactivated accounts."""

import pytest
from django.urls import reverse

from assessments import permissions, services
from assessments.models import Campaign, Comment, User, UserRole
from tests.conftest import INTAKE_POST, LOW_RISK_ANSWERS
from tests.factories import UserFactory
from tests.services.test_review_workflow import submit_and_staff, vote

pytestmark = pytest.mark.django_db


def _campaign(questionnaire, actor, team, name) -> Campaign:
    intake = {
        **INTAKE_POST,
        "name": name,
        "reaches_minors": False,
        "reaches_vulnerable": False,
        "flight_start": "2027-01-01",
        "flight_end": "2027-03-01",
    }
    return services.campaign_create(
        actor=actor, team=team, intake=intake, questionnaire=questionnaire
    )


@pytest.fixture
def world(questionnaire, team, other_team, marketer, outsider, chair, board, manager, admin_user):
    ours = _campaign(questionnaire, marketer, team, "Ours lookalikes")
    theirs = _campaign(questionnaire, outsider, other_team, "Theirs loyalty")
    services.assessment_save_answers(actor=marketer, campaign=ours, answers=LOW_RISK_ANSWERS)
    submit_and_staff(ours, marketer, chair, board[:1])
    demoted = UserFactory(email="demoted@example.com", roles=["marketer"], teams=[team])
    UserRole.objects.filter(user=demoted).delete()
    deactivated = UserFactory(email="gone@example.com", roles=["marketer"], teams=[team])
    User.objects.filter(pk=deactivated.pk).update(is_active=False)
    other_manager = UserFactory(email="boss@example.com", roles=["manager"], teams=[other_team])
    both, nothing = {ours.pk, theirs.pk}, set()
    return {
        "campaigns": (ours, theirs),
        # person: (the user, the campaigns they may see)
        "own team marketer": (marketer, {ours.pk}),
        "other team marketer": (outsider, {theirs.pk}),
        "assigned reviewer": (board[0], both),
        "unassigned reviewer": (board[1], both),
        "chair": (chair, both),
        "manager": (manager, both),
        "manager of another team": (other_manager, both),
        "admin": (admin_user, both),
        "demoted": (User.objects.get(pk=demoted.pk), nothing),
        "deactivated": (User.objects.get(pk=deactivated.pk), nothing),
    }


PERSONS = [
    "own team marketer",
    "other team marketer",
    "assigned reviewer",
    "unassigned reviewer",
    "chair",
    "manager",
    "manager of another team",
    "admin",
    "demoted",
    "deactivated",
]


@pytest.mark.parametrize("person", PERSONS)
def test_list_page_api_and_report_agree_with_the_rule(client, world, person):
    user, expected = world[person]
    campaigns = world["campaigns"]
    assert set(Campaign.objects.visible_to(user).values_list("pk", flat=True)) == expected
    client.force_login(user)

    listed = client.get(reverse("campaign_list"))
    on_list = {c.pk for c in campaigns if listed.status_code == 200 and c.name in listed.text}
    api_list = client.get(reverse("api_campaigns"))
    in_api = (
        {row["id"] for row in api_list.json()["results"]} if api_list.status_code == 200 else set()
    )

    def opens(name: str) -> set[int]:
        return {
            c.pk for c in campaigns if client.get(reverse(name, args=[c.pk])).status_code == 200
        }

    assert on_list == expected
    assert in_api == expected
    assert opens("campaign_detail") == expected
    assert opens("api_campaign") == expected
    assert opens("campaign_report") == expected
    for campaign in campaigns:
        if campaign.pk not in expected:  # no hint that it exists
            status = client.get(reverse("campaign_detail", args=[campaign.pk])).status_code
            assert status in (302, 404)


def test_the_rule_is_the_only_authorisation_of_a_campaign(world):
    """The old second path (a Python re-check of visibility) is gone."""
    assert not hasattr(permissions, "can_view_campaign")
    assert not hasattr(permissions, "visible_campaigns")


def test_the_queue_shows_only_what_the_board_may_see(client, world):
    ours, _theirs = world["campaigns"]
    chair, _ = world["chair"]
    client.force_login(chair)
    assert client.get(reverse("review_queue")).status_code == 200
    for person in ("own team marketer", "manager", "demoted", "deactivated"):
        user, _ = world[person]
        client.force_login(user)
        assert client.get(reverse("review_queue")).status_code in (302, 403)


# --- board-only comments ----------------------------------------------------------------------


@pytest.fixture
def commented(world, chair, marketer):
    ours, _ = world["campaigns"]
    services.comment_add(actor=chair, campaign=ours, text="Between the board.", board_only=True)
    services.comment_add(actor=marketer, campaign=ours, text="For everyone.")
    return ours


@pytest.mark.parametrize(
    "person,sees_board_only",
    [
        ("own team marketer", False),
        ("manager", False),
        ("admin", False),
        ("assigned reviewer", True),
        ("unassigned reviewer", True),
        ("chair", True),
    ],
)
def test_board_only_comments_one_rule_on_the_page_and_the_report(
    client, world, commented, person, sees_board_only
):
    user, _ = world[person]
    visible = set(Comment.objects.visible_to(user).values_list("text", flat=True))
    assert ("Between the board." in visible) is sees_board_only
    assert "For everyone." in visible
    client.force_login(user)
    for name in ("campaign_detail", "campaign_report"):
        html = client.get(reverse(name, args=[commented.pk])).text
        assert ("Between the board." in html) is sees_board_only, name
        assert "For everyone." in html, name


def test_board_only_comments_stay_hidden_on_the_version_diff(client, world, chair, marketer, board):
    ours, _ = world["campaigns"]
    services.comment_add(actor=chair, campaign=ours, text="Only us.", board_only=True)
    services.comment_add(actor=chair, campaign=ours, text="Everyone reads.")
    vote(board[0], ours, "request_changes")
    services.campaign_submit(actor=marketer, campaign=ours)
    url = reverse("version_diff", args=[ours.pk, 2])
    client.force_login(marketer)
    html = client.get(url).text
    assert "Everyone reads." in html and "Only us." not in html
    client.force_login(chair)
    assert "Only us." in client.get(url).text
