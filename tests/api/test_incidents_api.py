"""Incidents in the API: listing and opening them, an incident with its timeline, updates
and corrective actions, through the page's forms and services; refusals change nothing."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from assessments import selectors, services
from assessments.models import AuditEvent, Incident, IncidentEntry

pytestmark = pytest.mark.django_db

OPEN = {"what_happened": "Ads shown to minors.", "harm_type": "safety", "severity": "serious"}


def incidents_url(campaign) -> str:
    return reverse("api_incidents", args=[campaign.pk])


def incident_url(incident) -> str:
    return reverse("api_incident", args=[incident.pk])


def entries_url(incident) -> str:
    return reverse("api_incident_entries", args=[incident.pk])


@pytest.fixture
def incident(approved_campaign, marketer):
    return services.incident_open(actor=marketer, campaign=approved_campaign, **OPEN)


def test_anyone_who_sees_the_campaign_opens_an_incident(
    reference_time, approved_campaign, reviewer, token_for
):
    with time_machine.travel(datetime(2026, 6, 15, 10, tzinfo=UTC), tick=False):
        response = token_for(reviewer).post(
            incidents_url(approved_campaign),
            {
                "what_happened": "Leaked e-mail addresses.",
                "harm_type": "privacy",
                "severity": "severe",
                "people_affected": 1200,
                "regulator_involved": True,
                "personal_data_breach": True,
            },
            format="json",
        )
    assert response.status_code == 201, response.json()
    body = response.json()
    incident = Incident.objects.get()
    assert body["id"] == incident.pk and body["opened_by"] == reviewer.display_name
    assert body["suspends_clearance"] is True and body["suspending"] is True
    assert body["people_affected"] == 1200 and body["regulator_involved"] is True
    assert body["platform_involved"] is False and body["entries"] == []
    assert body["notification_deadline"] == "2026-06-18T10:00:00Z"  # 72 hours on
    # The launch gate answers false, as after the page's form.
    clearance = token_for(reviewer).get(reverse("api_clearance", args=[approved_campaign.pk]))
    assert clearance.json()["cleared"] is False


def test_the_list_and_the_detail_with_its_timeline(
    approved_campaign, incident, marketer, reviewer, token_for
):
    services.incident_add_entry(actor=marketer, incident=incident, kind="update", text="Paused.")
    client = token_for(reviewer)
    page = client.get(incidents_url(approved_campaign)).json()
    assert page["next"] is None
    [listed] = page["results"]
    assert listed["id"] == incident.pk and listed["severity"] == "serious"
    assert "entries" not in listed
    detail = client.get(incident_url(incident)).json()
    assert detail["what_happened"] == "Ads shown to minors." and detail["status"] == "open"
    [entry] = detail["entries"]
    assert entry["kind"] == "update" and entry["text"] == "Paused." and entry["owner"] is None
    assert entry["author"] == marketer.display_name


def test_a_corrective_action_with_owner_and_due_date(incident, marketer, reviewer, token_for):
    response = token_for(marketer).post(
        entries_url(incident),
        {
            "kind": "action",
            "text": "Exclude under-18s.",
            "owner": reviewer.pk,
            "due_on": "2027-02-01",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["owner"] == {"id": reviewer.pk, "display_name": reviewer.display_name}
    assert body["due_on"] == "2027-02-01"
    entry = IncidentEntry.objects.get()
    assert entry.owner == reviewer and entry.author == marketer
    assert AuditEvent.objects.filter(kind="incident_updated").count() == 1


OPEN_ERRORS = {
    "no text": ({**OPEN, "what_happened": ""}, "what_happened"),
    "only a bidi override": ({**OPEN, "what_happened": "\u202e"}, "what_happened"),
    "a NUL": ({**OPEN, "what_happened": "a\x00b"}, "what_happened"),
    "10k characters": ({**OPEN, "what_happened": "x" * 10_000}, "what_happened"),
    "unknown harm": ({**OPEN, "harm_type": "bad"}, "harm_type"),
    "no severity": ({k: v for k, v in OPEN.items() if k != "severity"}, "severity"),
    "negative people": ({**OPEN, "people_affected": -1}, "people_affected"),
    "huge people": ({**OPEN, "people_affected": 10**30}, "people_affected"),
    "text for people": ({**OPEN, "people_affected": "many"}, "people_affected"),
    "a list for a flag": ({**OPEN, "personal_data_breach": ["yes"]}, "personal_data_breach"),
    "feedback of no one": ({**OPEN, "feedback": 999_999}, "feedback"),
    "feedback overflowing": ({**OPEN, "feedback": 10**20}, "feedback"),
}


@pytest.mark.parametrize("case", OPEN_ERRORS)
def test_bad_incidents_are_refused_with_the_field(approved_campaign, marketer, token_for, case):
    body, field = OPEN_ERRORS[case]
    response = token_for(marketer).post(incidents_url(approved_campaign), body, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()["fields"]
    assert not Incident.objects.exists()


def test_only_the_chair_opens_from_feedback(approved_campaign, marketer, chair, token_for):
    feedback = services.feedback_add(
        actor=marketer, campaign=approved_campaign, category="privacy", severity="info", text="x"
    )
    response = token_for(marketer).post(
        incidents_url(approved_campaign), {**OPEN, "feedback": feedback.pk}, format="json"
    )
    assert response.status_code == 400 and not Incident.objects.exists()
    response = token_for(chair).post(
        incidents_url(approved_campaign), {**OPEN, "feedback": feedback.pk}, format="json"
    )
    assert response.status_code == 201
    assert AuditEvent.objects.get(kind="incident_opened").payload["feedback"] == feedback.pk


ENTRY_ERRORS = {
    "unknown kind": ({"kind": "close", "text": "x"}, "kind"),
    "no text": ({"kind": "update", "text": ""}, "text"),
    "10k characters": ({"kind": "update", "text": "x" * 10_000}, "text"),
    "action without owner": ({"kind": "action", "text": "x", "due_on": "2027-01-01"}, "owner"),
    "action without date": ({"kind": "action", "text": "x", "owner": "REVIEWER"}, "owner"),
    "owner who cannot see": ({"kind": "action", "text": "x", "owner": "OUTSIDER"}, "owner"),
    "owner of no one": ({"kind": "action", "text": "x", "owner": 999_999}, "owner"),
    "not a date": (
        {"kind": "action", "text": "x", "owner": "REVIEWER", "due_on": "soon"},
        "due_on",
    ),
    "year 99999": ({"kind": "update", "text": "x", "due_on": "99999-01-01"}, "due_on"),
}


@pytest.mark.parametrize("case", ENTRY_ERRORS)
def test_bad_entries_are_refused_with_the_field(
    incident, marketer, reviewer, outsider, token_for, case
):
    body, field = ENTRY_ERRORS[case]
    ids = {"REVIEWER": reviewer.pk, "OUTSIDER": outsider.pk}
    body = {key: ids.get(value, value) for key, value in body.items()}
    response = token_for(marketer).post(entries_url(incident), body, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()["fields"]
    assert not IncidentEntry.objects.exists()


def test_a_closed_incident_takes_no_entries(incident, marketer, chair, token_for):
    services.incident_close(actor=chair, incident=incident, resolution="Fixed.")
    response = token_for(marketer).post(
        entries_url(incident), {"kind": "update", "text": "More."}, format="json"
    )
    assert response.status_code == 400 and "closed" in response.json()["detail"]
    assert not IncidentEntry.objects.exists()


def test_another_teams_marketer_gets_404_everywhere(
    approved_campaign, incident, outsider, token_for
):
    client = token_for(outsider)
    assert client.get(incidents_url(approved_campaign)).status_code == 404
    assert client.post(incidents_url(approved_campaign), OPEN, format="json").status_code == 404
    assert client.get(incident_url(incident)).status_code == 404
    response = client.post(entries_url(incident), {"kind": "update", "text": "x"}, format="json")
    assert response.status_code == 404 and response.json()["error"] == "not_found"
    assert Incident.objects.count() == 1 and not IncidentEntry.objects.exists()


def test_a_deactivated_user_is_refused(approved_campaign, incident, marketer, token_for):
    client = token_for(marketer)
    marketer.is_active = False
    marketer.save(update_fields=["is_active"])
    assert client.get(incident_url(incident)).status_code == 401
    assert client.post(incidents_url(approved_campaign), OPEN, format="json").status_code == 401
    response = client.post(entries_url(incident), {"kind": "update", "text": "x"}, format="json")
    assert response.status_code == 401 and not IncidentEntry.objects.exists()


def test_status_suspension_and_authors_cannot_be_set(approved_campaign, marketer, chair, token_for):
    response = token_for(marketer).post(
        incidents_url(approved_campaign),
        {
            **OPEN,
            "status": "closed",
            "suspends_clearance": True,
            "opened_by": chair.pk,
            "closed_by": chair.pk,
            "resolution": "Nothing.",
            "opened_at": "2000-01-01T00:00:00Z",
            "campaign": 999,
        },
        format="json",
    )
    assert response.status_code == 201
    incident = Incident.objects.get()
    assert incident.status == "open" and not incident.suspends_clearance
    assert incident.opened_by == marketer and incident.closed_by is None
    assert incident.resolution == "" and incident.campaign == approved_campaign
    response = token_for(marketer).post(
        entries_url(incident),
        {"kind": "update", "text": "x", "author": chair.pk, "incident": 999, "created_at": "2000"},
        format="json",
    )
    assert response.status_code == 201
    assert IncidentEntry.objects.get().author == marketer


def test_closing_and_lifting_are_not_in_the_api(incident, chair, token_for):
    client = token_for(chair)
    for body in ({"action": "close", "resolution": "Done."}, {"action": "lift"}):
        response = client.post(incident_url(incident), body, format="json")
        assert response.status_code == 405
    incident.refresh_from_db()
    assert incident.status == "open"


def test_arabic_errors(approved_campaign, marketer, token_for):
    marketer.language = "ar"
    marketer.save(update_fields=["language"])
    response = token_for(marketer).post(
        incidents_url(approved_campaign),
        {**OPEN, "feedback": 999_999},
        format="json",
        HTTP_ACCEPT_LANGUAGE="ar",
    )
    assert response.status_code == 400
    assert response.json()["fields"]["feedback"] == ["هذه الملاحظة ليست على هذه الحملة."]


@pytest.mark.parametrize("count", [1, 5])
def test_reads_cost_the_same_whatever_the_incidents_and_entries(
    approved_campaign, marketer, reviewer, token_for, django_assert_num_queries, count
):
    for i in range(count):
        incident = services.incident_open(actor=marketer, campaign=approved_campaign, **OPEN)
        for j in range(i + 1):
            services.incident_add_entry(
                actor=marketer,
                incident=incident,
                kind="action",
                text=f"Step {j}",
                owner=reviewer,
                due_on=approved_campaign.flight_end,
            )
    client = token_for(reviewer)
    client.get(incidents_url(approved_campaign))  # the token's last use, once a minute
    # The token, the user's roles, the campaign, the incidents with their people.
    with django_assert_num_queries(4):
        assert len(client.get(incidents_url(approved_campaign)).json()["results"]) == count
    # The token, the user's roles, the incident with its people, its entries with theirs.
    with django_assert_num_queries(4):
        assert len(client.get(incident_url(incident)).json()["entries"]) == count
    assert selectors.incident_for(reviewer, incident.pk) == incident


def test_the_list_comes_in_pages_newest_first(
    approved_campaign, marketer, reviewer, token_for, monkeypatch
):
    monkeypatch.setattr("assessments.api.incidents.INCIDENTS_PAGE", 2)
    opened = [
        services.incident_open(actor=marketer, campaign=approved_campaign, **OPEN).pk
        for _ in range(3)
    ]
    client = token_for(reviewer)
    first = client.get(incidents_url(approved_campaign)).json()
    assert [i["id"] for i in first["results"]] == opened[:0:-1]
    second = client.get(first["next"]).json()
    assert [i["id"] for i in second["results"]] == opened[:1] and second["next"] is None


@pytest.mark.parametrize("cursor", ["x", "-1", "1.5", "\x00", "9" * 19, "%EF%BC%91"])
def test_a_malformed_cursor_is_a_clear_400(approved_campaign, reviewer, token_for, cursor):
    response = token_for(reviewer).get(f"{incidents_url(approved_campaign)}?before={cursor}")
    assert response.status_code == 400 and "before" in response.json()["fields"]


def test_the_largest_cursor_reads_from_the_newest(approved_campaign, incident, reviewer, token_for):
    url = f"{incidents_url(approved_campaign)}?before={10**18 - 1}"
    assert [i["id"] for i in token_for(reviewer).get(url).json()["results"]] == [incident.pk]
