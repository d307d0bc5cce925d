"""Filing monitoring reports, the breach flag for the chair, and the overdue scan."""

from datetime import UTC, datetime

import pytest
import time_machine

from assessments import monitoring, services
from assessments.errors import ServiceError
from assessments.models import (
    AuditEvent,
    MonitoringReport,
    MonitoringRule,
    Notification,
    Webhook,
    WebhookDelivery,
)

pytestmark = pytest.mark.django_db

FAIR = "segment,reached,positive\nA,100,50\nB,100,48\n"
BREACHING = "A,100,50\nB,100,30\n"


@pytest.fixture
def live(reference_time, approved_campaign):
    """The approved tier I campaign, its tier set to report every 14 days (flight
    2027-01-01 … 2027-03-01: due 15 Jan, 29 Jan, 12 Feb, 26 Feb)."""
    MonitoringRule.objects.filter(tier=approved_campaign.tier).update(
        cadence="every", every_days=14
    )
    return approved_campaign


def test_default_plans_by_tier_come_from_the_migration():
    plans = dict(MonitoringRule.objects.values_list("tier", "cadence"))
    assert plans == {"I": "none", "II": "midflight", "III": "every", "IV": "every"}
    assert MonitoringRule.objects.get(tier="III").every_days == 30
    assert MonitoringRule.objects.get(tier="IV").every_days == 14


def test_the_plan_of_a_live_campaign(live):
    plan = monitoring.plan_of(live, today=datetime(2027, 1, 20).date())
    assert [d.isoformat() for d in plan.dues] == [
        "2027-01-15",
        "2027-01-29",
        "2027-02-12",
        "2027-02-26",
    ]
    assert plan.next_due.isoformat() == "2027-01-15" and plan.overdue_days == 5


def test_the_team_files_a_fair_report(live, marketer, chair):
    report = services.monitoring_report_file(
        actor=marketer, campaign=live, figures=FAIR, observations="Steady."
    )
    assert not report.breach and report.min_ratio == 0.8 and report.alpha == 0.05
    assert report.worst_ratio == pytest.approx(0.96)
    assert [r.segment for r in report.rows.all()] == ["A", "B"]
    event = AuditEvent.objects.get(kind="monitoring_reported")
    assert event.payload == {
        "report": report.pk,
        "segments": 2,
        "breach": False,
        "worst_ratio": "0.9600",
    }
    live.refresh_from_db()
    assert live.rereview_flagged_at is None
    assert not Notification.objects.filter(kind="monitoring_breach").exists()


def test_a_breach_flags_the_campaign_for_the_chair_and_the_chair_sends_it_back(
    live, marketer, chair
):
    hook = Webhook.objects.create(name="h", url="https://example.com/h")
    report = services.monitoring_report_file(actor=marketer, campaign=live, figures=BREACHING)
    assert report.breach and report.worst_ratio == pytest.approx(0.6)
    live.refresh_from_db()
    assert live.rereview_flagged_at is not None
    assert AuditEvent.objects.filter(
        kind="monitoring_flagged", payload__reason="breach", payload__report=report.pk
    ).exists()
    assert Notification.objects.filter(recipient=chair, kind="monitoring_breach").exists()
    delivery = WebhookDelivery.objects.get(webhook=hook, event="monitoring.breach")
    assert '"worst_ratio":"0.6000"' in delivery.body
    services.campaign_send_back(actor=chair, campaign=live)
    live.refresh_from_db()
    assert live.status == "rereview_requested" and live.rereview_flagged_at is None


@pytest.mark.parametrize("who", ["outsider", "reviewer", "chair", "manager", "admin_user"])
def test_only_the_team_files_reports(request, live, who):
    with pytest.raises(ServiceError):
        services.monitoring_report_file(
            actor=request.getfixturevalue(who), campaign=live, figures=FAIR
        )
    assert not MonitoringReport.objects.exists()


def test_a_deactivated_marketer_files_nothing(live, marketer):
    marketer.is_active = False
    marketer.save()
    with pytest.raises(ServiceError):
        services.monitoring_report_file(actor=marketer, campaign=live, figures=FAIR)


def test_reports_are_for_live_campaigns_only(complete_campaign, marketer):
    with pytest.raises(ServiceError, match="approved campaigns"):
        services.monitoring_report_file(actor=marketer, campaign=complete_campaign, figures=FAIR)


@pytest.mark.parametrize("figures", ["A,1,1", "A,1,2\nB,1,1", "A\x00,1,1\nB,1,1"])
def test_bad_figures_are_refused_before_anything_is_written(live, marketer, figures):
    with pytest.raises(ServiceError) as caught:
        services.monitoring_report_file(actor=marketer, campaign=live, figures=figures)
    assert caught.value.field == "figures"
    assert not AuditEvent.objects.filter(kind="monitoring_reported").exists()


def test_overdue_reports_are_reminded_then_flagged_after_the_grace_period(
    live, marketer, chair, settings
):
    settings.MONITORING_GRACE_DAYS = 7
    # 20 January: the 15 January report is 5 days late: the team is reminded, once a day.
    with time_machine.travel(datetime(2027, 1, 20, 9, tzinfo=UTC), tick=False):
        assert services.monitoring_scan() == 1
        assert services.monitoring_scan() == 0
    note = Notification.objects.get(kind="monitoring_due")
    assert note.recipient == marketer and note.params == {"due": "2027-01-15"}
    live.refresh_from_db()
    assert live.rereview_flagged_at is None
    # 23 January: 8 days late, beyond the grace period: flagged for the chair, once.
    with time_machine.travel(datetime(2027, 1, 23, 9, tzinfo=UTC), tick=False):
        services.monitoring_scan()
        services.monitoring_scan()
    live.refresh_from_db()
    assert live.rereview_flagged_at is not None
    flagged = AuditEvent.objects.filter(kind="monitoring_flagged", payload__reason="overdue")
    assert flagged.count() == 1
    assert Notification.objects.filter(recipient=chair, kind="monitoring_breach").count() == 1


def test_a_filed_report_answers_the_due_date(live, marketer):
    with time_machine.travel(datetime(2027, 1, 16, 9, tzinfo=UTC), tick=False):
        report = services.monitoring_report_file(actor=marketer, campaign=live, figures=FAIR)
        assert report.due_on.isoformat() == "2027-01-15"
    with time_machine.travel(datetime(2027, 1, 20, 9, tzinfo=UTC), tick=False):
        assert services.monitoring_scan() == 0  # next due 29 January


def test_tier_without_monitoring_is_never_overdue(approved_campaign):
    with time_machine.travel(datetime(2027, 2, 20, 9, tzinfo=UTC), tick=False):
        assert services.monitoring_scan() == 0
