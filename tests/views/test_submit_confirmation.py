"""Issue #20: submitting goes through a confirmation step that says what happens next, and
a draft's status is "Incomplete: n questions left" with its tier secondary (provisional)."""

import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from assessments import selectors, services
from assessments.models import Campaign, NotificationKind
from tests.conftest import LOW_RISK_ANSWERS, set_rule

pytestmark = pytest.mark.django_db

# A Friday: four working days later is the next Thursday (the weekend does not count).
FRIDAY = datetime(2030, 1, 4, 10, 0, tzinfo=UTC)


def url(name, campaign, *args):
    return reverse(name, args=[campaign.pk, *args])


def unchanged(campaign) -> bool:
    fresh = Campaign.objects.get(pk=campaign.pk)
    return fresh.status == "draft" and not fresh.versions.exists() and fresh.submitted_at is None


# --- the Submit action on the result page -------------------------------------------------


def test_result_page_offers_submit_to_the_team(client, marketer, complete_campaign):
    client.force_login(marketer)
    page = client.get(url("assessment_summary", complete_campaign)).text
    assert 'data-testid="summary-submit"' in page
    assert f'href="{url("campaign_submit", complete_campaign)}"' in page
    assert "Submit to the ethics board" in page
    assert unchanged(complete_campaign)  # a link: reading the page submits nothing


@pytest.mark.parametrize("persona", ["reviewer", "chair", "manager"])
def test_result_page_offers_no_submit_to_others(client, personas, complete_campaign, persona):
    client.force_login(personas[persona])
    page = client.get(url("assessment_summary", complete_campaign)).text
    assert 'data-testid="summary-submit"' not in page


def test_result_page_offers_no_submit_once_submitted(client, marketer, complete_campaign):
    services.campaign_submit(actor=marketer, campaign=complete_campaign)
    client.force_login(marketer)
    page = client.get(url("assessment_summary", complete_campaign)).text
    assert 'data-testid="summary-submit"' not in page


def test_campaign_page_submit_leads_to_the_confirmation(client, marketer, complete_campaign):
    client.force_login(marketer)
    page = client.get(url("campaign_detail", complete_campaign)).text
    assert f'href="{url("campaign_submit", complete_campaign)}"' in page
    assert f'action="{url("campaign_submit", complete_campaign)}"' not in page


# --- the confirmation step ------------------------------------------------------------------


def test_confirmation_says_route_due_date_and_notification(client, marketer, complete_campaign):
    set_rule(
        "I",
        reviewers_required=2,
        specialist_required=True,
        chair_confirms=True,
        due_working_days=4,
    )
    with time_machine.travel(FRIDAY, tick=False):
        client.force_login(marketer)
        response = client.get(url("campaign_submit", complete_campaign))
    assert response.status_code == 200
    page = response.text
    assert "The chair assigns 2 reviewers from the ethics board" in page
    assert "A privacy or legal specialist must be among them." in page
    assert "the chair then confirms the outcome" in page
    assert "within 4 working days" in page
    assert 'data-testid="due-date">2030-01-10<' in page
    assert "You, as the campaign's owner, are notified" in page
    assert 'data-channel="email"' in page and "In the app and by e-mail" in page
    assert 'name="confirmed_tier" value="I"' in page
    assert unchanged(complete_campaign)


def test_confirming_stores_the_due_date_that_was_shown(client, marketer, complete_campaign):
    set_rule("I", due_working_days=4)
    with time_machine.travel(FRIDAY, tick=False):
        client.force_login(marketer)
        response = client.post(url("campaign_submit", complete_campaign), {"confirmed_tier": "I"})
    assert response.status_code == 302
    assert response["Location"] == url("campaign_detail", complete_campaign) + "#review"
    complete_campaign.refresh_from_db()
    assert complete_campaign.status == "submitted"
    assert complete_campaign.review_due_at.date().isoformat() == "2030-01-10"


def test_confirmation_for_a_light_route(client, marketer, complete_campaign):
    set_rule("I", reviewers_required=1, specialist_required=False, chair_confirms=False)
    client.force_login(marketer)
    page = client.get(url("campaign_submit", complete_campaign)).text
    assert "The chair assigns 1 reviewer from the ethics board" in page
    assert "No specialist is required for this tier." in page
    assert "without a confirmation by the chair" in page


def test_confirmation_follows_the_owners_notification_setting(client, marketer, complete_campaign):
    services.notification_preferences_set(
        user=marketer, choices={NotificationKind.DECISION: "in_app"}
    )
    client.force_login(marketer)
    page = client.get(url("campaign_submit", complete_campaign)).text
    assert 'data-channel="in_app"' in page and "In the app only" in page


def test_confirmation_in_arabic(client, marketer, complete_campaign):
    marketer.language = "ar"
    marketer.save(update_fields=["language"])
    client.force_login(marketer)
    page = client.get(url("campaign_submit", complete_campaign)).text
    assert 'dir="rtl"' in page
    assert "ما الذي سيحدث بعد ذلك" in page  # "What happens next"
    assert "التأكيد والتقديم" in page  # "Confirm and submit"
    assert "What happens next" not in page


def test_an_incomplete_draft_is_told_why_and_cannot_confirm(client, marketer, campaign):
    client.force_login(marketer)
    page = client.get(url("campaign_submit", campaign)).text
    assert 'data-testid="submit-blockers"' in page
    assert "Answer every required question first" in page
    assert 'data-testid="submit-confirm-form"' not in page


def test_a_post_without_the_confirmation_submits_nothing(client, marketer, complete_campaign):
    client.force_login(marketer)
    response = client.post(url("campaign_submit", complete_campaign))
    assert response.status_code == 302
    assert response["Location"] == url("campaign_submit", complete_campaign)
    assert unchanged(complete_campaign)
    page = client.get(response["Location"]).text
    assert "Check what happens next, then confirm. Nothing was submitted." in page


@pytest.mark.parametrize("value", ["III", "prohibited", "x" * 50, ""])
def test_a_confirmation_of_another_tier_submits_nothing(client, marketer, complete_campaign, value):
    client.force_login(marketer)
    response = client.post(url("campaign_submit", complete_campaign), {"confirmed_tier": value})
    assert response.status_code == 302
    assert response["Location"] == url("campaign_submit", complete_campaign)
    assert unchanged(complete_campaign)


def test_a_result_changed_since_the_confirmation_is_refused(client, marketer, complete_campaign):
    """The page showed another tier's route than the result has now (an answer changed in
    another tab): nothing is submitted and the person is asked to check again."""
    assert selectors.campaign_result(Campaign.objects.get(pk=complete_campaign.pk)).tier == "I"
    client.force_login(marketer)
    response = client.post(
        url("campaign_submit", complete_campaign), {"confirmed_tier": "II"}, follow=True
    )
    assert "The result changed since you checked it" in response.text
    assert 'name="confirmed_tier" value="I"' in response.text  # the current route, again
    assert unchanged(complete_campaign)


@pytest.mark.parametrize("persona,status", [("outsider", 404), ("reviewer", 302), ("chair", 302)])
def test_others_get_no_confirmation(client, personas, complete_campaign, persona, status):
    client.force_login(personas[persona])
    response = client.get(url("campaign_submit", complete_campaign))
    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith(url("campaign_detail", complete_campaign))


def test_a_submitted_campaign_has_no_confirmation(client, marketer, complete_campaign):
    services.campaign_submit(actor=marketer, campaign=complete_campaign)
    client.force_login(marketer)
    response = client.get(url("campaign_submit", complete_campaign), follow=True)
    assert "This campaign cannot be submitted now." in response.text
    assert complete_campaign.versions.count() == 1


def test_a_resubmission_says_so(client, marketer, complete_campaign):
    services.campaign_submit(actor=marketer, campaign=complete_campaign)
    Campaign.objects.filter(pk=complete_campaign.pk).update(status="changes_requested")
    client.force_login(marketer)
    page = client.get(url("campaign_submit", complete_campaign)).text
    assert "Resubmit to the board?" in page and "Confirm and resubmit" in page


# --- "Incomplete: n questions left" ---------------------------------------------------------

INCOMPLETE = re.compile(
    r'data-testid="incomplete-status" data-missing="(\d+)">Incomplete: (\d+) questions? left<'
)


def incomplete_status(page: str) -> tuple[int, int] | None:
    match = INCOMPLETE.search(page)
    return (int(match[1]), int(match[2])) if match else None


@pytest.mark.parametrize("name", ["assessment_summary", "campaign_detail", "my_campaigns", "home"])
def test_a_fresh_draft_is_incomplete_first_and_provisional_second(client, marketer, campaign, name):
    missing = len(selectors.campaign_result(campaign).missing)
    assert missing > 1
    client.force_login(marketer)
    target = url(name, campaign) if name in ("assessment_summary", "campaign_detail") else None
    page = client.get(target or reverse(name)).text
    assert incomplete_status(page) == (missing, missing)
    # The tier follows, smaller and labelled provisional.
    status_at = page.index('data-testid="incomplete-status"')
    provisional_at = page.index('data-testid="provisional-tier"')
    assert status_at < provisional_at
    tail = page[provisional_at : provisional_at + 400]
    assert "Provisional tier:" in tail
    assert "tier-badge-provisional" in tail and 'data-provisional="true"' in tail


@pytest.mark.parametrize("name", ["assessment_summary", "campaign_detail", "my_campaigns"])
def test_a_complete_draft_shows_its_tier_alone(client, marketer, complete_campaign, name):
    client.force_login(marketer)
    target = url(name, complete_campaign) if name != "my_campaigns" else reverse(name)
    page = client.get(target).text
    assert 'data-testid="incomplete-status"' not in page
    assert 'data-testid="provisional-tier"' not in page
    assert 'data-testid="tier-badge" data-tier="I">Tier I · Low<' in page


def test_one_question_left_is_singular(client, marketer, campaign):
    answers = dict.fromkeys(selectors.campaign_result(campaign).missing)
    first_missing = next(iter(answers))
    partial = {k: v for k, v in LOW_RISK_ANSWERS.items() if k != first_missing}
    services.assessment_save_answers(actor=marketer, campaign=campaign, answers=partial)
    assert len(selectors.campaign_result(Campaign.objects.get(pk=campaign.pk)).missing) == 1
    client.force_login(marketer)
    page = client.get(url("assessment_summary", campaign)).text
    assert "Incomplete: 1 question left<" in page


def test_incomplete_status_in_arabic(client, marketer, campaign):
    marketer.language = "ar"
    marketer.save(update_fields=["language"])
    missing = len(selectors.campaign_result(campaign).missing)
    client.force_login(marketer)
    page = client.get(url("campaign_detail", campaign)).text
    assert "غير مكتمل" in page  # "Incomplete"
    assert "الفئة المؤقتة:" in page  # "Provisional tier:"
    assert f'data-missing="{missing}"' in page
    assert "Incomplete:" not in page
