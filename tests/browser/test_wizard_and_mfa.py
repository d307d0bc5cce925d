"""Issue #20 points 5 and 7 in the browser.

5: the assessment wizard: no "Save and go back" on the first step; the no-JavaScript
"Save and update questions" button only without JavaScript; "Step n of N" counts the
numbered list; a skip link (second Tab stop) to the first question; on a phone the step list
folds away and no step is wider than the screen.

7: two-factor set-up right after signing in does not ask for the password again, the QR
code's alt text is not the secret, and the recovery codes page leads back to the task."""

import re
from datetime import date

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core.management import call_command
from playwright.sync_api import expect

from assessments import selectors, services
from tests.browser.test_marketer_journey import sign_in
from tests.conftest import INTAKE_POST
from tests.factories import TeamFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def draft():
    """A fresh draft on the shipped questionnaire (its long legal references)."""
    call_command("load_questionnaires", verbosity=0)
    team = TeamFactory()
    owner = UserFactory(email="maya@example.com", roles=["marketer"], teams=[team])
    intake = {
        **INTAKE_POST,
        "markets": ["eu", "uk", "us_ca"],
        "reaches_minors": False,
        "reaches_vulnerable": False,
        "flight_start": date(2027, 1, 1),
        "flight_end": date(2027, 3, 1),
    }
    campaign = services.campaign_create(
        actor=owner, team=team, intake=intake, questionnaire=selectors.current_questionnaire()
    )
    return owner, campaign


def first_step_url(base, campaign) -> str:
    return f"{base}/campaigns/{campaign.pk}/assessment/"


def test_the_wizard_on_a_phone_with_javascript(live_server, browser, draft):
    owner, campaign = draft
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(page, live_server.url, owner)
    page.goto(first_step_url(live_server.url, campaign))

    # Step 1: nothing to go back to; questions update as you answer (no update button).
    steps = page.get_by_test_id("steps").locator("li")
    count = steps.count()
    expect(page.get_by_test_id("progress")).to_have_text(f"Step 1 of {count}")
    expect(page.get_by_role("button", name="Save and go back")).to_have_count(0)
    expect(page.get_by_role("button", name="Save and update questions")).to_have_count(0)
    expect(page.get_by_role("button", name="Save and continue")).to_be_visible()

    # The skip link is the second Tab stop and lands on the first question.
    first = page.locator("fieldset.question").first.get_attribute("id")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    skip = page.get_by_test_id("skip-to-question")
    expect(skip).to_be_focused()
    expect(skip).to_have_text("Skip to the first question")
    page.keyboard.press("Enter")
    page.wait_for_function(
        f"() => document.activeElement && document.activeElement.id === '{first}'"
    )

    # The step list is folded away on a phone and opens from its summary.
    expect(page.get_by_test_id("steps")).to_be_hidden()
    page.get_by_test_id("steps-details").locator("summary").click()
    expect(page.get_by_test_id("steps")).to_be_visible()
    expect(page.get_by_test_id("summary-link")).to_be_visible()

    # Every step fits the screen (long reference chips wrap); step 2 has "go back".
    for n in range(1, count + 1):
        width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], (n, page.url, width)
        expect(page.get_by_test_id("progress")).to_have_text(f"Step {n} of {count}")
        if n == count:
            break
        page.get_by_role("button", name="Save and continue").click()
        expect(page.get_by_test_id("progress")).to_have_text(f"Step {n + 1} of {count}")
        expect(page.get_by_role("button", name="Save and go back")).to_be_visible()
    context.close()
    assert not errors, errors


def test_the_wizard_on_a_desktop_and_without_javascript(live_server, browser, draft):
    owner, campaign = draft
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, live_server.url, owner)
    page.goto(first_step_url(live_server.url, campaign))
    expect(page.get_by_test_id("steps")).to_be_visible()  # open on a wide screen
    expect(page.get_by_test_id("steps-details").locator("summary")).to_be_hidden()
    # The active step's link: white on a blue of at least 4.5:1.
    colours = page.evaluate(
        """() => { const li = document.querySelector('[data-testid=steps] li.active');
                   return [getComputedStyle(li).backgroundColor,
                           getComputedStyle(li.querySelector('a')).color]; }"""
    )
    assert contrast(*colours) >= 4.5, colours
    context.close()

    # Without JavaScript the update button is there (the <noscript> is rendered).
    context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    page = context.new_page()
    sign_in(page, live_server.url, owner)
    page.goto(first_step_url(live_server.url, campaign))
    expect(page.get_by_role("button", name="Save and update questions")).to_be_visible()
    expect(page.get_by_role("button", name="Save and go back")).to_have_count(0)
    page.get_by_role("button", name="Save and update questions").click()
    expect(page.get_by_test_id("progress")).to_have_text(re.compile(r"Step 1 of \d+"))
    context.close()


def contrast(background: str, foreground: str) -> float:
    def luminance(css: str) -> float:
        channels = [int(c) / 255 for c in re.findall(r"\d+", css)[:3]]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted([luminance(background), luminance(foreground)], reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_two_factor_set_up_after_sign_in_leads_back_to_the_task(
    live_server, browser, settings, draft
):
    settings.REQUIRE_MFA_FOR_BOARD = True
    _, campaign = draft
    chair = UserFactory(email="chen@example.com", roles=["chair", "reviewer"])
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    sign_in(page, live_server.url, chair)
    task = f"{live_server.url}/campaigns/{campaign.pk}/"
    page.goto(task)
    page.get_by_test_id("review-mfa-missing").get_by_role(
        "link", name="Set up two-factor authentication"
    ).click()

    # Straight to the set-up: no second password prompt right after signing in.
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/"))
    expect(page.locator("input[name=password]")).to_have_count(0)
    qr = page.locator("main img").first
    secret = page.locator("#authenticator_secret").input_value()
    expect(qr).to_have_attribute("alt", "QR code for your authenticator app")
    assert secret not in (qr.get_attribute("alt") or "")

    import time

    page.locator("input[name=code]").fill(
        format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    )
    page.locator("main form button[type=submit]").first.click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/recovery-codes/"))
    assert Authenticator.objects.filter(user=chair, type="totp").exists()

    # The recovery codes page leads back to the campaign the chair came from.
    page.get_by_test_id("mfa-continue").get_by_role("link", name="Continue where you were").click()
    expect(page).to_have_url(task)
    expect(page.get_by_test_id("review-mfa-missing")).to_have_count(0)
    context.close()


def test_comment_box_name_and_radio_focus_ring(live_server, browser, draft):
    """Point 12: the comment box is named "Comment" alone (the feedback box has its own id;
    the required asterisk is hidden from the name), and a radio reached by keyboard shows
    a solid 2px ring of at least 3:1 against the page."""
    owner, campaign = draft
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, live_server.url, owner)
    page.goto(f"{live_server.url}/campaigns/{campaign.pk}/")
    expect(page.get_by_role("textbox", name="Comment", exact=True)).to_have_count(1)
    page.get_by_text("Give feedback on this campaign").click()
    expect(page.get_by_role("textbox", name="Your feedback", exact=True)).to_have_count(1)

    page.goto(first_step_url(live_server.url, campaign))
    radio = page.locator("fieldset.question input[type=radio]").first
    radio.focus()
    page.keyboard.press("ArrowDown")  # keyboard focus: :focus-visible applies
    page.keyboard.press("ArrowUp")
    ring = page.evaluate(
        """() => { const s = getComputedStyle(document.activeElement);
                   return [s.outlineStyle, s.outlineWidth, s.outlineColor,
                           getComputedStyle(document.body).backgroundColor]; }"""
    )
    assert ring[0] == "solid" and ring[1] == "2px", ring
    assert contrast(ring[3], ring[2]) >= 3, ring
    context.close()
