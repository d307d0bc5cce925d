"""Issue #21 in the browser: an administrator defines a module with a quiz on its page; a
marketer without it is refused at submission with a link to it, follows the link, fails and
then passes the quiz, and submits; the training pages in Arabic. No console error (a CSP
violation among them) anywhere."""

import re

import pytest
from playwright.sync_api import expect

from assessments.models import Campaign, TrainingCompletion
from tests.browser.test_marketer_journey import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page_with_errors(browser):
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    yield page
    context.close()
    assert not errors, errors


def test_training_journey(
    live_server, browser, page_with_errors, admin_user, marketer, complete_campaign
):
    base = live_server.url
    page = page_with_errors
    sign_in(page, base, admin_user)
    page.goto(f"{base}/training/")
    page.get_by_role("link", name="New module").click()
    page.locator("#id_title_en").fill("Fairness in targeting")
    page.locator("#id_title_ar").fill("العدالة في الاستهداف")
    page.locator("#id_content_en").fill("Test **who** you reach.")
    page.get_by_label("Marketer").check()
    page.locator("#id_quiz").fill(
        "? Proxy? | مؤشر بديل؟\n* Postcode | الرمز البريدي\n- Budget | الميزانية"
    )
    page.locator("#id_pass_mark").fill("100")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Fairness in targeting")).to_be_visible()
    page.context.clear_cookies()

    sign_in(page, base, marketer)
    page.goto(f"{base}/campaigns/{complete_campaign.pk}/submit/")
    page.get_by_role("link", name="Fairness in targeting").click()
    expect(page).to_have_url(re.compile(r"/training/\d+/$"))
    expect(page.get_by_test_id("module-content").locator("strong")).to_have_text("who")
    page.get_by_label("Budget").check()
    page.get_by_role("button", name="Submit my answers").click()
    expect(page.get_by_test_id("quiz-failed")).to_contain_text("Your score is 0%")
    assert not TrainingCompletion.objects.exists()
    page.get_by_label("Budget").uncheck()
    page.get_by_label("Postcode").check()
    page.get_by_role("button", name="Submit my answers").click()
    expect(page.locator("[data-state=current]")).to_be_visible()

    page.goto(f"{base}/campaigns/{complete_campaign.pk}/submit/")
    page.get_by_role("button", name="Confirm and submit").click()
    expect(page).to_have_url(re.compile(rf"/campaigns/{complete_campaign.pk}/"))
    assert Campaign.objects.get(pk=complete_campaign.pk).status != "draft"

    # The same pages in Arabic, right to left.
    page.locator("[data-testid=language-switch] button[value=ar]").click()
    page.goto(f"{base}/training/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.get_by_role("heading", name="تدريب الأخلاقيات")).to_be_visible()
    page.get_by_role("link", name="العدالة في الاستهداف").first.click()
    expect(page.get_by_label("الرمز البريدي")).to_be_visible()
