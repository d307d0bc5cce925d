"""Issue #20 in the browser, on a phone-sized screen: a fresh draft says how many questions
are left before its provisional tier; a complete one is submitted from its result page
through a confirmation that says what happens next; in English and in Arabic."""

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from assessments import selectors, services
from assessments.models import Campaign
from tests.browser.test_marketer_journey import sign_in
from tests.conftest import INTAKE_POST

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def drafts(questionnaire, marketer, team, complete_campaign):
    """The complete draft (tier I) and a fresh one with nothing answered."""
    fresh = services.campaign_create(
        actor=marketer,
        team=team,
        intake={
            **INTAKE_POST,
            "name": "Autumn launch",
            "reaches_minors": False,
            "reaches_vulnerable": False,
            "flight_start": date(2027, 9, 1),
            "flight_end": date(2027, 10, 1),
        },
        questionnaire=questionnaire,
    )
    return complete_campaign, fresh


@pytest.fixture
def phone(browser):
    """A phone-sized page; any console error (a CSP violation among them) fails the test."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    yield page
    context.close()
    assert not errors, errors


def status_of(campaign) -> str:
    return Campaign.objects.values_list("status", flat=True).get(pk=campaign.pk)


def test_submit_from_the_result_page_in_english(live_server, phone, marketer, drafts):
    complete, fresh = drafts
    missing = len(selectors.campaign_result(fresh).missing)
    page = phone
    sign_in(page, live_server.url, marketer)

    # Home: the fresh draft's first status is what is left to do; its tier is provisional.
    row = page.get_by_test_id("drafts").locator("li", has_text="Autumn launch")
    expect(row.get_by_test_id("incomplete-status")).to_have_text(
        f"Incomplete: {missing} questions left"
    )
    expect(row.get_by_test_id("provisional-tier")).to_contain_text("Provisional tier:")

    page.goto(f"{live_server.url}/campaigns/{complete.pk}/assessment/summary/")
    expect(page.get_by_test_id("result").get_by_test_id("incomplete-status")).to_have_count(0)
    page.get_by_test_id("summary-submit").get_by_role(
        "link", name="Submit to the ethics board"
    ).click()

    # The confirmation: what happens next; nothing is submitted yet.
    next_steps = page.get_by_test_id("what-happens-next")
    expect(next_steps).to_contain_text("The chair assigns 1 reviewer")
    expect(next_steps.get_by_test_id("due-date")).to_have_text(re.compile(r"\d{4}-\d{2}-\d{2}"))
    expect(next_steps.get_by_test_id("decision-channel")).to_have_text("In the app and by e-mail")
    assert status_of(complete) == "draft"

    page.get_by_role("button", name="Confirm and submit").click()
    expect(page.get_by_test_id("campaign-status")).to_have_attribute("data-status", "submitted")
    expect(page.get_by_text("Version 1 submitted to the ethics board.")).to_be_visible()
    assert status_of(complete) == "submitted"


def test_submit_from_the_campaign_page_in_arabic(live_server, phone, marketer, drafts):
    complete, fresh = drafts
    page = phone
    sign_in(page, live_server.url, marketer, language="ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")

    page.goto(f"{live_server.url}/campaigns/{fresh.pk}/")
    status = page.get_by_test_id("result").get_by_test_id("incomplete-status")
    expect(status).to_contain_text("غير مكتمل")  # "Incomplete"
    expect(page.get_by_test_id("result").get_by_test_id("provisional-tier")).to_contain_text(
        "الفئة المؤقتة"  # "Provisional tier"
    )

    page.goto(f"{live_server.url}/campaigns/{complete.pk}/")
    page.get_by_test_id("submit-link").click()
    expect(page.get_by_test_id("what-happens-next")).to_contain_text("ما الذي سيحدث بعد ذلك")
    assert status_of(complete) == "draft"
    page.get_by_role("button", name="التأكيد والتقديم").click()  # "Confirm and submit"
    expect(page.get_by_test_id("campaign-status")).to_have_attribute("data-status", "submitted")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    assert status_of(complete) == "submitted"
