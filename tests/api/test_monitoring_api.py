"""Monitoring reports in the API: the plan and the reports with their analysis, filing one
through the page's service and checks, and what is refused (changing nothing)."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from assessments import services
from assessments.models import AuditEvent, MonitoringReport, MonitoringRule

pytestmark = pytest.mark.django_db

FAIR = [
    {"segment": "A", "reached": 100, "positive": 50},
    {"segment": "B", "reached": 100, "positive": 48},
]
BREACHING = [
    {"segment": "A", "reached": 100, "positive": 50},
    {"segment": "B", "reached": 100, "positive": 30},
]


def url(campaign) -> str:
    return reverse("api_monitoring", args=[campaign.pk])


@pytest.fixture
def live(reference_time, approved_campaign):
    """Approved, tier I set to report every 14 days (flight 2027-01-01 … 2027-03-01: due
    15 Jan, 29 Jan, 12 Feb, 26 Feb)."""
    MonitoringRule.objects.filter(tier=approved_campaign.tier).update(
        cadence="every", every_days=14
    )
    return approved_campaign


def test_the_plan_and_the_reports_with_their_analysis(live, marketer, reviewer, token_for):
    with time_machine.travel(datetime(2027, 1, 16, 9, tzinfo=UTC), tick=False):
        services.monitoring_report_file(
            actor=marketer, campaign=live, figures="A,100,50\nB,100,30", observations="Dip."
        )
    with time_machine.travel(datetime(2027, 2, 2, 9, tzinfo=UTC), tick=False):
        response = token_for(reviewer).get(url(live))
    assert response.status_code == 200
    body = response.json()
    assert body["plan"] == {
        "cadence": "every",
        "every_days": 14,
        "dues": ["2027-01-15", "2027-01-29", "2027-02-12", "2027-02-26"],
        "filed": 1,
        "next_due": "2027-01-29",
        "overdue_days": 4,
        "source": "rule",
    }
    [report] = body["reports"]
    assert body["next"] is None
    assert report["due_on"] == "2027-01-15" and report["observations"] == "Dip."
    assert report["author"] == marketer.display_name
    assert report["breach"] is True and report["worst_ratio"] == pytest.approx(0.6)
    assert report["min_ratio"] == 0.8 and report["alpha"] == 0.05
    best, worse = report["rows"]
    assert best == {
        "segment": "A",
        "reached": 100,
        "positive": 50,
        "rate": 0.5,
        "ratio_to_best": 1.0,
        "p_value": None,
        "test": "",
        "best": True,
        "adverse": False,
    }
    assert worse["rate"] == 0.3 and worse["ratio_to_best"] == pytest.approx(0.6)
    assert worse["test"] == "chi2" and worse["p_value"] < 0.05 and worse["adverse"] is True


def test_the_team_files_a_report(live, marketer, token_for):
    response = token_for(marketer).post(
        url(live), {"rows": BREACHING, "observations": "Fewer offers to B."}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    report = MonitoringReport.objects.get()
    assert body["id"] == report.pk and body["breach"] is True and report.breach
    assert [r["segment"] for r in body["rows"]] == ["A", "B"]
    assert report.observations == "Fewer offers to B." and report.author == marketer
    live.refresh_from_db()
    assert live.rereview_flagged_at is not None  # the chair is told, as from the page
    assert AuditEvent.objects.filter(kind="monitoring_reported").count() == 1


def test_segment_names_with_commas_and_arabic_are_kept(live, marketer, token_for):
    rows = [
        {"segment": "Women, 18-24", "reached": 10, "positive": 5},
        {"segment": "نساء", "reached": 10, "positive": 4},
    ]
    response = token_for(marketer).post(url(live), {"rows": rows}, format="json")
    assert response.status_code == 201
    assert [r.segment for r in MonitoringReport.objects.get().rows.all()] == [
        "Women, 18-24",
        "نساء",
    ]


ROWS_OF = {
    "one segment": [FAIR[0]],
    "51 segments": [{"segment": f"S{i}", "reached": 10, "positive": 1} for i in range(51)],
    "not a list": {"segment": "A", "reached": 1, "positive": 1},
    "a string": "A,10,5\nB,10,4",
    "positive above reached": [FAIR[0], {"segment": "B", "reached": 10, "positive": 11}],
    "nobody reached": [FAIR[0], {"segment": "B", "reached": 0, "positive": 0}],
    "same segment twice": [FAIR[0], {"segment": "a", "reached": 10, "positive": 1}],
    "negative": [FAIR[0], {"segment": "B", "reached": -1, "positive": 0}],
    "huge": [FAIR[0], {"segment": "B", "reached": 10**30, "positive": 0}],
    "over a billion": [FAIR[0], {"segment": "B", "reached": 1_000_000_001, "positive": 0}],
    "a fraction": [FAIR[0], {"segment": "B", "reached": 10.5, "positive": 1}],
    "a boolean": [FAIR[0], {"segment": "B", "reached": True, "positive": 1}],
    "text for a number": [FAIR[0], {"segment": "B", "reached": "many", "positive": 1}],
    "a NUL in a name": [FAIR[0], {"segment": "B\x00", "reached": 10, "positive": 1}],
    "a bidi override": [FAIR[0], {"segment": "\u202eB", "reached": 10, "positive": 1}],
    "an empty name": [FAIR[0], {"segment": "", "reached": 10, "positive": 1}],
    "a long name": [FAIR[0], {"segment": "B" * 101, "reached": 10, "positive": 1}],
    "a missing count": [FAIR[0], {"segment": "B", "reached": 10}],
    "a row not an object": [FAIR[0], ["B", 10, 1]],
}


@pytest.mark.parametrize("case", ROWS_OF)
def test_bad_rows_are_refused_with_the_field_and_change_nothing(live, marketer, token_for, case):
    response = token_for(marketer).post(url(live), {"rows": ROWS_OF[case]}, format="json")
    assert response.status_code == 400, response.json()
    body = response.json()
    assert body["error"] == "invalid" and "rows" in body["fields"]
    assert not MonitoringReport.objects.exists()
    assert not AuditEvent.objects.filter(kind="monitoring_reported").exists()


@pytest.mark.parametrize(
    ("observations", "field"),
    [
        ("x" * 10_000, "observations"),
        ("bad \x00 text", "observations"),
        (["a list"], "observations"),
    ],
)
def test_bad_observations_are_refused(live, marketer, token_for, observations, field):
    response = token_for(marketer).post(
        url(live), {"rows": FAIR, "observations": observations}, format="json"
    )
    assert response.status_code == 400 and field in response.json()["fields"]
    assert not MonitoringReport.objects.exists()


@pytest.mark.parametrize(
    "body", [b"{", b"[1, 2]", b'"rows"', b"", b"\xff\xfe", b'{"rows": ' * 2000]
)
def test_malformed_json_is_a_clear_400(live, marketer, token_for, body):
    response = token_for(marketer).generic("POST", url(live), body, content_type="application/json")
    assert response.status_code == 400 and response["Content-Type"] == "application/json"
    assert response.json()["error"] in ("invalid", "parse_error")
    assert not MonitoringReport.objects.exists()


def test_the_rows_are_required(live, marketer, token_for):
    response = token_for(marketer).post(url(live), {"observations": "x"}, format="json")
    assert response.status_code == 400 and "rows" in response.json()["fields"]


@pytest.mark.parametrize("who", ["reviewer", "chair", "manager", "admin_user"])
def test_only_the_team_files_reports_as_on_the_page(request, live, token_for, who):
    client = token_for(request.getfixturevalue(who))
    assert client.get(url(live)).status_code == 200  # they may read it
    response = client.post(url(live), {"rows": FAIR}, format="json")
    assert response.status_code == 403 and response.json()["error"] == "permission_denied"
    assert not MonitoringReport.objects.exists()


def test_another_teams_marketer_gets_404(live, outsider, token_for):
    client = token_for(outsider)
    assert client.get(url(live)).status_code == 404
    assert client.post(url(live), {"rows": FAIR}, format="json").status_code == 404
    assert not MonitoringReport.objects.exists()


def test_a_deactivated_marketer_is_refused(live, marketer, token_for):
    client = token_for(marketer)
    marketer.is_active = False
    marketer.save(update_fields=["is_active"])
    assert client.get(url(live)).status_code == 401
    assert client.post(url(live), {"rows": FAIR}, format="json").status_code == 401
    assert not MonitoringReport.objects.exists()


def test_a_draft_takes_no_reports(complete_campaign, marketer, token_for):
    client = token_for(marketer)
    response = client.post(url(complete_campaign), {"rows": FAIR}, format="json")
    assert response.status_code == 409 and "approved campaigns" in response.json()["detail"]
    body = client.get(url(complete_campaign)).json()
    assert body["plan"]["dues"] == [] and body["reports"] == []


def test_author_breach_and_figures_cannot_be_set(live, marketer, chair, token_for):
    response = token_for(marketer).post(
        url(live),
        {
            "rows": FAIR,
            "author": chair.pk,
            "breach": True,
            "worst_ratio": 0.1,
            "min_ratio": 0.99,
            "alpha": 0.9,
            "filed_at": "2000-01-01T00:00:00Z",
            "due_on": "2000-01-01",
            "campaign": 1,
            "id": 999,
        },
        format="json",
    )
    assert response.status_code == 201
    report = MonitoringReport.objects.get()
    assert report.author == marketer and not report.breach and report.pk != 999
    assert report.min_ratio == 0.8 and report.alpha == 0.05
    assert report.worst_ratio == pytest.approx(0.96) and report.filed_at.year == 2026


def test_the_arabic_error(live, marketer, token_for):
    marketer.language = "ar"
    marketer.save(update_fields=["language"])
    rows = [FAIR[0], {"segment": "B", "reached": 10, "positive": 11}]
    response = token_for(marketer).post(
        url(live), {"rows": rows}, format="json", HTTP_ACCEPT_LANGUAGE="ar"
    )
    assert response.status_code == 400
    assert "السطر" in response.json()["fields"]["rows"][0]


@pytest.mark.parametrize("reports", [1, 6])
def test_the_read_costs_the_same_whatever_the_reports_and_rows(
    live, marketer, reviewer, token_for, django_assert_num_queries, reports
):
    for i in range(reports):
        rows = "\n".join(f"S{j},100,{40 + j}" for j in range(2 + i))
        services.monitoring_report_file(actor=marketer, campaign=live, figures=rows)
    client = token_for(reviewer)
    client.get(url(live))  # the token's last use is written once a minute
    # The token, the user's roles, the campaign, the reports with their authors, their
    # rows, the tier's rule, the number of reports filed.
    with django_assert_num_queries(7):
        body = client.get(url(live)).json()
    assert len(body["reports"]) == reports


def test_the_reports_come_in_pages_newest_first(live, marketer, reviewer, token_for, monkeypatch):
    monkeypatch.setattr("assessments.api.monitoring.REPORTS_PAGE", 2)
    filed = [
        services.monitoring_report_file(actor=marketer, campaign=live, figures="A,10,5\nB,10,4").pk
        for _ in range(3)
    ]
    client = token_for(reviewer)
    first = client.get(url(live)).json()
    assert [r["id"] for r in first["reports"]] == filed[:0:-1]
    assert first["plan"]["filed"] == 3  # all of them, not the page's
    second = client.get(first["next"]).json()
    assert [r["id"] for r in second["reports"]] == filed[:1] and second["next"] is None


@pytest.mark.parametrize("cursor", ["x", "-1", "9" * 19, "%00"])
def test_a_malformed_cursor_is_a_clear_400(live, reviewer, token_for, cursor):
    response = token_for(reviewer).get(f"{url(live)}?before={cursor}")
    assert response.status_code == 400 and "before" in response.json()["fields"]


def test_the_cursor_error_in_arabic(live, reviewer, token_for):
    reviewer.language = "ar"
    reviewer.save(update_fields=["language"])
    response = token_for(reviewer).get(f"{url(live)}?before=x", HTTP_ACCEPT_LANGUAGE="ar")
    assert response.json()["fields"]["before"] == ["أدخِل المعرّف الوارد في الرابط «next»."]
