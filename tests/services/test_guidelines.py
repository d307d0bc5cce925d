"""The guidelines library's services: who writes, what a version must hold, versions never
edited, acknowledgement per version before a submission, and who is told of a new version."""

from datetime import date

import pytest

from assessments import audit, guidelines, services
from assessments.errors import ServiceError
from assessments.models import (
    AuditEvent,
    CampaignStatus,
    EventKind,
    GuidelineAcknowledgement,
    GuidelineVersion,
    Notification,
    NotificationKind,
)
from assessments.services.campaigns import assessment_save_answers, campaign_create
from tests.conftest import INTAKE_POST, LOW_RISK_ANSWERS
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


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


def another_campaign(marketer, campaign):
    intake = {
        **INTAKE_POST,
        "reaches_minors": False,
        "reaches_vulnerable": False,
        "flight_start": date(2027, 1, 1),
        "flight_end": date(2027, 3, 1),
    }
    other = campaign_create(actor=marketer, team=campaign.team, intake=intake)
    assessment_save_answers(actor=marketer, campaign=other, answers=LOW_RISK_ANSWERS)
    return other


# --- who writes -----------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["chair", "admin"])
def test_the_chair_and_administrators_publish(questionnaire, personas, persona):
    version = publish(personas[persona], codes=["privacy.basis"])
    assert version.number == 1 and version.guideline.current == version
    assert version.author == personas[persona]
    event = AuditEvent.objects.get(kind=EventKind.GUIDELINE_PUBLISHED)
    assert event.payload == {
        "guideline": version.guideline_id,
        "version": 1,
        "questions": ["privacy.basis"],
        "dimensions": [],
    }


@pytest.mark.parametrize("persona", ["marketer", "outsider", "reviewer", "manager"])
def test_every_other_role_is_refused(questionnaire, personas, persona):
    with pytest.raises(ServiceError, match="chair and administrators"):
        publish(personas[persona])
    assert not GuidelineVersion.objects.exists()


def test_a_deactivated_administrator_is_refused(questionnaire, admin_user):
    admin_user.is_active = False
    admin_user.save()
    with pytest.raises(ServiceError):
        publish(admin_user)


def test_writing_needs_two_factor_authentication_when_required(settings, questionnaire, chair):
    settings.REQUIRE_MFA_FOR_BOARD = True
    with pytest.raises(ServiceError, match="two-factor"):
        publish(chair)


# --- what a version holds ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("texts", "message"),
    [
        ({"title_en": "", "body_en": "", "title_ar": "", "body_ar": ""}, "English or Arabic"),
        ({"body_en": ""}, "both a title and a text"),
        ({"title_ar": ""}, "both a title and a text"),
        ({"title_en": "x" * 201}, "at most 200"),
        ({"body_ar": "ع" * 20001}, "at most 20,000"),
        ({"body_en": "NUL \x00 here"}, "cannot be stored"),
        ({"title_en": "lone \ud800"}, "cannot be stored"),
    ],
)
def test_a_version_needs_a_complete_language_and_storable_text(
    questionnaire, admin_user, texts, message
):
    with pytest.raises(ServiceError, match=message):
        publish(admin_user, **texts)
    assert not GuidelineVersion.objects.exists()


def test_links_are_checked_against_the_current_questionnaire(questionnaire, admin_user):
    with pytest.raises(ServiceError, match="Unknown question code: privacy.nope"):
        publish(admin_user, codes=["privacy.basis", "privacy.nope"])
    with pytest.raises(ServiceError, match="Unknown risk dimension: weather"):
        publish(admin_user, dimensions=["weather"])


def test_a_new_version_keeps_the_old_one_readable_and_says_what_changed(
    questionnaire, admin_user, chair
):
    first = publish(admin_user, codes=["privacy.basis"])
    with pytest.raises(ServiceError, match="Say what changed"):
        publish(chair, guideline=first.guideline, body_en="New text.")
    second = publish(
        chair,
        guideline=first.guideline,
        body_en="New text.",
        change_summary="Objection within 48 hours",
        dimensions=["fairness"],
    )
    first.refresh_from_db()
    assert (first.number, first.body_en, first.author) == (1, "Ask **separately**.", admin_user)
    assert (second.number, second.body_en, second.author) == (2, "New text.", chair)
    guideline = second.guideline
    guideline.refresh_from_db()
    assert guideline.current == second
    assert sorted((link.kind, link.code) for link in guideline.links.all()) == [
        ("dimension", "fairness")
    ]
    assert audit.verify().ok


# --- search -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    ["CONSENT", "profiling consent", "separately", "التنميط", "الموافقه", "الْمُوافقة", "Prófiling"],
)
def test_search_ignores_case_accents_and_arabic_marks(questionnaire, admin_user, query):
    publish(admin_user)
    publish(admin_user, title_en="Children", title_ar="الأطفال", body_en="Age 13.", body_ar="13")
    found = [e.title for _topic, entries in guidelines.library("en", query) for e in entries]
    assert found == ["Consent for profiling"]


def test_search_finds_nothing_for_an_unknown_word(questionnaire, admin_user):
    publish(admin_user)
    assert guidelines.library("en", "weather") == []


# --- acknowledgement before submitting ----------------------------------------------------------


def test_nothing_to_acknowledge_without_guidelines(complete_campaign, marketer):
    services.campaign_submit(actor=marketer, campaign=complete_campaign)
    complete_campaign.refresh_from_db()
    assert complete_campaign.status == CampaignStatus.SUBMITTED


def test_submitting_without_acknowledging_is_refused_naming_the_guideline(
    complete_campaign, marketer, admin_user
):
    version = publish(admin_user, codes=["privacy.basis"])
    with pytest.raises(ServiceError, match="“Consent for profiling” \\(v1\\)") as refused:
        services.campaign_submit(actor=marketer, campaign=complete_campaign)
    assert "Nothing was submitted" in refused.value.message
    complete_campaign.refresh_from_db()
    assert complete_campaign.status == CampaignStatus.DRAFT
    assert not GuidelineAcknowledgement.objects.exists()

    services.campaign_submit(actor=marketer, campaign=complete_campaign, acknowledged=[version.pk])
    complete_campaign.refresh_from_db()
    assert complete_campaign.status == CampaignStatus.SUBMITTED
    ack = GuidelineAcknowledgement.objects.get()
    assert (ack.person, ack.version, ack.campaign) == (marketer, version, complete_campaign)
    event = AuditEvent.objects.get(kind=EventKind.GUIDELINE_ACKNOWLEDGED)
    assert event.campaign_id == complete_campaign.pk and event.actor_id == marketer.pk
    assert event.payload == {"guideline": version.guideline_id, "guideline_version": 1}


def test_a_new_version_is_acknowledged_again_at_the_next_submission(
    complete_campaign, marketer, admin_user
):
    first = publish(admin_user, dimensions=["privacy"])
    services.campaign_submit(actor=marketer, campaign=complete_campaign, acknowledged=[first.pk])
    # Another campaign under the same version: already acknowledged, nothing asked.
    second_campaign = another_campaign(marketer, complete_campaign)
    assert guidelines.pending_acknowledgements(second_campaign, marketer) == []
    second = publish(
        admin_user, guideline=first.guideline, dimensions=["privacy"], change_summary="Stricter"
    )
    assert guidelines.pending_acknowledgements(second_campaign, marketer) == [second]
    with pytest.raises(ServiceError, match="\\(v2\\)"):
        services.campaign_submit(actor=marketer, campaign=second_campaign, acknowledged=[first.pk])
    services.campaign_submit(actor=marketer, campaign=second_campaign, acknowledged=[second.pk])
    assert sorted(GuidelineAcknowledgement.objects.values_list("version__number", flat=True)) == [
        1,
        2,
    ]


def test_a_guideline_of_a_hidden_question_does_not_apply(complete_campaign, marketer, admin_user):
    # children.profiling shows only when the campaign reaches minors; this one does not.
    publish(admin_user, codes=["children.profiling"])
    assert guidelines.pending_acknowledgements(complete_campaign, marketer) == []
    services.campaign_submit(actor=marketer, campaign=complete_campaign)


def test_someone_else_acknowledging_does_not_count(complete_campaign, marketer, team, admin_user):
    colleague = UserFactory(roles=["marketer"], teams=[team])
    version = publish(admin_user, codes=["privacy.basis"])
    other = another_campaign(colleague, complete_campaign)
    services.campaign_submit(actor=colleague, campaign=other, acknowledged=[version.pk])
    assert guidelines.pending_acknowledgements(complete_campaign, marketer) == [version]


# --- who is told -------------------------------------------------------------------------------


def test_publishing_notifies_the_teams_whose_open_campaigns_it_governs(
    complete_campaign, marketer, outsider, manager, admin_user
):
    version = publish(admin_user, codes=["privacy.basis"])
    notices = Notification.objects.filter(kind=NotificationKind.GUIDELINE_UPDATED)
    assert [n.recipient for n in notices] == [marketer]
    notice = notices.get()
    assert notice.params["version"] == 1 and notice.params["title_en"] == "Consent for profiling"
    assert notice.url == f"/guidelines/{version.guideline_id}/"
    publish(admin_user, guideline=version.guideline, codes=["privacy.basis"], change_summary="v2")
    assert Notification.objects.filter(kind=NotificationKind.GUIDELINE_UPDATED).count() == 2


def test_no_notification_when_no_open_campaign_is_governed(complete_campaign, admin_user):
    publish(admin_user, codes=["children.profiling"])
    assert not Notification.objects.filter(kind=NotificationKind.GUIDELINE_UPDATED).exists()
