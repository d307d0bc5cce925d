"""Moving a draft from v1 to v2 (answers carried where codes match, the move recorded), and
the board's read-only view of what v2 would say about a v1 campaign."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from assessments.errors import ServiceError
from assessments.models import AuditEvent, Campaign, Questionnaire
from assessments.questionnaire import Definition
from assessments.questionnaire.carry import carry_answers
from assessments.selectors import current_questionnaire, definition_of
from assessments.services import (
    assessment_move_questionnaire,
    campaign_submit,
    questionnaire_load,
)
from tests.conftest import INTAKE_POST, LOW_RISK_ANSWERS
from tests.questionnaire.sample import sample, sample_v2


def load_v2():
    data = sample_v2()
    data["slug"] = "ai-marketing-impact"
    # v2 drops the choice "consent" and makes "legitimate" a red flag in the EU
    basis = data["sections"][0]["questions"][0]
    basis["options"][0]["value"] = "opt_in_consent"  # "consent" no longer exists
    basis["options"][1]["red_flag"] = {
        "reason": {"en": "Legitimate interests do not cover this", "ar": "ع"},
        "remedy": {"en": "Ask for consent", "ar": "ع"},
        "condition": {"intake": "markets", "any_of": ["eu"]},
    }
    questionnaire, created = questionnaire_load(data=data, source="v2")
    assert created and questionnaire.version == 2
    return questionnaire


def test_carry_answers_keeps_what_fits_and_lists_the_rest():
    definition = Definition.from_data(sample())
    carried, dropped = carry_answers(
        definition, {"privacy.basis": "consent", "privacy.dpia": "9", "gone.code": "x"}
    )
    assert carried == {"privacy.basis": "consent"}
    assert dropped == ["gone.code", "privacy.dpia"]


@pytest.mark.django_db
def test_a_draft_moves_with_its_answers_and_the_move_is_recorded(complete_campaign, marketer):
    v2 = load_v2()
    dropped = assessment_move_questionnaire(
        actor=marketer, campaign=complete_campaign, questionnaire=v2
    )
    assessment = complete_campaign.assessment
    assessment.refresh_from_db()
    assert assessment.questionnaire == v2
    assert dropped == ["privacy.basis"]
    assert assessment.answers == {k: v for k, v in LOW_RISK_ANSWERS.items() if k != "privacy.basis"}
    event = AuditEvent.objects.filter(kind="questionnaire_moved").get()
    assert event.payload["from_version"] == 1 and event.payload["to_version"] == 2
    assert event.payload["dropped"] == ["privacy.basis"]
    assert "fairness.tested" in event.payload["carried"]


@pytest.mark.django_db
def test_moving_is_refused_to_others_backwards_and_after_submission(
    complete_campaign, marketer, outsider
):
    v2 = load_v2()
    v1 = complete_campaign.assessment.questionnaire
    with pytest.raises(ServiceError):
        assessment_move_questionnaire(actor=outsider, campaign=complete_campaign, questionnaire=v2)
    with pytest.raises(ServiceError, match="newer version"):
        assessment_move_questionnaire(actor=marketer, campaign=complete_campaign, questionnaire=v1)
    campaign_submit(actor=marketer, campaign=complete_campaign)
    with pytest.raises(ServiceError):
        assessment_move_questionnaire(actor=marketer, campaign=complete_campaign, questionnaire=v2)
    complete_campaign.assessment.refresh_from_db()
    assert complete_campaign.assessment.questionnaire == v1
    assert not AuditEvent.objects.filter(kind="questionnaire_moved").exists()


@pytest.mark.django_db
def test_the_marketer_moves_from_the_campaign_page(client, complete_campaign, marketer):
    client.force_login(marketer)
    url = reverse("campaign_detail", args=[complete_campaign.pk])
    assert 'data-testid="move-questionnaire"' not in client.get(url).content.decode()
    load_v2()
    page = client.get(url).content.decode()
    assert 'data-testid="move-questionnaire"' in page
    assert 'data-testid="under-newer"' not in page
    response = client.post(reverse("assessment_move", args=[complete_campaign.pk]))
    assert response.status_code == 302
    complete_campaign.assessment.refresh_from_db()
    assert complete_campaign.assessment.questionnaire.version == 2
    assert client.get(reverse("assessment_move", args=[complete_campaign.pk])).status_code == 405


@pytest.mark.django_db
def test_the_board_sees_what_v2_would_say_read_only(client, complete_campaign, chair, outsider):
    complete_campaign.assessment.answers = {**LOW_RISK_ANSWERS, "privacy.basis": "legitimate"}
    complete_campaign.assessment.save(update_fields=["answers"])
    load_v2()
    client.force_login(chair)
    page = client.get(reverse("campaign_detail", args=[complete_campaign.pk])).content.decode()
    assert 'data-testid="under-newer"' in page
    assert "Legitimate interests do not cover this" in page  # v2's market-bound red flag
    assert 'data-testid="move-questionnaire"' not in page
    response = client.post(reverse("assessment_move", args=[complete_campaign.pk]))
    assert response.status_code in (302, 404)
    complete_campaign.assessment.refresh_from_db()
    assert complete_campaign.assessment.questionnaire.version == 1  # read-only for the board


@pytest.mark.django_db
def test_reference_chips_are_arabic_on_arabic_pages(client, questionnaire, marketer, team):
    data = sample_v2()
    data["slug"] = "ai-marketing-impact"
    data["sections"][0]["questions"][0]["reference"] = {
        "en": "GDPR Art. 6(1) (lawful bases)",
        "ar": "GDPR المادة 6(1) (الأسس القانونية)",
    }
    questionnaire_load(data=data, source="v2")
    client.force_login(marketer)
    client.cookies["django_language"] = "ar"
    with translation.override("ar"):
        response = client.post(reverse("campaign_new"), {**INTAKE_POST, "team": team.pk})
        assert response.status_code == 302
        campaign = Campaign.objects.latest("pk")
        assert campaign.assessment.questionnaire.version == 2
        step = client.get(reverse("assessment_step", args=[campaign.pk, "privacy"]))
    text = step.content.decode()
    assert "GDPR المادة 6(1) (الأسس القانونية)" in text
    assert "GDPR Art. 6(1) (lawful bases)" not in text


@pytest.mark.django_db
def test_load_questionnaires_numbers_the_frozen_v1_first_and_the_default_second():
    call_command("load_questionnaires", stdout=None)
    call_command("load_questionnaires", stdout=None)  # idempotent
    versions = {q.version: q for q in Questionnaire.objects.filter(slug="ai-marketing-impact")}
    assert sorted(versions) == [1, 2]
    assert versions[1].source == "ai-marketing-impact-v1.yaml"
    assert definition_of(versions[1]).scoring == 1
    assert versions[2].source == "ai-marketing-impact.yaml"
    assert current_questionnaire().version == 2
    assert definition_of(current_questionnaire()).scoring == 2
