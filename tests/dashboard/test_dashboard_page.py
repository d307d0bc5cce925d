"""The dashboard page: figures of the present state marked "now", the median with the
count behind it, the tier mix told by pattern, mark and legend as well as colour, chart
text of at least 12 px, and the cached fragment refreshed by the services' changes."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from assessments import dashboard_charts, services
from tests.dashboard.scenario import history  # noqa: F401 - a fixture

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_time")]

NOW_FIGURES = {"in_review", "overdue", "expiring", "serious"}


def figure(page: str, code: str) -> str:
    match = re.search(rf'data-testid="figure-{code}".*?</a>', page, re.S)
    assert match, code
    return match.group(0)


def test_present_state_figures_are_marked_now_and_the_median_has_its_count(
    history, client, manager
):
    client.force_login(manager)
    page = client.get(reverse("dashboard")).text
    assert "the figures marked “now” count the present state" in page
    for code in ("in_review", "overdue", "decided_month", "median_days", "rework"):
        marked = f'data-testid="now-{code}">now</span>' in figure(page, code)
        assert marked == (code in NOW_FIGURES), code
    median = figure(page, "median_days")
    assert 'data-testid="hint-median_days">of 3 decisions in the period<' in median


def test_the_tier_mix_has_a_legend_patterns_and_marks(history, client, manager):
    client.force_login(manager)
    page = client.get(reverse("dashboard")).text
    legend = re.search(r'data-testid="legend-tier_mix">(.*?)</ul>', page, re.S).group(1)
    for label in ("Not yet submitted", "tier I", "tier II", "tier III", "tier IV"):
        assert f"</svg> {label}</li>" in legend
    assert 'fill="url(#chart-p1)"' in legend and '<pattern id="chart-p1"' in page
    chart = re.search(r'<svg class="chart chart-hbars"[^>]*chart-tiers.*?</svg>', page, re.S)
    assert 'class="chart-mark">I</text>' in chart.group(0)  # Aurora's tier I bar


def test_arabic_marks_and_legend(history, client, manager):
    manager.language = "ar"
    manager.save(update_fields=["language"])
    client.force_login(manager)
    page = client.get(reverse("dashboard")).text
    assert 'data-testid="now-in_review">الآن</span>' in page
    assert "لم تُقدَّم بعد" in re.search(r'data-testid="legend-tier_mix">(.*?)</ul>', page, re.S)[1]


def test_chart_text_is_at_least_12_px():
    """Chart text is sized in units of the 640-unit drawing, never drawn narrower than
    its min-width: the smallest text is size × min-width / 640 px."""
    css = (Path(settings.BASE_DIR) / "static/css/app.css").read_text()
    min_width = int(re.search(r"\.chart-scroll > \.chart \{ min-width: (\d+)px; \}", css)[1])
    sizes = [int(s) for s in re.findall(r"\.chart[^{]*\{[^}]*font-size: (\d+)px", css)]
    assert sizes and min(sizes) * min_width / 640 >= 12


def test_the_cached_fragment_follows_the_services(history, client, manager, marketer, monkeypatch):
    client.force_login(manager)

    def cards(page: str) -> str:
        start = page.index('data-testid="headline"')
        return page[start : page.index("csrfmiddlewaretoken", start)]  # to the footer's form

    first = client.get(reverse("dashboard")).text
    drawn = []
    original = dashboard_charts.charts_for
    monkeypatch.setattr(
        dashboard_charts, "charts_for", lambda *a, **k: drawn.append(1) or original(*a, **k)
    )
    again = client.get(reverse("dashboard")).text
    assert cards(again) == cards(first) and not drawn  # from the cache
    services.campaign_submit(actor=marketer, campaign=history["draft"])
    page = client.get(reverse("dashboard")).text
    assert drawn == [1]
    assert 'data-testid="value-in_review"><bdi>2</bdi>' in page
