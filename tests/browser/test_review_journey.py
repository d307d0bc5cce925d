"""The whole review in a real browser: submit, route, recuse and replace, signed votes,
changes requested, revision with a diff, approval with a condition, fulfilment,
verification, clearance, the timeline, and the audit chain check (then a tampered row)."""

import re
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from playwright.sync_api import expect

from assessments import audit, selectors, services
from assessments.models import Campaign, CampaignStatus
from tests.conftest import INTAKE_POST, set_rule
from tests.factories import PASSWORD, TeamFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def safest_answers(definition, intake):
    """Low-risk answers with every safeguard in place (answered in order, so that
    follow-up questions appear as they would in the wizard)."""
    answers = {}
    for question in definition.question_list:
        if question.type == "text":
            continue
        if question.type == "number":
            answers[question.code] = 500
            continue
        options = [o for o in question.options if not o.red_flag]
        if question.type == "multiple":
            exclusive = [o for o in options if o.exclusive]
            pick = (
                exclusive[0]
                if exclusive and not question.mitigation
                else max(options, key=lambda o: o.weight)
            )
            answers[question.code] = [pick.value]
        else:
            key = (lambda o: -o.weight) if question.mitigation else (lambda o: o.weight)
            answers[question.code] = sorted(options, key=key)[0].value
    if "privacy.lawful_basis" in definition.questions:
        # "no personal data" hides the privacy questions (v2): the journey revises one
        answers["privacy.lawful_basis"] = "consent"
    return answers


@pytest.fixture
def people():
    team = TeamFactory(name="Aurora", slug="aurora-b")
    return {
        "marketer": UserFactory(
            email="m@example.com", display_name="Maya", roles=["marketer"], teams=[team]
        ),
        "chair": UserFactory(email="c@example.com", display_name="Chen Chair", roles=["chair"]),
        "r1": UserFactory(email="r1@example.com", display_name="Amal Reviewer", roles=["reviewer"]),
        "r2": UserFactory(
            email="r2@example.com", display_name="Bruno Reviewer", roles=["reviewer"]
        ),
        "r3": UserFactory(
            email="r3@example.com", display_name="Carla Reviewer", roles=["reviewer"]
        ),
        "team": team,
    }


@pytest.fixture
def ready_campaign(people):
    call_command("load_questionnaires", verbosity=0)
    set_rule("I", reviewers_required=2)
    set_rule("II", reviewers_required=2)
    marketer = people["marketer"]
    intake = {
        **INTAKE_POST,
        "reaches_minors": False,
        "reaches_vulnerable": False,
        "flight_start": date(2027, 1, 1),
        "flight_end": date(2027, 3, 1),
    }
    campaign = services.campaign_create(actor=marketer, team=people["team"], intake=intake)
    definition = selectors.definition_of(campaign.assessment.questionnaire)
    errors = services.assessment_save_answers(
        actor=marketer, campaign=campaign, answers=safest_answers(definition, campaign.intake())
    )
    assert not errors, errors
    campaign = Campaign.objects.get(pk=campaign.pk)
    result = selectors.campaign_result(campaign)
    assert result.complete and result.tier in ("I", "II"), (result.tier, result.missing)
    return campaign


def session(browser, base, user):
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.locator("input[name=login]").fill(user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    expect(page).to_have_url(f"{base}/")
    return page


def open_campaign(page, base, campaign):
    page.goto(f"{base}/campaigns/{campaign.pk}/")


def status(page):
    return page.get_by_test_id("campaign-status")


def accept_and_vote(page, base, campaign, decision, rationale, conditions=""):
    open_campaign(page, base, campaign)
    respond = page.get_by_test_id("respond-form")
    if respond.count():
        respond.locator("textarea[name=declaration]").fill("No conflict of interest.")
        respond.get_by_role("button", name="Accept the assignment").click()
    form = page.get_by_test_id("vote-form")
    form.locator(f"input[name=decision][value={decision}]").check()
    form.locator("textarea[name=rationale]").fill(rationale)
    if decision in ("reject", "request_changes"):
        form.get_by_label("Fairness & bias").check()
    if conditions:
        form.locator("textarea[name=conditions]").fill(conditions)
    form.locator("input[name=password]").fill(PASSWORD)
    form.get_by_role("button", name="Sign and cast my vote").click()
    expect(page.get_by_text("Your vote is signed and recorded.")).to_be_visible()


def test_review_journey(live_server, browser, people, ready_campaign, console_errors):
    base = live_server.url
    campaign = ready_campaign

    # The marketer submits.
    marketer = session(browser, base, people["marketer"])
    open_campaign(marketer, base, campaign)
    marketer.get_by_role("link", name="Submit to the ethics board").click()
    marketer.get_by_role("button", name="Confirm and submit").click()
    expect(status(marketer)).to_have_attribute("data-status", "submitted")

    # The chair assigns two reviewers.
    chair = session(browser, base, people["chair"])
    chair.get_by_role("link", name="Review queue", exact=True).click()
    chair.get_by_test_id("to-route").get_by_role("link", name=campaign.name).click()
    form = chair.get_by_test_id("assign-form")
    for box in form.locator("input[name=reviewers]").all():
        box.uncheck()
    form.get_by_label(re.compile("Amal Reviewer")).check()
    form.get_by_label(re.compile("Bruno Reviewer")).check()
    form.get_by_role("button", name="Assign").click()
    expect(status(chair)).to_have_attribute("data-status", "in_review")

    # The first reviewer recuses; the system assigns the replacement.
    r1 = session(browser, base, people["r1"])
    open_campaign(r1, base, campaign)
    respond = r1.get_by_test_id("respond-form")
    respond.locator("textarea[name=reason]").fill("I advised this team on the campaign.")
    respond.get_by_role("button", name="Recuse myself").click()
    expect(r1.get_by_test_id("assignments")).to_contain_text("Carla Reviewer")

    # Votes on version 1: a wrong password first, then changes requested and approve.
    r2 = session(browser, base, people["r2"])
    open_campaign(r2, base, campaign)
    r2.get_by_test_id("respond-form").locator("textarea[name=declaration]").fill("None.")
    r2.get_by_role("button", name="Accept the assignment").click()
    vote_form = r2.get_by_test_id("vote-form")
    vote_form.locator("input[name=decision][value=request_changes]").check()
    vote_form.locator("textarea[name=rationale]").fill("Reduce the reach of the first wave.")
    vote_form.get_by_label("Fairness & bias").check()
    vote_form.locator("input[name=password]").fill("not-my-password")
    vote_form.get_by_role("button", name="Sign and cast my vote").click()
    expect(r2.get_by_text("The password is not correct. Nothing was signed.")).to_be_visible()
    expect(r2.get_by_test_id("vote-form").locator("textarea[name=rationale]")).to_have_value(
        "Reduce the reach of the first wave."
    )
    accept_and_vote(r2, base, campaign, "request_changes", "Reduce the reach of the first wave.")
    r3 = session(browser, base, people["r3"])
    accept_and_vote(r3, base, campaign, "approve", "Low risk, safeguards in place.")
    open_campaign(marketer, base, campaign)
    expect(status(marketer)).to_have_attribute("data-status", "changes_requested")

    # The marketer revises one answer and resubmits.
    marketer.goto(f"{base}/campaigns/{campaign.pk}/assessment/privacy/")
    number = marketer.locator("input[inputmode=decimal]").first
    number.fill("300")
    number.press("Tab")  # saved on change (htmx)
    marketer.wait_for_function("() => !document.querySelector('.htmx-request')")
    expect(marketer.locator("#questions [role=status]")).to_have_text("Answers saved.")
    open_campaign(marketer, base, campaign)
    marketer.get_by_role("link", name="Resubmit to the board").click()
    marketer.get_by_role("button", name="Confirm and resubmit").click()
    expect(status(marketer)).to_have_attribute("data-status", "in_review")

    # The reviewers see what changed and approve, one with a condition.
    open_campaign(r2, base, campaign)
    r2.get_by_role("link", name="what changed").click()
    expect(r2.get_by_test_id("answer-diff")).to_contain_text("300")
    accept_and_vote(
        r2,
        base,
        campaign,
        "approve_with_conditions",
        "Fine now.",
        "Label every generated post as AI-made.",
    )
    accept_and_vote(r3, base, campaign, "approve", "Still fine.")
    open_campaign(marketer, base, campaign)
    expect(status(marketer)).to_have_attribute("data-status", "approved_with_conditions")
    expect(marketer.get_by_test_id("cleared")).to_have_count(0)

    # The marketer fulfils the condition; a reviewer verifies it; cleared for launch.
    conditions = marketer.get_by_test_id("conditions")
    conditions.locator("textarea[name=note]").fill("Labels added to all 40 posts.")
    conditions.get_by_role("button", name="Mark as fulfilled").click()
    open_campaign(r2, base, campaign)
    r2.get_by_test_id("conditions").get_by_role("button", name="Verify").click()
    open_campaign(marketer, base, campaign)
    expect(marketer.get_by_test_id("cleared")).to_be_visible()

    # The timeline shows every step.
    timeline = marketer.get_by_test_id("timeline")
    earlier = timeline.get_by_test_id("timeline-earlier")
    if earlier.count():  # the earlier entries open without JavaScript (<details>)
        earlier.locator("summary").click()
    for kind in [
        "submitted",
        "assigned",
        "recused",
        "accepted",
        "signature_failed",
        "voted",
        "decided",
        "answers_saved",
        "condition_fulfilled",
        "condition_verified",
    ]:
        expect(timeline.locator(f"li[data-kind={kind}]").first).to_be_visible()
    assert Campaign.objects.get().status == CampaignStatus.APPROVED_WITH_CONDITIONS
    assert not [e for e in console_errors if "Content Security Policy" in e], console_errors

    # The audit chain verifies; a row altered by raw SQL (triggers dropped) is found.
    out = StringIO()
    call_command("verify_audit_log", stdout=out)
    assert re.match(r"OK \d+ events", out.getvalue())
    audit.drop_triggers(connection)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE assessments_auditevent SET payload = %s WHERE seq = "
                "(SELECT MIN(seq) FROM assessments_auditevent WHERE kind = 'voted')",
                ['{"vote": "approve"}'],
            )
    finally:
        audit.install_triggers(connection)
    err = StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify_audit_log", stdout=StringIO(), stderr=err)
    assert exit_info.value.code == 1
    assert "BROKEN at event" in err.getvalue()
