"""Incidents: suspension of the clearance (the API launch gate), the chair's lifting and
closing, the 72-hour breach deadline with frozen time, and who may do what."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from assessments import selectors, services
from assessments.errors import ServiceError
from assessments.models import (
    AuditEvent,
    Campaign,
    Incident,
    Notification,
    Webhook,
    WebhookDelivery,
)
from tests.api.conftest import token_for  # noqa: F401 - the shared fixture

pytestmark = pytest.mark.django_db

OPENED = datetime(2027, 1, 10, 9, 0, tzinfo=UTC)


def open_incident(actor, campaign, **overrides):
    values = {
        "what_happened": "Lookalike ads reached teenagers.",
        "harm_type": "safety",
        "severity": "severe",
        "people_affected": 1200,
        "regulator_involved": False,
        "platform_involved": True,
        "personal_data_breach": False,
    }
    return services.incident_open(actor=actor, campaign=campaign, **{**values, **overrides})


def gate(token_for, user, campaign):
    return token_for(user).get(reverse("api_clearance", args=[campaign.pk])).json()


def test_a_severe_incident_suspends_the_clearance_until_the_chair_lifts_it(
    token_for, approved_campaign, marketer, chair, manager
):
    assert gate(token_for, manager, approved_campaign)["cleared"] is True
    hook = Webhook.objects.create(name="h", url="https://example.com/h")
    incident = open_incident(marketer, approved_campaign)
    answer = gate(token_for, manager, approved_campaign)
    assert answer["cleared"] is False
    assert answer["suspended_by_incident"] == incident.pk
    assert f"incident {incident.pk}" in answer["reason"]
    assert AuditEvent.objects.filter(kind="incident_opened", payload__incident=incident.pk).exists()
    assert Notification.objects.filter(recipient=chair, kind="incident").exists()
    assert WebhookDelivery.objects.filter(webhook=hook, event="incident.opened").exists()
    # An update changes nothing; the chair's lifting clears it again.
    services.incident_add_entry(actor=marketer, incident=incident, kind="update", text="Paused.")
    assert gate(token_for, manager, approved_campaign)["cleared"] is False
    services.incident_lift_suspension(actor=chair, incident=incident)
    answer = gate(token_for, manager, approved_campaign)
    assert answer["cleared"] is True and answer["suspended_by_incident"] is None
    assert answer["reason"] == ""
    assert AuditEvent.objects.filter(kind="suspension_lifted").count() == 1


def test_closing_ends_the_suspension_and_a_second_severe_incident_keeps_it(
    approved_campaign, marketer, chair
):
    first = open_incident(marketer, approved_campaign)
    second = open_incident(marketer, approved_campaign)
    services.incident_close(actor=chair, incident=first, resolution="Audience fixed.")
    campaign = Campaign.objects.get(pk=approved_campaign.pk)
    assert selectors.clearance(campaign)["suspended_by_incident"] == second.pk
    services.incident_close(actor=chair, incident=second, resolution="Done.")
    campaign = Campaign.objects.get(pk=approved_campaign.pk)
    assert selectors.clearance(campaign)["cleared"] is True
    first.refresh_from_db()
    assert first.status == "closed" and first.resolution == "Audience fixed."
    with pytest.raises(ServiceError):
        services.incident_add_entry(actor=marketer, incident=first, kind="update", text="Late.")


def test_a_minor_incident_does_not_suspend(approved_campaign, marketer):
    open_incident(marketer, approved_campaign, severity="minor")
    campaign = Campaign.objects.get(pk=approved_campaign.pk)
    assert selectors.clearance(campaign)["cleared"] is True


@pytest.mark.parametrize("who", ["marketer", "reviewer", "chair", "manager", "admin_user"])
def test_anyone_who_sees_the_campaign_opens_one(request, approved_campaign, who):
    open_incident(request.getfixturevalue(who), approved_campaign, severity="minor")
    assert Incident.objects.count() == 1


def test_another_team_and_deactivated_people_open_none(approved_campaign, outsider, marketer):
    with pytest.raises(ServiceError):
        open_incident(outsider, approved_campaign)
    marketer.is_active = False
    marketer.save()
    with pytest.raises(ServiceError):
        open_incident(marketer, approved_campaign)
    assert not Incident.objects.exists()


@pytest.mark.parametrize("who", ["marketer", "reviewer", "manager", "admin_user"])
def test_only_the_chair_lifts_and_closes(request, approved_campaign, marketer, who):
    incident = open_incident(marketer, approved_campaign)
    actor = request.getfixturevalue(who)
    with pytest.raises(ServiceError):
        services.incident_lift_suspension(actor=actor, incident=incident)
    with pytest.raises(ServiceError):
        services.incident_close(actor=actor, incident=incident, resolution="x")
    incident.refresh_from_db()
    assert incident.suspending


def test_the_chair_opens_one_from_feedback(approved_campaign, marketer, chair, reviewer):
    feedback = services.feedback_add(
        actor=marketer,
        campaign=approved_campaign,
        category="privacy",
        severity="serious",
        text="A customer saw their data.",
    )
    with pytest.raises(ServiceError):
        open_incident(reviewer, approved_campaign, feedback=feedback)
    incident = open_incident(chair, approved_campaign, feedback=feedback, harm_type="privacy")
    event = AuditEvent.objects.get(kind="incident_opened")
    assert event.payload["feedback"] == feedback.pk and event.payload["incident"] == incident.pk


def test_a_corrective_action_needs_an_owner_who_sees_the_campaign_and_a_due_date(
    approved_campaign, marketer, outsider
):
    incident = open_incident(marketer, approved_campaign, severity="minor")
    with pytest.raises(ServiceError):
        services.incident_add_entry(actor=marketer, incident=incident, kind="action", text="Fix")
    with pytest.raises(ServiceError):
        services.incident_add_entry(
            actor=marketer,
            incident=incident,
            kind="action",
            text="Fix",
            owner=outsider,
            due_on=date(2027, 2, 1),
        )
    entry = services.incident_add_entry(
        actor=marketer,
        incident=incident,
        kind="action",
        text="Fix",
        owner=marketer,
        due_on=date(2027, 2, 1),
    )
    assert entry.owner == marketer and entry.due_on == date(2027, 2, 1)


@pytest.mark.parametrize(
    "overrides",
    [
        {"what_happened": ""},
        {"what_happened": "a\x00b"},
        {"what_happened": "x" * 4001},
        {"harm_type": "murder"},
        {"severity": "apocalyptic"},
        {"people_affected": -1},
        {"people_affected": 10**12},
    ],
)
def test_hostile_input_is_refused(approved_campaign, marketer, overrides):
    with pytest.raises(ServiceError):
        open_incident(marketer, approved_campaign, **overrides)
    assert not Incident.objects.exists()


def test_the_72_hour_breach_deadline_with_frozen_time(approved_campaign, marketer, chair):
    with time_machine.travel(OPENED, tick=False):
        incident = open_incident(
            marketer, approved_campaign, personal_data_breach=True, severity="serious"
        )
        assert incident.notification_deadline == OPENED + timedelta(hours=72)
        assert services.breach_deadlines_remind() == 0  # 72 hours left
    # 47 hours later, more than a day is left: nothing yet.
    with time_machine.travel(OPENED + timedelta(hours=47), tick=False):
        assert services.breach_deadlines_remind() == 0
    # 49 hours later, less than a day is left: the opener and the chair, once.
    with time_machine.travel(OPENED + timedelta(hours=49), tick=False):
        assert services.breach_deadlines_remind() == 2
        assert services.breach_deadlines_remind() == 0
    soon = Notification.objects.get(recipient=chair, kind="breach_deadline")
    assert soon.params["passed"] is False
    assert soon.params["deadline"].startswith("2027-01-13T09:00")
    # Past the deadline: told once more that it passed.
    with time_machine.travel(OPENED + timedelta(hours=73), tick=False):
        assert services.breach_deadlines_remind() == 2
        assert services.breach_deadlines_remind() == 0
    assert Notification.objects.filter(kind="breach_deadline", params__passed=True).count() == 2
    # A closed incident is not reminded.
    services.incident_close(actor=chair, incident=incident, resolution="Notified the DPA.")
    Notification.objects.all().delete()
    with time_machine.travel(OPENED + timedelta(hours=100), tick=False):
        assert services.breach_deadlines_remind() == 0


def test_no_deadline_without_a_breach(approved_campaign, marketer):
    incident = open_incident(marketer, approved_campaign, severity="minor")
    assert incident.notification_deadline is None
