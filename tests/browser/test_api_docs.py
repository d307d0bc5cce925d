"""The interactive API docs load from packages under the strict CSP, with every operation."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_api_docs_render_without_csp_violations(live_server, page, console_errors):
    page.goto(f"{live_server.url}/api/docs/")
    page.locator(".opblock").first.wait_for()
    assert page.locator(".opblock").count() >= 12
    assert page.locator("text=/api/v1/campaigns/{id}/clearance/").count() == 1
    assert console_errors == []
