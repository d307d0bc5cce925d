"""Issue #20: every main page of the seeded demo, for each role and in both languages, at
390 x 844: no page is wider than the phone's screen, and axe-core (from npm, see
tools/axe) finds no serious or critical violation."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.browser import tour
from tests.conftest import service_missing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[2] / "tools" / "axe" / "node_modules" / "axe-core"
AXE_JS = AXE / "axe.min.js"
# Serious and critical only (the bar); moderate and minor findings are advisory.
BLOCKING = ("serious", "critical")


@pytest.fixture
def demo(settings, reference_time):
    settings.DEBUG = True  # seed_demo refuses otherwise
    call_command("seed_demo", stdout=io.StringIO())
    return {role: tour.pages_for(role) for role in tour.ROLES}


@pytest.fixture(scope="session")
def axe_source():
    if not AXE_JS.exists():
        service_missing(
            "needs axe-core from npm: npm ci --prefix tools/axe "
            "(requirements/system-packages.sh test does it)"
        )
    return AXE_JS.read_text()


def axe_violations(page, axe_source) -> list[str]:
    page.evaluate(axe_source)
    results = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))"
    )
    return [
        f"{v['impact']} {v['id']}: {v['help']} at {v['nodes']}"
        for v in results
        if v["impact"] in BLOCKING
    ]


def too_wide(page) -> str:
    scroll, inner = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    if scroll <= inner:
        return ""
    culprits = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1
                      || e.getBoundingClientRect().left < -1)
            .filter(e => !e.closest('.table-responsive'))
            .slice(0, 3).map(e => e.tagName + '.' + e.className)"""
    )
    return f"{scroll} px wide > {inner} px: {culprits}"


@pytest.mark.parametrize("language", tour.LANGUAGES)
def test_main_pages_fit_a_phone_and_pass_axe(live_server, browser, demo, axe_source, language):
    tour.set_language(language)
    problems = []
    visited = 0
    for role, pages in demo.items():
        context = browser.new_context(viewport=tour.PHONE, bypass_csp=True)
        page = context.new_page()
        tour.sign_in(page, live_server.url, role)
        for name, path in pages:
            response = page.goto(live_server.url + path)
            if response.status != 200:
                problems.append(f"{role} {name}: HTTP {response.status}")
                continue
            assert page.locator("html").get_attribute("lang") == language, (role, name)
            visited += 1
            if width := too_wide(page):
                problems.append(f"{role} {name}: {width}")
            problems += [f"{role} {name}: {v}" for v in axe_violations(page, axe_source)]
        context.close()
    # Signed out too: the sign-in page.
    context = browser.new_context(viewport=tour.PHONE, bypass_csp=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    if language == "ar":
        page.locator("[data-testid=language-switch] button[value=ar]").click()
    problems += [f"sign-in: {v}" for v in axe_violations(page, axe_source)]
    if width := too_wide(page):
        problems.append(f"sign-in: {width}")
    context.close()
    assert visited >= 40, visited  # every role's pages were walked
    assert not problems, "\n".join(problems)
