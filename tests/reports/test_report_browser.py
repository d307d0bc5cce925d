"""The report page in a real browser: no CSP violation, a working Print button, the PDF
downloads."""

import pytest

from tests.browser.conftest import browser_type_launch_args  # noqa: F401 (the system Chromium)
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
