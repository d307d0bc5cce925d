"""The monitoring pages: who sees and files what, the table and chart, hostile uploads,
Arabic."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from assessments import services
from assessments.models import AuditEvent, MonitoringReport, MonitoringRule

pytestmark = pytest.mark.django_db

BREACHING = "A,100,50\nB,100,30"
PROTECTED = {
    "author": "1",
    "breach": "off",
    "min_ratio": "0.1",
    "alpha": "1",
    "worst_ratio": "1",
    "campaign": "999",
    "filed_at": "2000-01-01T00:00:00Z",
    "due_on": "2000-01-01",
    "rereview_flagged_at": "2000-01-01T00:00:00Z",
}


@pytest.fixture
def live(reference_time, approved_campaign):
    MonitoringRule.objects.filter(tier=approved_campaign.tier).update(
        cadence="every", every_days=14
    )
    return approved_campaign


def page(campaign):
    return reverse("monitoring_page", args=[campaign.pk])


@pytest.mark.parametrize(
    "who, status, sees_form",
    [
        ("marketer", 200, True),
        ("reviewer", 200, False),
        ("chair", 200, False),
        ("manager", 200, False),
        ("admin_user", 200, False),
        ("outsider", 404, False),
    ],
)
def test_who_sees_the_page_and_the_form(client, request, live, who, status, sees_form):
    client.force_login(request.getfixturevalue(who))
    response = client.get(page(live))
    assert response.status_code == status
    if status == 200:
        assert (b'data-testid="monitoring-form"' in response.content) is sees_form
        assert b'data-testid="plan"' in response.content


@pytest.mark.parametrize("who", ["reviewer", "chair", "manager", "admin_user"])
def test_only_the_team_files(client, request, live, who):
    client.force_login(request.getfixturevalue(who))
    response = client.post(page(live), {"figures": BREACHING})
    assert response.status_code == 403
    assert not MonitoringReport.objects.exists()


def test_outsider_and_deactivated_and_anonymous_file_nothing(client, live, marketer, outsider):
    client.force_login(outsider)
    assert client.post(page(live), {"figures": BREACHING}).status_code == 404
    client.logout()
    assert client.post(page(live), {"figures": BREACHING}).status_code == 302  # to sign in
    marketer.is_active = False
    marketer.save()
    client.force_login(marketer)
    assert client.post(page(live), {"figures": BREACHING}).status_code in (302, 403, 404)
    assert not MonitoringReport.objects.exists()


def test_filing_shows_the_table_and_chart_and_flags(client, live, marketer, chair):
    client.force_login(marketer)
    response = client.post(page(live), {"figures": BREACHING, "observations": "Look at B."})
    report = MonitoringReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("monitoring_report", args=[live.pk, report.pk])
    response = client.get(response["Location"])
    html = response.content.decode()
    assert 'data-testid="breach"' in html
    assert 'data-segment="B" class="table-danger"' not in html  # class comes first
    assert '<tr class="table-danger" data-segment="B">' in html
    assert "0.60" in html and "0.00389" in html
    assert "<svg" in html and 'data-testid="monitoring-chart"' in html
    assert "Look at B." in html
    client.force_login(chair)
    html = client.get(page(live)).content.decode()
    assert 'data-testid="flagged"' in html


def test_csv_upload(client, live, marketer):
    client.force_login(marketer)
    upload = SimpleUploadedFile("r.csv", "\ufeffsegment,reached,positive\nA,10,5\nB,10,5".encode())
    response = client.post(page(live), {"csv_file": upload})
    assert response.status_code == 302
    assert MonitoringReport.objects.get().breach is False


@pytest.mark.parametrize(
    "data",
    [
        {"figures": "A,10,5\nB\u202e,10,5"},
        {"figures": "A,10,5\nB,99999999999999999999999,5"},
        {"figures": "A,10,5\nB,10,50"},
        {"figures": "x" * 30000},
        {"figures": "A,10,5\nB,10,5", "observations": "o" * 5000},
        {"csv_file": SimpleUploadedFile("r.csv", b"\xff\xfe\x00A")},
        {"csv_file": SimpleUploadedFile("r.csv", b"A,1,1\nB,1,1"), "figures": "A,1,1\nB,1,1"},
        {},
    ],
)
def test_hostile_input_gets_a_form_error(client, live, marketer, data):
    client.force_login(marketer)
    response = client.post(page(live), data)
    assert response.status_code == 400
    assert b"invalid-feedback" in response.content or b"alert" in response.content
    assert not MonitoringReport.objects.exists()


def test_filing_ignores_protected_fields(client, live, marketer):
    client.force_login(marketer)
    response = client.post(page(live), {"figures": BREACHING, **PROTECTED})
    assert response.status_code == 302
    report = MonitoringReport.objects.get()
    assert report.author == marketer and report.campaign == live
    assert report.breach is True and report.min_ratio == 0.8 and report.alpha == 0.05
    assert report.due_on is None or report.due_on.year >= 2027
    assert AuditEvent.objects.filter(kind="monitoring_reported").count() == 1


def test_a_report_of_another_campaign_is_404(client, live, marketer, campaign):
    report = services.monitoring_report_file(actor=marketer, campaign=live, figures=BREACHING)
    client.force_login(marketer)
    url = reverse("monitoring_report", args=[live.pk, report.pk])
    assert client.get(url).status_code == 200


def test_arabic_pages(client, live, marketer):
    report = services.monitoring_report_file(
        actor=marketer, campaign=live, figures="نساء,100,30\nرجال,100,50"
    )
    marketer.language = "ar"
    marketer.save()
    client.force_login(marketer)
    with translation.override("ar"):
        response = client.get(
            reverse("monitoring_report", args=[live.pk, report.pk]), HTTP_ACCEPT_LANGUAGE="ar"
        )
        html = response.content.decode()
        assert 'dir="rtl"' in html
        assert "نساء" in html
        assert "تقرير المتابعة" in html
        page_html = client.get(page(live), HTTP_ACCEPT_LANGUAGE="ar").content.decode()
        assert "خطة التقارير" in page_html
