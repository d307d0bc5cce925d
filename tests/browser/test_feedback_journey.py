"""A consumer reads a campaign's public notice in Arabic and sends feedback; the chair
sees it on the queue and sends the campaign back to review."""

import pytest
from playwright.sync_api import expect

from assessments.models import Campaign, Feedback
from tests.factories import PASSWORD, published_notice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def published(approved_campaign, marketer, settings):
    settings.FEEDBACK_REREVIEW_CONCERNS = 0  # one concern is enough to flag it here
    notice = published_notice(actor=marketer, campaign=approved_campaign)
    return notice


def test_consumer_feedback_reaches_the_chair(
    live_server, browser, published, chair, console_errors, page
):
    base = live_server.url
    campaign = published.campaign

    # A consumer, not signed in, reads the notice in Arabic on a phone-sized screen.
    consumer = browser.new_context(viewport={"width": 390, "height": 844})
    reader = consumer.new_page()
    reader.goto(f"{base}/t/{published.public_id}/")
    reader.locator("[data-testid=language-switch] button[value=ar]").click()
    expect(reader.locator("html")).to_have_attribute("dir", "rtl")
    expect(reader.get_by_test_id("notice-body")).to_be_visible()
    # Readable on a phone: nothing sticks out sideways (the RTL honeypot once did).
    assert reader.evaluate("document.documentElement.scrollWidth") <= 390
    form = reader.get_by_test_id("public-feedback-form")
    form.locator("select[name=category]").select_option("manipulation")
    form.locator("textarea[name=message]").fill("لماذا أرى هذا الإعلان كل يوم؟")
    form.locator("button[type=submit]").click()
    expect(reader.get_by_test_id("thanks")).to_be_visible()
    expect(reader.locator("html")).to_have_attribute("dir", "rtl")
    feedback = Feedback.objects.get()
    assert feedback.source == "consumer" and feedback.ip_hash and "." not in feedback.ip_hash

    # The chair sees it on the queue and sends the campaign back to review.
    page.goto(f"{base}/accounts/login/")
    page.locator("input[name=login]").fill(chair.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.goto(f"{base}/review/")
    flagged = page.get_by_test_id("flagged")
    expect(flagged).to_contain_text("لماذا أرى هذا الإعلان كل يوم؟")
    flagged.get_by_role("link", name=campaign.name).click()
    expect(page.get_by_test_id("feedback-list")).to_contain_text("لماذا أرى هذا الإعلان")
    page.get_by_test_id("send-back-form").get_by_role("button").click()
    expect(page.get_by_test_id("campaign-status")).to_have_attribute(
        "data-status", "rereview_requested"
    )
    expect(
        page.get_by_test_id("timeline").locator("li[data-kind=feedback_received]")
    ).to_be_visible()
    expect(
        page.get_by_test_id("timeline").locator("li[data-kind=rereview_requested]")
    ).to_be_visible()
    assert Campaign.objects.get().status == "rereview_requested"
    assert not [e for e in console_errors if "Content Security Policy" in e], console_errors
