"""Issue #20 point 13 in the browser: the Arabic pages of the three journeys (marketer: new
campaign, wizard, result, submit; reviewer: queue, campaign page, vote; chair and manager:
dashboard, list) show no English interface text. Every visible text, placeholder and
accessible label is read; a Latin word fails the test unless it is one of the terms that
stay in Latin script in Arabic text (file formats, law acronyms) or data a person entered."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from assessments import services
from assessments.models import Assignment, Campaign, Vote
from assessments.services.review import VOTE_MEANINGS
from tests.browser.test_marketer_journey import complete_wizard, fill_intake
from tests.conftest import INTAKE_POST
from tests.factories import PASSWORD, TeamFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Terms written in Latin script in Arabic text too: file formats and standards, the time
# zone, the tiers' numerals, acronyms of laws, and the names of products the questionnaire
# asks about. Citations (<cite>), code (<code>: fingerprints) and text marked as another
# language (lang="en": the language switch, the canonical English of a signature) are
# not read.
ALLOWED = {
    "PDF", "CSV", "API", "JSON", "UTC", "GDPR", "CCPA", "CPRA", "C2PA", "DSA", "UCPD", "AI",
    "COPPA", "CAN-SPAM", "PECR", "CASL", "LGPD", "PIPEDA", "PDPL", "FTC", "GPC", "SHA-256",
    "PNG", "JPEG", "Word", "Excel", "PowerPoint", "I", "II", "III", "IV", "DPIA", "SDK", "WCAG",
    "MP4", "MOV", "UTF-8", "Google", "Meta", "Performance", "Max", "Advantage", "Facebook",
}  # fmt: skip
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9\-]*")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")

# Visible text plus what assistive technology and placeholders read out.
VISIBLE_TEXT = """() => {
  const skip = 'cite, code, [lang]:not([lang|="ar"])';
  const clone = document.body.cloneNode(true);
  for (const el of clone.querySelectorAll(skip)) el.remove();
  for (const el of clone.querySelectorAll('[hidden], .d-none, script, style')) el.remove();
  document.body.appendChild(clone);
  clone.style.position = 'absolute';
  const visible = clone.innerText;
  clone.remove();
  const parts = [document.title, visible];
  for (const el of document.querySelectorAll('[placeholder], [aria-label], [title], img[alt]')) {
    if (el.closest('[hidden], .d-none, ' + skip)) continue;
    for (const name of ['placeholder', 'aria-label', 'title', 'alt']) {
      const value = el.getAttribute(name);
      if (value) parts.push(value);
    }
  }
  for (const option of document.querySelectorAll('select option')) {
    if (!option.closest(skip)) parts.push(option.text);
  }
  return parts.join('\\n');
}"""


def english_words(page, entered: tuple[str, ...] = ()) -> list[str]:
    """The Latin words on the page that are neither allowed terms, e-mail addresses nor
    text a person entered (``entered``)."""
    text = page.evaluate(VISIBLE_TEXT)
    for value in entered:
        text = text.replace(value, " ")
    text = EMAIL.sub(" ", text)
    return sorted({w for w in LATIN_WORD.findall(text) if w not in ALLOWED})


@pytest.fixture
def people():
    call_command("load_questionnaires", verbosity=0)
    team = TeamFactory(name="فريق الشفق", slug="aurora-ar")
    arabic = {"language": "ar"}
    return {
        "marketer": UserFactory(
            email="maya@example.com",
            display_name="مايا",
            roles=["marketer"],
            teams=[team],
            **arabic,
        ),
        "reviewer": UserFactory(
            email="amal@example.com", display_name="أمل", roles=["reviewer"], **arabic
        ),
        "chair": UserFactory(
            email="chen@example.com", display_name="سامي", roles=["chair", "reviewer"], **arabic
        ),
        "manager": UserFactory(
            email="mona@example.com", display_name="منى", roles=["manager"], teams=[team], **arabic
        ),
    }


def sign_in(browser, base, user, switch=True):
    """Signed in with the Arabic interface: chosen on the sign-in page, or (``switch``
    False) only the person's saved language."""
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{base}/accounts/login/")
    if switch:
        page.locator("[data-testid=language-switch] button[value=ar]").click()
    page.locator("input[name=login]").fill(user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    expect(page).to_have_url(f"{base}/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    return page


class Pages:
    """Collects the English words of each page visited."""

    def __init__(self, entered):
        self.entered = entered
        self.found: dict[str, list[str]] = {}

    def check(self, page, name):
        page.wait_for_load_state("load")
        words = english_words(page, self.entered)
        if words:
            self.found[f"{name} ({page.url})"] = words

    def report(self):
        return "\n".join(f"{name}: {' '.join(words)}" for name, words in self.found.items())


def test_arabic_pages_show_no_english(live_server, browser, people):
    base = live_server.url
    name = "حملة الربيع"
    # What fill_intake types in (user data, in English).
    entered = (
        "Reach new customers like our best ones",
        "Lookalike audiences and generated ad copy",
        "Adults 25-45 in the EU",
    )
    pages = Pages(entered=(name, *entered))

    # The marketer: sign-in message, new campaign, every wizard step, result, submit.
    marketer = sign_in(browser, base, people["marketer"], switch=False)
    expect(marketer.locator("main .alert").first).to_contain_text("مايا")
    pages.check(marketer, "home after sign-in")
    marketer.goto(f"{base}/campaigns/new/")
    pages.check(marketer, "new campaign")
    fill_intake(marketer, name)
    marketer.locator("main form button[type=submit]").first.click()
    expect(marketer.get_by_test_id("progress")).to_be_visible()
    pages.check(marketer, "wizard, first step")
    steps = [a.get_attribute("href") for a in marketer.locator("[data-testid=steps] a").all()]
    complete_wizard(marketer)
    pages.check(marketer, "summary and result")
    for href in dict.fromkeys(h for h in steps if h):
        marketer.goto(base + href if href.startswith("/") else href)
        pages.check(marketer, "wizard step")
    campaign = Campaign.objects.get(name=name)
    marketer.goto(f"{base}/campaigns/{campaign.pk}/")
    pages.check(marketer, "campaign page (draft)")
    marketer.goto(f"{base}/campaigns/{campaign.pk}/submit/")
    pages.check(marketer, "submit confirmation")
    marketer.locator("main form button[type=submit]").first.click()
    pages.check(marketer, "campaign page (submitted)")
    marketer.goto(f"{base}/campaigns/")
    pages.check(marketer, "my campaigns")

    # The chair routes it; the reviewer opens the queue and the campaign, accepts, votes.
    chair = sign_in(browser, base, people["chair"])
    chair.goto(f"{base}/review/")
    pages.check(chair, "review queue (chair)")
    chair.goto(f"{base}/campaigns/{campaign.pk}/")
    pages.check(chair, "campaign page (chair, to route)")
    services.review_assign(actor=people["chair"], campaign=campaign, reviewers=[people["reviewer"]])
    reviewer = sign_in(browser, base, people["reviewer"])
    reviewer.goto(f"{base}/review/")
    pages.check(reviewer, "review queue (reviewer)")
    reviewer.goto(f"{base}/campaigns/{campaign.pk}/")
    pages.check(reviewer, "campaign page (reviewer, to accept)")
    assignment = Assignment.objects.get(reviewer=people["reviewer"], status="pending")
    services.assignment_accept(actor=people["reviewer"], assignment=assignment, declaration="لا")
    reviewer.goto(f"{base}/campaigns/{campaign.pk}/")
    pages.check(reviewer, "campaign page (reviewer, vote form)")
    form = reviewer.get_by_test_id("vote-form")
    form.locator("input[name=decision][value=approve]").check()
    form.locator("textarea[name=rationale]").fill("المخاطر منخفضة")
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("button[type=submit]").last.click()
    expect(reviewer.get_by_test_id("campaign-status")).to_be_visible()
    pages.check(reviewer, "campaign page (after the vote)")
    vote = Vote.objects.get()
    # The signature's meaning is the Arabic one the reviewer signed; the English canonical
    # text is kept beside it.
    assert vote.meaning == VOTE_MEANINGS["approve"]
    assert vote.meaning_language == "ar" and vote.meaning_signed
    expect(reviewer.get_by_test_id("votes")).to_contain_text(vote.meaning_signed)

    # The manager and the chair: dashboard and lists.
    manager = sign_in(browser, base, people["manager"])
    manager.goto(f"{base}/dashboard/")
    pages.check(manager, "dashboard")
    manager.goto(f"{base}/campaigns/all/")
    pages.check(manager, "campaign list (manager)")
    chair.goto(f"{base}/campaigns/all/")
    pages.check(chair, "campaign list (chair)")
    chair.goto(f"{base}/campaigns/{campaign.pk}/")
    pages.check(chair, "campaign page (chair, decided)")

    for page in (marketer, chair, reviewer, manager):
        page.context.close()
    assert not pages.found, "English on Arabic pages:\n" + pages.report()


def test_arabic_wizard_fits_a_phone(live_server, browser, people):
    """At 390 px the Arabic wizard starts at its header, and no step (long legal references
    among them) is wider than the screen."""
    base = live_server.url
    marketer = people["marketer"]
    campaign = services.campaign_create(
        actor=marketer,
        team=marketer.teams.get(),
        intake={**INTAKE_POST, "reaches_minors": False, "reaches_vulnerable": False},
    )
    desktop = sign_in(browser, base, marketer)
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, storage_state=desktop.context.storage_state()
    )
    page = context.new_page()
    page.goto(f"{base}/campaigns/{campaign.pk}/assessment/privacy/")
    codes = [a.get_attribute("href") for a in page.locator("[data-testid=steps] a").all()]
    for href in codes:
        page.goto(base + href)
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{href}: the page is {width} px wide"
        header = page.locator("nav.navbar").first.bounding_box()
        assert header and header["x"] >= 0 and header["x"] + header["width"] <= 390, href
    context.close()
    desktop.context.close()
