"""The main pages of every journey, opened in a real browser as each role: not one
Content-Security-Policy violation (and no other console error)."""

import pytest

from assessments import services
from tests.factories import PASSWORD, published_notice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, base, user):
    page.goto(f"{base}/accounts/login/")
    page.locator("input[name=login]").fill(user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(f"{base}/")


def test_no_csp_violation_on_the_main_pages(live_server, browser, approved_campaign, personas):
    base = live_server.url
    campaign = approved_campaign
    notice = published_notice(actor=personas["marketer"], campaign=campaign)
    report = services.monitoring_report_file(
        actor=personas["marketer"], campaign=campaign, figures="A,100,50\nB,100,30"
    )
    incident = services.incident_open(
        actor=personas["marketer"],
        campaign=campaign,
        what_happened="Ads reached minors.",
        harm_type="safety",
        severity="severe",
        personal_data_breach=True,
    )
    c = f"/campaigns/{campaign.pk}"
    journeys = {
        None: ["/accounts/login/", "/accounts/password/reset/", f"/t/{notice.public_id}/"],
        "marketer": [
            "/",
            "/campaigns/",
            "/campaigns/new/",
            f"{c}/",
            f"{c}/assessment/privacy/",
            f"{c}/assessment/summary/",
            f"{c}/notice/",
            f"{c}/monitoring/",
            f"{c}/monitoring/{report.pk}/",
            f"{c}/incidents/",
            f"{c}/incidents/{incident.pk}/",
            "/notifications/",
            "/notifications/settings/",
            "/accounts/2fa/",
        ],
        "reviewer": ["/", "/review/", f"{c}/", f"{c}/assessment/summary/"],
        "chair": ["/", "/review/", f"{c}/", f"{c}/incidents/{incident.pk}/"],
        "manager": ["/", "/dashboard/", "/people/", "/people/invite/"],
        "admin": ["/", "/people/", f"/people/{personas['marketer'].pk}/edit/", "/admin/"],
    }
    problems = []
    for persona, paths in journeys.items():
        for language in ("en", "ar"):
            context = browser.new_context()
            page = context.new_page()
            errors: list[str] = []
            page.on("console", lambda m, e=errors: e.append(m.text) if m.type == "error" else None)
            if persona:
                sign_in(page, base, personas[persona])
            page.goto(f"{base}/accounts/login/" if not persona else f"{base}/")
            page.locator(f"[data-testid=language-switch] button[value={language}]").click()
            for path in paths:
                page.goto(base + path)
                page.wait_for_load_state("load")
                for error in errors:
                    problems.append(f"{persona or 'anonymous'} [{language}] {path}: {error}")
                errors.clear()
            context.close()
    assert not problems, "\n".join(problems)
