import pytest
from django.core.management import call_command

from assessments import monitoring
from assessments.models import Campaign, Condition, Incident, MonitoringReport

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_time")]


def test_the_demo_has_a_live_campaign_with_two_reports_one_breaching_and_an_incident(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")  # again: nothing doubles
    reports = list(MonitoringReport.objects.order_by("filed_at", "pk"))
    assert len(reports) == 2 and len({r.campaign_id for r in reports}) == 1
    assert [r.breach for r in reports] == [False, True]
    assert reports[0].campaign.status in ("approved", "approved_with_conditions")
    assert reports[0].campaign.rereview_flagged_at is not None
    incident = Incident.objects.get()
    assert incident.status == "open" and incident.campaign_id == reports[0].campaign_id


def test_the_demo_has_a_condition_that_adds_to_the_monitoring_plan(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    condition = Condition.objects.get(report_every_days__isnull=False)
    campaign = Campaign.objects.get(pk=condition.campaign_id)
    assert campaign.status == "approved_with_conditions"
    plan = monitoring.plan_of(campaign)
    assert (plan.source, plan.every_days) == ("condition", 14)
