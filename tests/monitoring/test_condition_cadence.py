"""Conditions that add to the monitoring plan: a vote (or the chair's overrule) asks for a
report every N days, the approval's condition carries that cadence, and the plan follows
the tightest of the tier's rule and the conditions of the effective decision."""

from datetime import UTC, date, datetime

import pytest
from django.urls import reverse
from django.utils import translation

from assessments import monitoring, services
from assessments.errors import ServiceError
from assessments.forms import OverruleForm, VoteForm
from assessments.models import (
    AuditEvent,
    Campaign,
    Condition,
    Decision,
    MonitoringRule,
    Notification,
    Vote,
)
from tests.conftest import set_rule
from tests.factories import PASSWORD
from tests.monitoring.cadence import (  # noqa: F401 (fixtures)
    EVERY_14,
    LABEL,
    MIDFLIGHT,
    as_tier_ii,
    conditioned,
    in_review,
)

pytestmark = pytest.mark.django_db


def overrule(chair, campaign, outcome, **fields):
    services.decision_overrule(
        actor=chair,
        campaign=campaign,
        outcome=outcome,
        rationale="The chair's view.",
        password=PASSWORD,
        **fields,
        **services.signing_expectation(campaign, "overrule"),
    )
    return Campaign.objects.get(pk=campaign.pk)


# --- the plan ---------------------------------------------------------------------------------


def test_tier_ii_with_a_14_day_condition_reports_every_14_days(conditioned):
    assert conditioned.status == "approved_with_conditions"
    plan = monitoring.plan_of(conditioned, today=date(2027, 1, 20))
    # By hand: 14 days after the flight's start (later than the approval), then every 14
    # days while the date is on or before the flight's end (2027-03-12 is past it).
    assert plan.dues == EVERY_14
    assert (plan.cadence, plan.every_days, plan.source) == ("every", 14, "condition")
    assert plan.next_due == date(2027, 1, 15) and plan.overdue_days == 5


def test_without_the_condition_tier_ii_has_its_one_mid_flight_report(in_review, board):
    services.vote_cast(
        actor=board[0],
        campaign=in_review,
        decision="approve_with_conditions",
        rationale="Fine with labels.",
        conditions=[LABEL],
        password=PASSWORD,
    )
    plan = monitoring.plan_of(as_tier_ii(in_review), today=date(2027, 1, 20))
    assert plan.dues == MIDFLIGHT and plan.source == "rule" and plan.cadence == "midflight"


def test_the_tiers_rule_wins_when_it_asks_for_reports_more_often(conditioned):
    MonitoringRule.objects.filter(tier="II").update(cadence="every", every_days=7)
    plan = monitoring.plan_of(conditioned, today=date(2027, 1, 1))
    assert (plan.every_days, plan.source) == (7, "rule")
    assert plan.dues[:3] == [date(2027, 1, 8), date(2027, 1, 15), date(2027, 1, 22)]


def test_a_condition_longer_than_the_mid_flight_interval_changes_nothing(in_review, board):
    services.vote_cast(
        actor=board[0],
        campaign=in_review,
        decision="approve_with_conditions",
        rationale="Monthly is enough.",
        conditions=[],
        report_every_days=45,
        password=PASSWORD,
    )
    plan = monitoring.plan_of(as_tier_ii(in_review), today=date(2027, 1, 1))
    assert plan.dues == MIDFLIGHT and plan.source == "rule"


def test_the_condition_is_stored_with_its_cadence_and_its_decision(conditioned, board):
    decision = Decision.objects.get(campaign=conditioned)
    cadence = Condition.objects.get(campaign=conditioned, report_every_days=14)
    assert cadence.decision == decision and cadence.vote.reviewer == board[0]
    assert cadence.text == "Send a monitoring report every 14 days."
    assert Condition.objects.get(campaign=conditioned, text=LABEL).report_every_days is None
    with translation.override("ar"):
        assert cadence.label == "إرسال تقرير متابعة كل 14 يومًا."
    voted = AuditEvent.objects.get(campaign=conditioned, kind="voted")
    assert voted.payload["report_every_days"] == 14


def test_an_overruled_decision_s_condition_does_not_count(conditioned, chair):
    approved = overrule(chair, conditioned, "approved")
    assert monitoring.plan_of(approved, today=date(2027, 1, 1)).dues == MIDFLIGHT


def test_a_superseded_decision_s_condition_does_not_count_on_the_same_version(conditioned, chair):
    """With conditions, then rejected, then with other conditions again on the same
    version: only the last decision's conditions count, though the first's remain."""
    rejected = overrule(chair, conditioned, "rejected")
    again = overrule(chair, rejected, "approved_with_conditions", conditions=[LABEL])
    assert again.status == "approved_with_conditions"
    assert Condition.objects.filter(campaign=again, report_every_days=14).exists()
    assert monitoring.plan_of(again, today=date(2027, 1, 1)).dues == MIDFLIGHT


def test_the_chair_can_set_a_cadence_when_overruling(conditioned, chair):
    rejected = overrule(chair, conditioned, "rejected")
    again = overrule(chair, rejected, "approved_with_conditions", report_every_days=21)
    plan = monitoring.plan_of(again, today=date(2027, 1, 1))
    assert (plan.every_days, plan.source) == (21, "condition")
    assert plan.dues == [date(2027, 1, 22), date(2027, 2, 12)]
    deciding = Decision.objects.filter(campaign=again).order_by("-created_at", "-pk")[0]
    assert Condition.objects.get(decision=deciding).report_every_days == 21


def test_the_overdue_scan_follows_the_condition(conditioned, marketer):
    """The tier's mid-flight report (31 Jan) is not due yet on 20 Jan; the condition's first
    report (15 Jan) is five days late."""
    sent = services.monitoring_scan(now=datetime(2027, 1, 20, 9, tzinfo=UTC))
    assert sent == 1
    reminder = Notification.objects.get(kind="monitoring_due", recipient=marketer)
    assert reminder.params["due"] == "2027-01-15"


# --- bad values -------------------------------------------------------------------------------

BAD = ["0", "6", "91", "-1", str(10**20), "abc", "1\x004", "14.5", "١٤٫٥"]


@pytest.mark.parametrize("value", BAD)
def test_the_vote_form_refuses_bad_cadences_and_nothing_changes(client, in_review, board, value):
    client.force_login(board[0])
    response = client.post(
        reverse("vote", args=[in_review.pk]),
        {
            "decision": "approve_with_conditions",
            "rationale": "Monitor it.",
            "conditions": LABEL,
            "report_every_days": value,
            "password": PASSWORD,
        },
    )
    assert response.status_code == 400
    assert 'id="error_1_id_report_every_days"' in response.text
    assert "Monitor it." in response.text  # what was typed is kept
    assert not Vote.objects.exists() and not Condition.objects.exists()
    assert Campaign.objects.get(pk=in_review.pk).status == "in_review"


def test_a_cadence_goes_with_approve_with_conditions_only(client, in_review, board):
    client.force_login(board[0])
    response = client.post(
        reverse("vote", args=[in_review.pk]),
        {"decision": "approve", "rationale": "ok", "report_every_days": "14", "password": PASSWORD},
    )
    assert response.status_code == 400
    assert "A reporting cadence goes with “approve with conditions” only." in response.text
    assert not Vote.objects.exists()


@pytest.mark.parametrize("value", ["7", "90", "", "٣٠"])
def test_the_form_accepts_7_to_90_days_or_nothing(value):
    form = VoteForm(
        {
            "decision": "approve_with_conditions",
            "rationale": "ok",
            "conditions": LABEL,
            "report_every_days": value,
            "password": "x",
        }
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["report_every_days"] == {"7": 7, "90": 90, "": None, "٣٠": 30}[value]


def test_the_overrule_form_checks_the_outcome():
    form = OverruleForm(
        {"outcome": "approved", "rationale": "x", "report_every_days": "14", "password": "x"}
    )
    assert not form.is_valid() and "report_every_days" in form.errors


@pytest.mark.parametrize("value", [0, 6, 91, -1, 10**20, "14", 14.0, True])
def test_the_service_refuses_bad_cadences(in_review, board, value):
    with pytest.raises(ServiceError) as refused:
        services.vote_cast(
            actor=board[0],
            campaign=in_review,
            decision="approve_with_conditions",
            rationale="ok",
            conditions=[LABEL],
            report_every_days=value,
            password=PASSWORD,
        )
    assert refused.value.field == "report_every_days"
    assert not Vote.objects.exists()


def test_a_cadence_alone_is_a_condition(in_review, board):
    services.vote_cast(
        actor=board[0],
        campaign=in_review,
        decision="approve_with_conditions",
        rationale="Monitoring is the condition.",
        report_every_days=30,
        password=PASSWORD,
    )
    (condition,) = Condition.objects.filter(campaign=in_review)
    assert condition.report_every_days == 30


# --- the pages --------------------------------------------------------------------------------


def test_pages_say_where_the_cadence_comes_from(client, conditioned, marketer):
    client.force_login(marketer)
    page = client.get(reverse("monitoring_page", args=[conditioned.pk])).text
    assert 'data-source="condition"' in page
    assert "set by a condition of the approval" in page
    assert "2027-01-15" in page and "2027-02-26" in page
    campaign_page = client.get(reverse("campaign_detail", args=[conditioned.pk])).text
    assert "Send a monitoring report every 14 days." in campaign_page
    assert 'data-testid="condition-cadence"' in campaign_page
    assert 'data-testid="vote-cadence"' in campaign_page
    answer = client.get(reverse("api_monitoring", args=[conditioned.pk]), secure=True).json()
    assert answer["plan"]["source"] == "condition" and answer["plan"]["every_days"] == 14
    with translation.override("ar"):
        page = client.get(
            reverse("monitoring_page", args=[conditioned.pk]), HTTP_ACCEPT_LANGUAGE="ar"
        ).text
    assert "يحدده شرط من شروط الموافقة" in page
    assert '<bdi class="ltr-value" dir="ltr">14</bdi>' in page


def test_the_plan_page_names_the_tiers_rule_otherwise(client, in_review, board, marketer):
    services.vote_cast(
        actor=board[0], campaign=in_review, decision="approve", rationale="ok", password=PASSWORD
    )
    MonitoringRule.objects.filter(tier=in_review.tier).update(cadence="every", every_days=30)
    client.force_login(marketer)
    page = client.get(reverse("monitoring_page", args=[in_review.pk])).text
    assert 'data-source="rule"' in page
    assert "A report every" in page and "days while the campaign runs, set by the tier" in page


def test_the_team_fulfils_it_like_any_condition_and_the_board_sees_it_in_its_language(
    client, conditioned, marketer, chair
):
    condition = Condition.objects.get(campaign=conditioned, report_every_days=14)
    services.condition_fulfil(
        actor=marketer, condition=condition, note="Reports are scheduled every 14 days."
    )
    client.force_login(chair)
    with translation.override("ar"):
        queue = client.get(reverse("review_queue"), HTTP_ACCEPT_LANGUAGE="ar").text
    assert "إرسال تقرير متابعة كل 14 يومًا." in queue
    assert "Send a monitoring report" not in queue


def test_a_proposal_awaiting_the_chair_does_not_count_until_confirmed(in_review, board, chair):
    set_rule(in_review.tier, chair_confirms=True)
    services.vote_cast(
        actor=board[0],
        campaign=in_review,
        decision="approve_with_conditions",
        rationale="Monitor it closely.",
        conditions=[LABEL],
        report_every_days=14,
        password=PASSWORD,
    )
    proposed = as_tier_ii(in_review)
    assert proposed.status == "awaiting_confirmation"
    assert monitoring.plan_of(proposed, today=date(2027, 1, 1)).source == "rule"
    services.decision_confirm(
        actor=chair,
        campaign=proposed,
        password=PASSWORD,
        rationale="",
        **services.signing_expectation(proposed, "confirm"),
    )
    confirmed = Campaign.objects.get(pk=proposed.pk)
    assert monitoring.plan_of(confirmed, today=date(2027, 1, 1)).dues == EVERY_14
    condition = Condition.objects.get(campaign=confirmed, report_every_days=14)
    assert condition.decision.kind == "confirmed"
