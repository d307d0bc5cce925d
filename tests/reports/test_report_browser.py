"""The report page in a real browser: no CSP violation, a working Print button, the PDF
downloads."""

import pytest

from assessments import services
from tests.browser.conftest import browser_type_launch_args  # noqa: F401 (the system Chromium)
from tests.browser.test_demo_pages import axe_source, axe_violations, too_wide  # noqa: F401
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["en", "ar"])
def test_report_page_prints_and_downloads_without_csp_violations(
    live_server, page, approved_campaign, marketer, language
):
    marketer.language = language
    marketer.save(update_fields=["language"])
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("input[name=login]").fill(marketer.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/campaigns/{approved_campaign.pk}/")
    page.get_by_test_id("report-link").click()
    page.wait_for_url(f"**/campaigns/{approved_campaign.pk}/report/")
    assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")

    printed = page.evaluate("() => { window.print = () => { window.printed = true; }; }")
    assert printed is None
    button = page.locator("[data-print]")
    assert button.is_visible()  # shown by the static script, which the CSP let run
    button.click()
    assert page.evaluate("() => window.printed") is True

    with page.expect_download() as download:
        page.locator("[data-testid=report-actions] a[download]").click()
    assert download.value.suggested_filename == f"campaign-{approved_campaign.pk}-report.pdf"
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(4) == b"%PDF"
    assert errors == []


WIDE_FIGURES = (
    "segment,reached,positive\n"
    "Women 55 and over in the northern regions,1200000,84000\n"
    "نساء ٥٥ فأكثر في المناطق الشمالية,1300000,130000\n"
    "Men 18-34,4700,700\n"
)


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_monitoring_section_fits_a_phone_and_passes_axe(
    live_server, browser, approved_campaign, marketer, language, axe_source
):
    """Two monitoring reports with long segment names and large figures: the report page
    is no wider than a 390 px phone (the tables scroll in their own region)."""
    for _ in range(2):
        services.monitoring_report_file(
            actor=marketer, campaign=approved_campaign, figures=WIDE_FIGURES, observations="x"
        )
    marketer.language = language
    marketer.save(update_fields=["language"])
    context = browser.new_context(viewport={"width": 390, "height": 844}, bypass_csp=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("input[name=login]").fill(marketer.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/campaigns/{approved_campaign.pk}/report/")
    assert page.get_by_test_id("report-monitoring-report").count() == 2
    assert too_wide(page) == ""
    assert axe_violations(page, axe_source) == []
    context.close()
