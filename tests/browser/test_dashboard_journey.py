"""A manager opens the dashboard, filters it, and follows a chart segment to the list of
campaigns behind it; the same in Arabic, right to left."""

import re

import pytest
from playwright.sync_api import expect

from tests.dashboard.scenario import history  # noqa: F401 - a fixture
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(browser, base, user):
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{base}/accounts/login/")
    page.locator("input[name=login]").fill(user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    expect(page).to_have_url(f"{base}/")
    return page


def test_dashboard_filter_and_follow_a_segment(live_server, browser, history, manager, other_team):
    base = live_server.url
    page = sign_in(browser, base, manager)
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.get_by_test_id("role-nav").get_by_role("link", name="Dashboard").click()
    expect(page.get_by_test_id("value-decided_month")).to_have_text("3")
    expect(page.get_by_test_id("value-in_review")).to_have_text("1")

    # Filter on one team: the figures follow and the filter is in the URL.
    page.locator("select[name=team]").select_option(label=other_team.name)
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(
        f"{base}/dashboard/?team={other_team.pk}&tier=&channel=&market=&from={page.url.split('from=')[1]}"
    )
    expect(page.get_by_test_id("value-decided_month")).to_have_text("1")
    expect(page.get_by_test_id("value-in_review")).to_have_text("0")

    # The "Rejected" bar of the state chart opens the list of exactly that campaign.
    chart = page.get_by_test_id("chart-states")
    chart.locator("a[aria-label^='Rejected']").click()
    expect(page).to_have_url(
        re.compile(rf"/campaigns/all/\?.*team={other_team.pk}.*state=rejected")
    )
    rows = page.get_by_test_id("campaign-list").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(history["rejected"].name)
    expect(page.locator("select[name=state]")).to_have_value("rejected")
    assert errors == []


def test_dashboard_in_arabic_reads_right_to_left(live_server, browser, history, manager):
    manager.language = "ar"
    manager.save(update_fields=["language"])
    page = sign_in(browser, live_server.url, manager)
    page.goto(f"{live_server.url}/dashboard/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    svg = page.get_by_test_id("chart-states").locator("svg")
    expect(svg).to_have_attribute("direction", "rtl")
    # Bars grow from the right: every bar's right edge sits at the same x, left of the
    # labels, which are on the right-hand side.
    boxes = [r.bounding_box() for r in svg.locator("rect").all()]
    rights = {round(b["x"] + b["width"]) for b in boxes}
    assert len(boxes) == 5 and len(rights) == 1
    label = svg.locator("text.chart-label").first.bounding_box()
    assert label["x"] > max(b["x"] for b in boxes)
    # No horizontal scrolling on the page.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("language", ["en", "ar"])
def test_dashboard_on_a_phone(live_server, browser, history, manager, language):
    """At 390 px: the page does not scroll sideways; tables and charts scroll inside
    their own boxes (no column hidden off-screen); month fields show their whole value;
    chart text is drawn at 12 px or more."""
    manager.language = language
    manager.save(update_fields=["language"])
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("input[name=login]").fill(manager.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.goto(f"{live_server.url}/dashboard/")
    for details in page.locator("details").all():
        details.locator("summary").click()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    hidden = page.evaluate(
        """() => [...document.querySelectorAll('main table')].filter(table => {
            const box = table.parentElement;
            const scrolls = getComputedStyle(box).overflowX === 'auto';
            const r = box.getBoundingClientRect();
            return !(scrolls && r.left >= 0 && r.right <= window.innerWidth);
        }).length"""
    )
    assert hidden == 0
    for name in ("from", "to"):
        field = page.locator(f"input[name={name}]")
        assert field.evaluate("e => e.scrollWidth <= e.clientWidth"), name
    smallest = page.evaluate(
        """() => Math.min(...[...document.querySelectorAll('svg.chart text')].map(t =>
            parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a))"""
    )
    assert smallest >= 11.99
    context.close()
