import re

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.errors import ServiceError
from assessments.models import AuditEvent, Campaign, Feedback, TransparencyNotice
from tests.factories import published_notice

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def approved(approved_campaign):
    return approved_campaign


@pytest.fixture
def notice(approved, marketer):
    notice = published_notice(actor=marketer, campaign=approved)
    notice.refresh_from_db()
    return notice


def kinds(campaign):
    return list(AuditEvent.objects.filter(campaign=campaign).values_list("kind", flat=True))


def post_feedback(client, campaign, **data):
    return client.post(
        reverse("feedback_add", args=[campaign.pk]),
        {"category": "privacy", "severity": "concern", "text": "Looks intrusive", **data},
    )


# --- internal feedback ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona,status", [("marketer", 302), ("reviewer", 302), ("manager", 302), ("outsider", 404)]
)
def test_colleagues_who_may_see_the_campaign_give_feedback(
    client, personas, campaign, persona, status
):
    client.force_login(personas[persona])
    assert post_feedback(client, campaign).status_code == status
    assert Feedback.objects.count() == (0 if status == 404 else 1)


def test_feedback_text_is_plain_and_escaped(client, marketer, campaign):
    client.force_login(marketer)
    post_feedback(client, campaign, text="<script>alert(1)</script><b>Bold</b> claim")
    stored = Feedback.objects.get()
    assert "<" not in stored.text
    page = client.get(reverse("campaign_detail", args=[campaign.pk])).text
    assert "<script>alert(1)" not in page and "Bold claim" in page
    assert "feedback_received" in kinds(campaign)


def test_triage_is_for_the_board_and_needs_a_note_for_action(client, marketer, campaign, reviewer):
    client.force_login(marketer)
    post_feedback(client, campaign)
    feedback = Feedback.objects.get()
    url = reverse("feedback_triage", args=[campaign.pk, feedback.pk])
    client.post(url, {"status": "dismissed", "note": "no"})
    assert Feedback.objects.get().status == "new"  # marketers do not triage
    client.force_login(reviewer)
    client.post(url, {"status": "action_taken", "note": ""})
    assert Feedback.objects.get().status == "new"
    client.post(url, {"status": "action_taken", "note": "Removed the location targeting."})
    feedback.refresh_from_db()
    assert feedback.status == "action_taken" and feedback.triaged_by == reviewer
    assert "feedback_triaged" in kinds(campaign)


def test_serious_feedback_flags_and_the_chair_sends_back(
    client, manager, chair, approved, marketer
):
    client.force_login(manager)
    post_feedback(client, approved, severity="serious", text="Targets people in debt.")
    approved.refresh_from_db()
    assert approved.rereview_flagged_at is not None
    client.force_login(chair)
    queue = client.get(reverse("review_queue")).text
    assert approved.name in queue and "Targets people in debt." in queue
    client.post(reverse("campaign_send_back", args=[approved.pk]))
    approved.refresh_from_db()
    assert approved.status == "rereview_requested" and approved.rereview_flagged_at is None
    assert "rereview_requested" in kinds(approved)
    # The team revises and resubmits.
    services.campaign_submit(actor=marketer, campaign=approved)
    assert Campaign.objects.get(pk=approved.pk).versions.count() == 2


def test_more_concerns_than_configured_flag_a_re_review(client, manager, approved, settings):
    settings.FEEDBACK_REREVIEW_CONCERNS = 2
    client.force_login(manager)
    for _ in range(2):
        post_feedback(client, approved)
    approved.refresh_from_db()
    assert approved.rereview_flagged_at is None
    post_feedback(client, approved)
    approved.refresh_from_db()
    assert approved.rereview_flagged_at is not None


def test_only_the_chair_sends_back(client, reviewer, approved):
    client.force_login(reviewer)
    client.post(reverse("campaign_send_back", args=[approved.pk]))
    approved.refresh_from_db()
    assert approved.status == "approved"


# --- transparency notices ------------------------------------------------------------------------


def test_notice_needs_an_approved_campaign(client, marketer, campaign):
    client.force_login(marketer)
    response = client.get(reverse("notice_edit", args=[campaign.pk]))
    assert response.status_code == 403
    assert not TransparencyNotice.objects.exists()


NOTICE_POST = {
    "title_en": "AI in our spring campaign",
    "body_en": "We use AI to choose who sees our ads.",
    "title_ar": "الذكاء الاصطناعي في حملتنا",
    "body_ar": "نستخدم الذكاء الاصطناعي لاختيار من يرى إعلاناتنا.",
    "contact": "privacy@example.com",
}


def test_notice_is_drafted_edited_and_published(client, marketer, approved):
    client.force_login(marketer)
    page = client.get(reverse("notice_edit", args=[approved.pk])).text
    assert not TransparencyNotice.objects.exists()  # the GET shows the draft, stores nothing
    assert "uses artificial intelligence" in page
    assert "Not published" in page
    edit = reverse("notice_edit", args=[approved.pk])
    assert client.post(edit, {**NOTICE_POST, "action": "save"}).status_code == 302
    notice = TransparencyNotice.objects.get()
    assert notice.published_at is None
    public = reverse("public_notice", args=[notice.public_id])
    client.logout()
    assert client.get(public).status_code == 404
    client.force_login(marketer)
    client.post(edit, {**NOTICE_POST, "action": "publish"})
    client.logout()
    response = client.get(public)
    assert response.status_code == 200
    assert "We use AI to choose who sees our ads." in response.text
    assert 'href="mailto:privacy@example.com"' in response.text
    assert response["Cache-Control"] == "no-store"


def test_a_save_that_fails_stores_no_draft(client, marketer, approved):
    client.force_login(marketer)
    edit = reverse("notice_edit", args=[approved.pk])
    response = client.post(edit, {**NOTICE_POST, "contact": "marketer@example.com"})
    assert response.status_code == 400
    assert not TransparencyNotice.objects.exists()
    # unpublishing a notice that was never stored is refused, and stores nothing either
    client.post(edit, {**NOTICE_POST, "action": "unpublish"})
    assert not TransparencyNotice.objects.exists()


def test_the_draft_proposes_a_public_title_and_no_contact(marketer, approved):
    notice = services.notice_prepare(actor=marketer, campaign=approved)
    assert notice.contact == ""
    assert approved.objective in notice.title_en and approved.objective in notice.title_ar
    for text in (notice.title_en, notice.title_ar, notice.body_en, notice.body_ar):
        assert approved.name not in text and approved.owner.email not in text
    # the six sections, with headings (the contact one is the page's own)
    assert notice.body_en.count("\n## ") == 5 and notice.body_ar.count("\n## ") == 5
    assert "## What AI is used and how" in notice.body_en


@pytest.mark.parametrize("missing", ["title_en", "title_ar", "contact"])
def test_publishing_without_a_title_or_contact_is_refused(client, marketer, approved, missing):
    client.force_login(marketer)
    edit = reverse("notice_edit", args=[approved.pk])
    client.get(edit)
    response = client.post(edit, {**NOTICE_POST, missing: "", "action": "publish"})
    assert response.status_code == 400
    message = {
        "title_en": "Give the notice a public title in English.",
        "title_ar": "Give the notice a public title in Arabic.",
        "contact": "Give a team contact address for questions and objections.",
    }[missing]
    assert "Not published: " + message in response.text
    notice = TransparencyNotice.objects.get()
    assert notice.published_at is None
    assert notice.body_en == NOTICE_POST["body_en"]  # the rest of the edit is kept
    with pytest.raises(ServiceError):
        services.notice_publish(actor=marketer, notice=notice, publish=True)
    assert TransparencyNotice.objects.get().published_at is None


def test_publishing_is_refused_in_arabic_too(client, marketer, approved):
    client.post(reverse("set_language"), {"language": "ar", "next": "/"})
    client.force_login(marketer)
    edit = reverse("notice_edit", args=[approved.pk])
    client.get(edit)
    response = client.post(edit, {**NOTICE_POST, "contact": "", "action": "publish"})
    assert response.status_code == 400
    assert "لم يُنشر: أدخلوا عنوان بريد للفريق للأسئلة والاعتراضات." in response.text
    assert TransparencyNotice.objects.get().published_at is None


@pytest.mark.parametrize("contact", ["OWNER", "REVIEWER", "not an address"])
def test_the_contact_is_a_team_address(client, marketer, approved, board, contact):
    contact = {"OWNER": approved.owner.email.upper(), "REVIEWER": board[0].email}.get(
        contact, contact
    )
    client.force_login(marketer)
    edit = reverse("notice_edit", args=[approved.pk])
    client.post(edit, {**NOTICE_POST, "contact": "", "action": "save"})  # the stored draft
    response = client.post(edit, {**NOTICE_POST, "contact": contact, "action": "save"})
    assert response.status_code == 400
    assert TransparencyNotice.objects.get().contact == ""  # nothing saved


def test_a_published_notice_keeps_its_title_and_contact(client, marketer, notice):
    client.force_login(marketer)
    edit = reverse("notice_edit", args=[notice.campaign_id])
    response = client.post(edit, {**NOTICE_POST, "contact": "", "action": "save"})
    assert response.status_code == 400
    assert TransparencyNotice.objects.get().contact == notice.contact


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_public_page_shows_neither_the_owners_email_nor_the_internal_name(
    client, notice, approved, language
):
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    html = client.get(reverse("public_notice", args=[notice.public_id])).text
    assert f'lang="{language}"' in html
    assert approved.owner.email not in html
    assert approved.name not in html
    assert notice.contact in html
    headings = {
        "en": [
            "What AI is used and how",
            "What data is used",
            "How decisions about you are made",
            "Human oversight",
            "How to opt out or object",
            "Whom to contact",
        ],
        "ar": ["ما الذكاء الاصطناعي المستخدم وكيف", "بمن تتصلون"],
    }[language]
    for heading in headings:
        assert re.search(rf"<h2[^>]*>{re.escape(heading)}</h2>", html), heading


def test_public_notice_reveals_nothing_internal(client, notice, approved, board):
    html = client.get(reverse("public_notice", args=[notice.public_id])).text
    for internal in [
        board[0].display_name,
        "Tier",
        "tier-badge",
        "/campaigns/",
        "rationale",
        approved.owner.display_name,
        str(approved.pk) + "/",
    ]:
        assert internal not in html, internal
    assert notice.public_id in html  # its own address only


def test_public_notice_in_arabic(client, notice):
    client.post(reverse("set_language"), {"language": "ar", "next": "/"})
    html = client.get(reverse("public_notice", args=[notice.public_id])).text
    assert 'dir="rtl"' in html
    assert notice.title_ar in html


def test_public_notice_says_when_the_campaign_ended(client, notice, approved):
    Campaign.objects.filter(pk=approved.pk).update(
        flight_start=timezone.localdate() - timezone.timedelta(days=60),
        flight_end=timezone.localdate() - timezone.timedelta(days=1),
    )
    html = client.get(reverse("public_notice", args=[notice.public_id])).text
    assert 'data-testid="ended"' in html


def public_post(client, notice, **data):
    return client.post(
        reverse("public_notice", args=[notice.public_id]),
        {"category": "privacy", "message": "Why do I see this?", **data},
        REMOTE_ADDR="203.0.113.7",
    )


def test_consumer_feedback_keeps_a_hash_not_the_address(client, notice, approved):
    response = public_post(client, notice, email="me@example.org", consent="on")
    assert response["Location"] == reverse("public_notice_thanks", args=[notice.public_id])
    feedback = Feedback.objects.get()
    assert feedback.source == "consumer" and feedback.contact_email == "me@example.org"
    assert "203.0.113.7" not in feedback.ip_hash and len(feedback.ip_hash) == 64
    assert "feedback_received" in kinds(approved)
    thanks = client.get(response["Location"]).text
    assert "We have received your message" in thanks


def test_email_without_consent_is_refused_and_the_message_kept(client, notice):
    response = public_post(client, notice, email="me@example.org")
    assert response.status_code == 400
    assert "Why do I see this?" in response.text
    assert not Feedback.objects.exists()


def test_honeypot_and_rate_limit(client, notice, settings):
    public_post(client, notice, website="http://spam.example")
    assert not Feedback.objects.exists()
    settings.PUBLIC_FEEDBACK_PER_HOUR = 2
    for _ in range(2):
        public_post(client, notice)
    response = public_post(client, notice)
    assert response.status_code == 400
    assert "Too many messages" in response.text
    assert Feedback.objects.count() == 2


def test_consumer_html_is_stripped_and_size_limited(client, notice, marketer, approved):
    public_post(client, notice, message="<img src=x onerror=alert(1)>Hello")
    assert Feedback.objects.get().text == "Hello"
    response = public_post(client, notice, message="x" * 4001)
    assert response.status_code == 400
    assert Feedback.objects.count() == 1


def test_unpublished_notice_is_gone(client, marketer, notice):
    services.notice_publish(actor=marketer, notice=notice, publish=False)
    assert client.get(reverse("public_notice", args=[notice.public_id])).status_code == 404


def test_new_feedback_waits_on_the_board_queue(client, notice, chair, reviewer):
    public_post(client, notice)
    client.force_login(chair)
    queue = client.get(reverse("review_queue")).text
    assert 'data-testid="to-triage"' in queue and "Why do I see this?" in queue
    client.force_login(reviewer)
    assert "Why do I see this?" in client.get(reverse("review_queue")).text
