"""The guidelines pages: the library for everyone signed in, safe rendering, version history,
the writers' forms per role, the wizard and result links, and acknowledging on submission."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments import services
from assessments.models import (
    CampaignStatus,
    Guideline,
    GuidelineAcknowledgement,
    GuidelineVersion,
    Notification,
    NotificationKind,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HOSTILE_BODY = (
    "# Title\n\n<script>alert(1)</script>\n\n[click](javascript:alert(2)) "
    '<img src=x onerror="alert(3)"> **bold** [ok](https://example.com)'
)


def publish(actor, *, guideline=None, codes=(), dimensions=(), **texts):
    topic = services.guideline_topic_create(actor=actor, name_en="Personal data", name_ar="بيانات")
    fields = {
        "title_en": "Consent for profiling",
        "title_ar": "الموافقة على التنميط",
        "body_en": "Ask **separately**.",
        "body_ar": "اطلب الموافقة **منفصلة**.",
        "change_summary": "",
        **texts,
    }
    return services.guideline_publish(
        actor=actor,
        topic=topic,
        guideline=guideline,
        question_codes=codes,
        dimensions=dimensions,
        **fields,
    )


# --- reading ---------------------------------------------------------------------------------


PERSONAS = ["marketer", "outsider", "reviewer", "chair", "manager", "admin"]


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_role_reads_the_library_and_a_guideline(client, questionnaire, personas, persona):
    version = publish(personas["admin"], codes=["privacy.basis"])
    client.force_login(personas[persona])
    html = client.get(reverse("guideline_list")).text
    assert "Personal data" in html and "Consent for profiling" in html
    page = client.get(reverse("guideline_detail", args=[version.guideline_id]))
    assert page.status_code == 200
    assert "<strong>separately</strong>" in page.text
    writer = persona in ("chair", "admin")
    assert ('data-testid="guideline-edit"' in page.text) == writer


def test_anonymous_visitors_are_sent_to_sign_in(client, questionnaire, admin_user):
    version = publish(admin_user)
    for url in (
        reverse("guideline_list"),
        reverse("guideline_detail", args=[version.guideline_id]),
        reverse("guideline_version", args=[version.guideline_id, 1]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]


def test_deactivated_people_cannot_read(client, questionnaire, admin_user):
    publish(admin_user)
    gone = UserFactory(roles=["marketer"], is_active=False)
    client.force_login(gone)
    assert client.get(reverse("guideline_list")).status_code != 200


def test_hostile_markdown_is_rendered_safely_through_the_page(client, questionnaire, admin_user):
    version = publish(admin_user, body_en=HOSTILE_BODY)
    client.force_login(admin_user)
    html = client.get(reverse("guideline_detail", args=[version.guideline_id])).text
    body = html.split('data-testid="guideline-body"', 1)[1].split("</div>", 1)[0]
    assert "<script" not in body and "<img" not in body and 'href="javascript:' not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body  # shown as text, never run
    assert "<strong>bold</strong>" in body
    assert 'href="https://example.com"' in body and "noopener" in body


def test_the_library_groups_by_topic_and_searches(client, questionnaire, admin_user, marketer):
    publish(admin_user)
    topic = services.guideline_topic_create(actor=admin_user, name_en="Transparency")
    services.guideline_publish(
        actor=admin_user,
        topic=topic,
        title_en="Disclosing AI content",
        title_ar="",
        body_en="EU AI Act Art. 50.",
        body_ar="",
        change_summary="",
    )
    client.force_login(marketer)
    html = client.get(reverse("guideline_list")).text
    assert html.count('data-testid="guideline-topic"') == 2
    assert html.index("Personal data") < html.index("Transparency")
    found = client.get(reverse("guideline_list"), {"q": "ART. 50"}).text
    assert "Disclosing AI content" in found and "Consent for profiling" not in found
    none = client.get(reverse("guideline_list"), {"q": "weather"}).text
    assert 'data-testid="guidelines-empty"' in none


@pytest.mark.parametrize("query", ["\x00", "\u202e" * 300, "x" * 5000])
def test_hostile_search_gets_a_clear_answer(client, questionnaire, admin_user, marketer, query):
    publish(admin_user)
    client.force_login(marketer)
    response = client.get(reverse("guideline_list"), {"q": query})
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert "invalid-feedback" in response.text


def test_arabic_readers_get_arabic_with_the_english_fallback_marked(
    client, questionnaire, admin_user, marketer
):
    publish(admin_user)
    topic = services.guideline_topic_create(actor=admin_user, name_en="Transparency")
    english_only = services.guideline_publish(
        actor=admin_user,
        topic=topic,
        title_en="Disclosing AI content",
        title_ar="",
        body_en="Label **every** post.",
        body_ar="",
        change_summary="",
    )
    marketer.language = "ar"
    marketer.save()
    client.force_login(marketer)
    html = client.get(reverse("guideline_list")).text
    assert '<html lang="ar" dir="rtl">' in html
    assert "الموافقة على التنميط" in html and "بيانات" in html
    assert html.count('data-testid="fallback"') == 1
    assert 'lang="en" dir="ltr">Disclosing AI content' in html
    page = client.get(reverse("guideline_detail", args=[english_only.guideline_id])).text
    assert 'data-testid="fallback"' in page
    assert 'lang="en" dir="ltr" data-testid="guideline-body"' in page


def test_version_history_keeps_every_old_version_readable(client, questionnaire, admin_user, chair):
    first = publish(admin_user, body_en="Version one text.")
    publish(chair, guideline=first.guideline, body_en="Version two text.", change_summary="Tighter")
    client.force_login(chair)
    current = client.get(reverse("guideline_detail", args=[first.guideline_id])).text
    assert "Version two text." in current and "Version one text." not in current
    history = current.split('data-testid="version-history"', 1)[1]
    assert "Tighter" in history and "First version." in history
    assert history.index("Version 2") < history.index("Version 1")
    old = client.get(reverse("guideline_version", args=[first.guideline_id, 1]))
    assert old.status_code == 200
    assert "Version one text." in old.text and 'data-testid="old-version"' in old.text
    missing = reverse("guideline_version", args=[first.guideline_id, 3])
    assert client.get(missing).status_code == 404
    assert (
        client.get(reverse("guideline_detail", args=[first.guideline_id + 99])).status_code == 404
    )


# --- writing ---------------------------------------------------------------------------------

FORM = {
    "new_topic_en": "Consumer protection",
    "new_topic_ar": "حماية المستهلك",
    "title_en": "Vulnerable audiences",
    "body_en": "UCPD Art. 5(3).",
    "title_ar": "الفئات المستضعفة",
    "body_ar": "المادة 5(3).",
    "question_codes": ["privacy.basis"],
    "dimensions": ["fairness"],
}


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("marketer", False),
        ("outsider", False),
        ("reviewer", False),
        ("manager", False),
        ("chair", True),
        ("admin", True),
    ],
)
def test_only_the_chair_and_administrators_open_and_post_the_forms(
    client, questionnaire, personas, persona, allowed
):
    version = publish(personas["admin"])
    client.force_login(personas[persona])
    new_url = reverse("guideline_new")
    edit_url = reverse("guideline_edit", args=[version.guideline_id])
    assert client.get(new_url).status_code == (200 if allowed else 403)
    assert client.get(edit_url).status_code == (200 if allowed else 403)
    response = client.post(new_url, FORM)
    assert response.status_code == (302 if allowed else 403)
    response = client.post(edit_url, {**FORM, "change_summary": "Clearer"})
    assert response.status_code == (302 if allowed else 403)
    assert GuidelineVersion.objects.count() == (3 if allowed else 1)


def test_the_new_version_form_starts_from_the_current_text(client, questionnaire, chair):
    version = publish(chair, codes=["privacy.basis"], dimensions=["fairness"])
    client.force_login(chair)
    html = client.get(reverse("guideline_edit", args=[version.guideline_id])).text
    assert "Ask **separately**." in html
    assert re.search(r'<option value="privacy.basis"[^>]*selected', html)
    assert re.search(r'value="fairness"[^>]*checked', html)


def test_publishing_ignores_protected_fields(client, questionnaire, chair, admin_user):
    version = publish(admin_user)
    client.force_login(chair)
    hostile = {
        "author": admin_user.pk,
        "number": 99,
        "created_at": "2000-01-01T00:00:00Z",
        "current": 1,
        "guideline": version.guideline_id + 5,
        "search_text": "owned",
    }
    client.post(reverse("guideline_new"), {**FORM, **hostile})
    created = GuidelineVersion.objects.exclude(guideline=version.guideline).get()
    assert (created.number, created.author) == (1, chair)
    assert created.created_at.year != 2000
    assert created.guideline.search_text != "owned"
    client.post(
        reverse("guideline_edit", args=[version.guideline_id]),
        {**FORM, "change_summary": "x", **hostile},
    )
    second = GuidelineVersion.objects.filter(guideline=version.guideline).order_by("-number")[0]
    assert (second.number, second.author) == (2, chair)


@pytest.mark.parametrize(
    ("change", "field_error"),
    [
        ({"title_en": "bad \x00"}, "Null characters are not allowed"),
        ({"body_ar": "x" * 20001}, "at most 20000"),
        ({"question_codes": ["privacy.nope"]}, "Select a valid choice"),
        ({"dimensions": ["weather"]}, "Select a valid choice"),
        ({"new_topic_en": "", "topic": ""}, "Choose a topic or name a new one"),
        ({"title_en": "", "body_en": "", "title_ar": "", "body_ar": ""}, "English or Arabic"),
        ({"title_en": "\u202e" * 201}, "at most 200"),
    ],
)
def test_hostile_or_incomplete_input_gets_a_form_error(
    client, questionnaire, chair, change, field_error
):
    client.force_login(chair)
    response = client.post(reverse("guideline_new"), {**FORM, **change})
    assert response.status_code == 400
    assert field_error in response.text
    assert not Guideline.objects.exists()


def test_a_new_version_needs_a_summary(client, questionnaire, chair):
    version = publish(chair)
    client.force_login(chair)
    response = client.post(reverse("guideline_edit", args=[version.guideline_id]), FORM)
    assert response.status_code == 400
    assert GuidelineVersion.objects.count() == 1


# --- the wizard, the result, the submission ----------------------------------------------------


def test_the_wizard_links_a_question_to_its_guideline(
    client, questionnaire, complete_campaign, marketer, admin_user
):
    version = publish(admin_user, codes=["privacy.basis"])
    client.force_login(marketer)
    html = client.get(reverse("assessment_step", args=[complete_campaign.pk, "privacy"])).text
    block = html.split('id="q-privacy.basis"', 1)[1].split("</fieldset>", 1)[0]
    assert 'data-testid="question-guidelines"' in block
    link = re.search(r'<a href="([^"]+)" target="_blank" rel="noopener noreferrer"', block)
    assert link and link.group(1) == reverse("guideline_detail", args=[version.guideline_id])
    assert "Consent for profiling" in block
    other = html.split('id="q-privacy.special"', 1)[1].split("</fieldset>", 1)[0]
    assert "question-guidelines" not in other
    # In Arabic, the Arabic title.
    marketer.language = "ar"
    marketer.save()
    html = client.get(reverse("assessment_step", args=[complete_campaign.pk, "privacy"])).text
    assert "الموافقة على التنميط" in html


def test_the_result_lists_the_guidelines_behind_drivers_and_red_flags(
    client, questionnaire, campaign, marketer, admin_user
):
    services.assessment_save_answers(
        actor=marketer, campaign=campaign, answers={"privacy.basis": "none"}
    )
    publish(admin_user, codes=["privacy.basis"], title_en="Lawful basis")
    publish(admin_user, dimensions=["fairness"], title_en="Fair targeting")
    client.force_login(marketer)
    html = client.get(reverse("assessment_summary", args=[campaign.pk])).text
    section = html.split('data-testid="result-guidelines"', 1)[1].split("</section>", 1)[0]
    assert "Lawful basis" in section
    # Unanswered fairness questions count at their worst, so they drive the risk too.
    assert "Fair targeting" in section


def test_no_guideline_section_when_none_applies(client, complete_campaign, marketer):
    client.force_login(marketer)
    html = client.get(reverse("assessment_summary", args=[complete_campaign.pk])).text
    assert 'data-testid="result-guidelines"' not in html


def test_submitting_asks_for_acknowledgement_and_refuses_without_it(
    client, complete_campaign, marketer, admin_user
):
    version = publish(admin_user, codes=["privacy.basis"])
    client.force_login(marketer)
    url = reverse("campaign_submit", args=[complete_campaign.pk])
    page = client.get(url).text
    box = page.split('data-testid="guidelines-to-acknowledge"', 1)[1].split("</fieldset>", 1)[0]
    assert f'name="acknowledge" value="{version.pk}"' in box
    assert "Consent for profiling" in box and 'target="_blank"' in box

    refused = client.post(url, {"confirmed_tier": "I"}, follow=True)
    assert "Read and acknowledge these guidelines first" in refused.text
    assert "Consent for profiling" in refused.text
    complete_campaign.refresh_from_db()
    assert complete_campaign.status == CampaignStatus.DRAFT

    for junk in (["x"], ["9" * 30], ["\x00"]):
        response = client.post(url, {"confirmed_tier": "I", "acknowledge": junk})
        assert response.status_code == 302
    complete_campaign.refresh_from_db()
    assert complete_campaign.status == CampaignStatus.DRAFT

    client.post(url, {"confirmed_tier": "I", "acknowledge": [str(version.pk)]})
    complete_campaign.refresh_from_db()
    assert complete_campaign.status == CampaignStatus.SUBMITTED
    assert GuidelineAcknowledgement.objects.get().person == marketer
    detail = client.get(reverse("campaign_detail", args=[complete_campaign.pk])).text
    assert "Guideline acknowledged" in detail


def test_no_acknowledgement_box_without_guidelines(client, complete_campaign, marketer):
    client.force_login(marketer)
    page = client.get(reverse("campaign_submit", args=[complete_campaign.pk])).text
    assert "guidelines-to-acknowledge" not in page


def test_the_notification_names_the_guideline_in_the_readers_language(
    client, complete_campaign, marketer, admin_user
):
    publish(admin_user, codes=["privacy.basis"])
    notification = Notification.objects.get(kind=NotificationKind.GUIDELINE_UPDATED)
    client.force_login(marketer)
    html = client.get(reverse("notifications")).text
    assert "The guideline “Consent for profiling” has a new version (1)" in html
    assert notification.url in html
    marketer.language = "ar"
    marketer.save()
    html = client.get(reverse("notifications")).text
    assert "الموافقة على التنميط" in html


# --- queries ---------------------------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_pages_issue_a_fixed_number_of_queries(client, complete_campaign, marketer, admin_user):
    first = publish(admin_user, codes=["privacy.basis"])
    client.force_login(marketer)
    urls = [
        reverse("guideline_list"),
        reverse("guideline_detail", args=[first.guideline_id]),
        reverse("assessment_step", args=[complete_campaign.pk, "privacy"]),
        reverse("assessment_summary", args=[complete_campaign.pk]),
        reverse("campaign_submit", args=[complete_campaign.pk]),
    ]
    client.get(urls[0])  # the first request of a session also saves it
    before = [_queries(client, url) for url in urls]
    for number in range(6):
        publish(admin_user, codes=["privacy.basis", "privacy.special"], title_en=f"More {number}")
        publish(admin_user, guideline=first.guideline, codes=["privacy.basis"], change_summary="v")
    assert [_queries(client, url) for url in urls] == before
