"""The monitoring summary in the campaign report and its PDF: the plan (cadence and where it
comes from, next due, overdue) and each report filed with its figures, in both languages,
in a number of queries that does not grow with the reports."""

import math
import re
from datetime import UTC, datetime
from html import unescape

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from assessments import services
from tests.browser.test_arabic_pages import ALLOWED, LATIN_WORD
from tests.monitoring.cadence import conditioned, in_review  # noqa: F401 (fixtures)
from tests.reports.pdf import pdf_text
from tests.reports.test_campaign_report import REPORT_QUERIES

pytestmark = pytest.mark.django_db

FAIR = "segment,reached,positive\nWomen,100,48\nMen,100,50\n"
BREACHING = "Women,100,30\nMen,100,50\n"
FILED = (datetime(2027, 1, 16, 10, tzinfo=UTC), datetime(2027, 1, 30, 10, tzinfo=UTC))
READ_AT = datetime(2027, 2, 20, 10, tzinfo=UTC)  # the 12 Feb report is 8 days late


def chi2_p(a: int, n1: int, c: int, n2: int) -> str:
    """Pearson's chi-square test on a 2×2 table, by hand (one degree of freedom), as the
    report prints it."""
    b, d = n1 - a, n2 - c
    n = n1 + n2
    chi2 = n * (a * d - b * c) ** 2 / (n1 * n2 * (a + c) * (b + d))
    return f"{math.erfc(math.sqrt(chi2 / 2)):.3g}"


@pytest.fixture
def reported(conditioned, marketer):
    """Tier II approved with a 14-day condition, with two reports: a fair one, then one
    that breaches (Women at 0.60 of Men's rate, significant)."""
    for moment, figures, notes in zip(
        FILED, (FAIR, BREACHING), ("Steady delivery.", "Women see fewer offers."), strict=True
    ):
        with time_machine.travel(moment, tick=False):
            services.monitoring_report_file(
                actor=marketer, campaign=conditioned, figures=figures, observations=notes
            )
    return conditioned


def get(client, name, campaign, language="en", *, user):
    """The page read on READ_AT (signed in then: sessions have an absolute timeout)."""
    with translation.override(language), time_machine.travel(READ_AT, tick=False):
        client.force_login(user)
        return client.get(reverse(name, args=[campaign.pk]), HTTP_ACCEPT_LANGUAGE=language)


def test_the_report_shows_the_plan_and_both_reports(client, reported, marketer):
    html = get(client, "campaign_report", reported, user=marketer).text
    section = html[html.index('data-testid="report-monitoring"') :]
    section = section[: section.index('data-testid="report-incidents"')]
    # The plan: the condition's cadence, two of four filed, the next one 8 days late.
    assert "A report every" in section and "set by a condition of the approval" in section
    assert 'data-source="condition"' in section
    assert "2 of 4 reports filed" in re.sub(r"</?bdi[^>]*>", "", section)
    assert 'datetime="2027-02-12"' in section and "overdue by" in section
    assert '<bdi class="ltr-value" dir="ltr">8</bdi>' in section
    # Each report: date, author, thresholds, breach, worst ratio, the table, observations.
    assert section.count('data-testid="report-monitoring-report"') == 2
    assert "2027-01-16 10:00 UTC" in section and "2027-01-30 10:00 UTC" in section
    assert section.count(str(marketer)) == 2
    assert 'data-breach="no"' in section and 'data-breach="yes"' in section
    assert section.count('dir="ltr">0.80</bdi>') == 2 and section.count('dir="ltr">0.05</bdi>') == 2
    fair_p, breach_p = chi2_p(48, 100, 50, 100), chi2_p(30, 100, 50, 100)
    assert (fair_p, breach_p) == ("0.777", "0.00389")
    for figure in (
        "0.96",
        "0.60",
        fair_p,
        breach_p,
        "48.0&nbsp;%",
        "30.0&nbsp;%",
        "50.0&nbsp;%",
        "100",
    ):
        assert f'dir="ltr">{figure}</bdi>' in section, figure
    assert section.count('class="table-danger" data-segment="Women"') == 1
    assert "Steady delivery." in section and "Women see fewer offers." in section


def test_the_arabic_report_shows_them_right_to_left(client, reported, marketer):
    html = get(client, "campaign_report", reported, "ar", user=marketer).text
    assert '<html lang="ar" dir="rtl">' in html
    section = html[html.index('data-testid="report-monitoring"') :]
    section = section[: section.index('data-testid="report-incidents"')]
    assert "يحدده شرط من شروط الموافقة" in section
    assert "تجاوز لحدود المجلس" in section and "نعم" in section
    for figure in ("0.60", "0.00389", "30.0&nbsp;%", "2027-01-30 10:00 UTC", "8"):
        assert f'dir="ltr">{figure}</bdi>' in section, figure
    # No English but what the team typed (segments, observations) and their name.
    inside = section[section.index(">") + 1 : section.rindex("<section")]
    text = unescape(re.sub(r"<[^>]+>", " ", inside))
    for typed in ("Women see fewer offers.", "Steady delivery.", "Women", "Men", str(marketer)):
        text = text.replace(typed, " ")
    # "p" is the statistic's symbol in the catalogue's "القيمة الاحتمالية (p)".
    assert {w for w in LATIN_WORD.findall(text) if w not in ALLOWED | {"p"}} == set()


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_pdf_has_the_figures(client, reported, marketer, language, arabic_fonts):
    response = get(client, "campaign_report_pdf", reported, language, user=marketer)
    assert response.status_code == 200
    text = pdf_text(response.content).replace("\xa0", " ")
    for figure in ("0.96", "0.60", "0.777", "0.00389", "30.0 %", "2027-02-12", "Women"):
        assert figure in text, figure
    heading = {"en": "Monitoring", "ar": "المتابعة"}[language]
    assert heading in text or heading[::-1] in text


def test_the_queries_do_not_grow_with_the_reports(client, conditioned, marketer):
    counts = []
    for moment, figures in zip(FILED, (FAIR, BREACHING), strict=True):
        with time_machine.travel(moment, tick=False):
            services.monitoring_report_file(actor=marketer, campaign=conditioned, figures=figures)
        with time_machine.travel(READ_AT, tick=False):
            client.force_login(marketer)
            url = reverse("campaign_report", args=[conditioned.pk])
            client.get(url)  # the session, and the history fragment is cached
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
        counts.append(len(queries))
    # The approval's cadences (its effective decision, then its conditions:
    # ``monitoring.condition_cadences``), then the reports with their authors and their rows.
    # The conditions themselves are kept under the campaign's last audit event.
    assert counts == [REPORT_QUERIES + 2 + 2] * 2
