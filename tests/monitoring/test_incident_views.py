"""The incident pages: who opens and acts, protected fields, hostile input, Arabic."""

import pytest
from django.urls import reverse
from django.utils import translation

from assessments import services
from assessments.models import AuditEvent, Campaign, Incident, IncidentEntry

pytestmark = pytest.mark.django_db

VALID = {"what_happened": "Ads reached minors.", "harm_type": "safety", "severity": "severe"}
PROTECTED = {
    "opened_by": "1",
    "opened_at": "2000-01-01T00:00:00Z",
    "status": "closed",
    "suspends_clearance": "",
    "suspension_lifted_at": "2000-01-01T00:00:00Z",
    "closed_by": "1",
    "resolution": "nothing",
    "campaign": "999",
    "clearance_suspended_by": "",
}


def listing(campaign):
    return reverse("incident_list", args=[campaign.pk])


@pytest.mark.parametrize(
    "who, status",
    [
        ("marketer", 302),
        ("reviewer", 302),
        ("chair", 302),
        ("manager", 302),
        ("admin_user", 302),
        ("outsider", 404),
    ],
)
def test_who_opens_an_incident(client, request, approved_campaign, who, status):
    client.force_login(request.getfixturevalue(who))
    assert client.get(listing(approved_campaign)).status_code == (404 if status == 404 else 200)
    response = client.post(listing(approved_campaign), VALID)
    assert response.status_code == status
    assert Incident.objects.count() == (0 if status == 404 else 1)


def test_opening_ignores_protected_fields(client, approved_campaign, marketer):
    client.force_login(marketer)
    response = client.post(listing(approved_campaign), {**VALID, **PROTECTED})
    assert response.status_code == 302
    incident = Incident.objects.get()
    assert incident.opened_by == marketer and incident.campaign == approved_campaign
    assert incident.status == "open" and incident.suspends_clearance
    assert incident.suspension_lifted_at is None and incident.resolution == ""
    campaign = Campaign.objects.get(pk=approved_campaign.pk)
    assert campaign.clearance_suspended_by_id == incident.pk


def test_timeline_entries_ignore_protected_fields(client, approved_campaign, marketer, outsider):
    incident = services.incident_open(actor=marketer, campaign=approved_campaign, **VALID)
    client.force_login(marketer)
    url = reverse("incident_detail", args=[approved_campaign.pk, incident.pk])
    body = {"action": "entry", "kind": "update", "text": "Paused.", "author": outsider.pk}
    response = client.post(url, {**body, "created_at": "2000-01-01T00:00:00Z"})
    assert response.status_code == 302
    entry = IncidentEntry.objects.get()
    assert entry.author == marketer and entry.created_at.year > 2000
    # Closing is the chair's: a marketer's close changes nothing.
    response = client.post(url, {"action": "close", "resolution": "Done."})
    assert response.status_code == 400
    incident.refresh_from_db()
    assert incident.status == "open"
    response = client.post(url, {"action": "lift"})
    assert response.status_code == 400
    assert not AuditEvent.objects.filter(kind="suspension_lifted").exists()


def test_the_chair_lifts_and_closes_from_the_page(client, approved_campaign, marketer, chair):
    incident = services.incident_open(actor=marketer, campaign=approved_campaign, **VALID)
    client.force_login(chair)
    url = reverse("incident_detail", args=[approved_campaign.pk, incident.pk])
    page = client.get(url).content.decode()
    assert 'data-testid="lift-form"' in page and 'data-testid="suspending"' in page
    assert client.post(url, {"action": "lift"}).status_code == 302
    assert client.post(url, {"action": "close", "resolution": ""}).status_code == 400
    assert client.post(url, {"action": "close", "resolution": "Fixed."}).status_code == 302
    html = client.get(url).content.decode()
    assert 'data-testid="resolution"' in html and "Fixed." in html


@pytest.mark.parametrize(
    "data",
    [
        {**VALID, "what_happened": "a\x00b"},
        {**VALID, "what_happened": "x" * 5000},
        {**VALID, "harm_type": "nope"},
        {**VALID, "people_affected": "99999999999999999999"},
        {**VALID, "people_affected": "-3"},
        {**VALID, "what_happened": "\u202e"},
        {},
    ],
)
def test_hostile_input_gets_a_form_error(client, approved_campaign, marketer, data):
    client.force_login(marketer)
    response = client.post(listing(approved_campaign), data)
    assert response.status_code == 400
    assert not Incident.objects.exists()


def test_breach_deadline_and_arabic(client, approved_campaign, marketer):
    incident = services.incident_open(
        actor=marketer, campaign=approved_campaign, personal_data_breach=True, **VALID
    )
    client.force_login(marketer)
    url = reverse("incident_detail", args=[approved_campaign.pk, incident.pk])
    html = client.get(url).content.decode()
    assert 'data-testid="breach-deadline"' in html and "Art. 33(1)" in html
    deadline = incident.notification_deadline
    assert deadline.strftime("%Y-%m-%dT%H:%M") in html
    with translation.override("ar"):
        html = client.get(url, HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert 'dir="rtl"' in html and "حادثة" in html


def test_incidents_are_in_the_report(client, approved_campaign, marketer, chair):
    incident = services.incident_open(
        actor=marketer, campaign=approved_campaign, personal_data_breach=True, **VALID
    )
    client.force_login(chair)
    html = client.get(reverse("campaign_report", args=[approved_campaign.pk])).content.decode()
    assert 'data-testid="report-incidents"' in html
    assert f"Incident {incident.pk}" in html and "Ads reached minors." in html
    assert incident.notification_deadline.strftime("%Y-%m-%d %H:%M") in html


def test_the_dashboard_counts_incidents(client, approved_campaign, marketer, chair, manager):
    from datetime import UTC, datetime, timedelta

    import time_machine

    opened = datetime(2027, 1, 10, 9, tzinfo=UTC)
    with time_machine.travel(opened, tick=False):
        first = services.incident_open(actor=marketer, campaign=approved_campaign, **VALID)
        services.incident_open(
            actor=marketer,
            campaign=approved_campaign,
            what_happened="Misleading claim.",
            harm_type="deception",
            severity="minor",
        )
    with time_machine.travel(opened + timedelta(days=3), tick=False):
        services.incident_close(actor=chair, incident=first, resolution="Fixed.")
    client.force_login(manager)
    html = client.get(reverse("dashboard")).content.decode()
    assert 'data-testid="dashboard-incidents"' in html
    assert "1 open (0 suspending a clearance), 1 closed." in html
    assert "Median time to close: 3.0 days." in html
    assert (
        '<tr data-harm="safety"><th scope="row">Safety</th>'
        '<td class="ltr-value">0</td><td class="ltr-value">1</td></tr>' in html
    )


def test_notification_texts_in_both_languages(client, approved_campaign, marketer, chair):
    from datetime import UTC, datetime, timedelta

    import time_machine

    opened = datetime(2027, 1, 10, 9, tzinfo=UTC)
    with time_machine.travel(opened, tick=False):
        services.monitoring_report_file(
            actor=marketer, campaign=approved_campaign, figures="A,100,50\nB,100,30"
        )
        services.incident_open(
            actor=marketer, campaign=approved_campaign, personal_data_breach=True, **VALID
        )
    with time_machine.travel(opened + timedelta(hours=50), tick=False):
        services.breach_deadlines_remind()
    client.force_login(chair)
    html = client.get(reverse("notifications")).content.decode()
    assert "a monitoring report breached the board’s thresholds" in html
    assert "An incident was opened on" in html and "It suspends the campaign’s clearance." in html
    assert "must be notified to the supervisory authority by 2027-01-13T09:00 UTC" in html
    with translation.override("ar"):
        html = client.get(reverse("notifications"), HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert "تجاوز تقرير متابعة حدود المجلس" in html
    assert "فُتحت حادثة" in html


def test_the_chair_opens_an_incident_from_feedback_on_the_page(
    client, approved_campaign, marketer, chair, reviewer, campaign
):
    feedback = services.feedback_add(
        actor=marketer,
        campaign=approved_campaign,
        category="privacy",
        severity="serious",
        text="My data was used.",
    )
    client.force_login(chair)
    detail = client.get(reverse("campaign_detail", args=[approved_campaign.pk])).content.decode()
    assert f"/incidents/?feedback={feedback.pk}" in detail
    page = client.get(listing(approved_campaign) + f"?feedback={feedback.pk}").content.decode()
    assert f'name="feedback" value="{feedback.pk}"' in page
    # Not the chair, or feedback of another campaign: refused.
    client.force_login(reviewer)
    assert (
        client.post(listing(approved_campaign), {**VALID, "feedback": feedback.pk}).status_code
        == 400
    )
    client.force_login(chair)
    assert client.post(listing(approved_campaign), {**VALID, "feedback": 99999}).status_code == 400
    assert not Incident.objects.exists()
    response = client.post(listing(approved_campaign), {**VALID, "feedback": feedback.pk})
    assert response.status_code == 302
    event = AuditEvent.objects.get(kind="incident_opened")
    assert event.payload["feedback"] == feedback.pk
    client.force_login(marketer)
    detail = client.get(reverse("campaign_detail", args=[approved_campaign.pk])).content.decode()
    assert "incident-from-feedback" not in detail
