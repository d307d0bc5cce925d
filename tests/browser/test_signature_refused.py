"""A refused signature cannot be missed (issue #20, point 1): after a wrong password the
page shown again has focused the password field, its error is on screen and announced
(role="alert"), and the field is marked invalid and described by the error. No script is
involved (``autofocus``), so the test also checks the page raised no CSP error."""

import pytest
from playwright.sync_api import expect

from assessments import services
from assessments.models import Assignment, Vote
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def voting(complete_campaign, marketer, chair, board):
    """Submitted, with board[0]'s assignment accepted: they may vote."""
    services.campaign_submit(actor=marketer, campaign=complete_campaign)
    services.review_assign(actor=chair, campaign=complete_campaign, reviewers=board[:1])
    assignment = Assignment.objects.get(reviewer=board[0], status="pending")
    services.assignment_accept(actor=board[0], assignment=assignment, declaration="None")
    return complete_campaign


def sign_in(page, base, user, language):
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(f"{base}/accounts/login/")
    if language == "ar":
        page.locator("[data-testid=language-switch] button[value=ar]").click()
        expect(page.locator("html")).to_have_attribute("lang", "ar")
    page.locator("input[name=login]").fill(user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    expect(page).to_have_url(f"{base}/")


def expect_refusal_in_view(page, form_id: str, message: str):
    form = page.get_by_test_id(form_id)
    password = form.locator("input[name=password]")
    expect(password).to_be_focused()
    expect(password).to_have_attribute("aria-invalid", "true")
    error = form.locator("[role=alert]")
    expect(error).to_have_count(1)
    expect(error).to_contain_text(message)
    expect(password).to_have_attribute("aria-describedby", error.get_attribute("id"))
    expect(error).to_be_in_viewport()
    # the page was not scrolled back to the top: the panel's far-away header is gone
    expect(page.locator("h1")).not_to_be_in_viewport()


def refused_by_csp(errors: list[str]) -> list[str]:
    # the page shown again answers 400, which Chromium reports as a console error too
    return [e for e in errors if "Content Security Policy" in e or "Refused to" in e]


WRONG = {
    "en": "The password is not correct. Nothing was signed.",
    "ar": "كلمة المرور غير صحيحة. لم يُوقَّع على أي شيء.",
}


@pytest.mark.parametrize("language", ["en", "ar"])
def test_a_wrong_password_on_a_vote_focuses_the_password_field(
    live_server, page, voting, board, language, console_errors
):
    sign_in(page, live_server.url, board[0], language)
    page.goto(f"{live_server.url}/campaigns/{voting.pk}/")
    form = page.get_by_test_id("vote-form")
    form.locator("input[name=decision][value=approve]").check()
    form.locator("textarea[name=rationale]").fill("Proportionate and well safeguarded.")
    form.locator("input[name=password]").fill("not-my-password")
    form.locator("button[type=submit]").click()
    expect_refusal_in_view(page, "vote-form", WRONG[language])
    # what was typed is kept, nothing was signed
    expect(form.locator("textarea[name=rationale]")).to_have_value(
        "Proportionate and well safeguarded."
    )
    assert not Vote.objects.filter(campaign=voting).exists()
    assert not refused_by_csp(console_errors)


@pytest.mark.parametrize("language", ["en", "ar"])
def test_a_wrong_password_on_an_overrule_opens_the_form_at_the_password(
    live_server, page, approved_campaign, chair, language, console_errors
):
    sign_in(page, live_server.url, chair, language)
    page.goto(f"{live_server.url}/campaigns/{approved_campaign.pk}/")
    page.locator("details:has([data-testid=overrule-form]) > summary").click()
    form = page.get_by_test_id("overrule-form")
    form.locator("select[name=outcome]").select_option("changes_requested")
    form.locator("textarea[name=rationale]").fill("The consent wording needs work.")
    form.locator("input[name=password]").fill("not-my-password")
    form.locator("button[type=submit]").click()
    expect_refusal_in_view(page, "overrule-form", WRONG[language])
    approved_campaign.refresh_from_db()
    assert approved_campaign.status == "approved"
    assert not refused_by_csp(console_errors)
