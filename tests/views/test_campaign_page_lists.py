"""The campaign page reads a list only when the campaign has rows in it (the campaign's
own query says which are empty): every list still shows, and the query count stays
fixed for a campaign with everything."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments import services
from assessments.models import Condition
from tests.factories import PASSWORD
from tests.services.test_review_workflow import reload, submit_and_staff, two_reviewer_rule, vote

pytestmark = pytest.mark.django_db

# Session, user, roles and the notification count are the floor's four; + the campaign
# (with its newest version, the reader's assignment and vote on it and its last audit
# event, in one query; which lists have rows is kept under that event); + the newest
# questionnaire version (is the campaign's older? for editors and the board). The review's
# versions, assignments, votes, comments and history are cached fragments (read on a miss
# only; the page is read once before it is measured). The same on every database.
# The chair on a campaign with every list: + the chair's teams (are they a party?), the
# evidence, the feedback, and the versions and decisions that the signing forms carry (the
# conditions, with the Verify buttons worked out per reader, are kept under the event).
EVERYTHING = 11
# A marketer's draft: + the marketer's teams (the campaign's visibility); no version, so
# no review list is read.
DRAFT = 7


def page(client, campaign) -> tuple[str, int]:
    url = reverse("campaign_detail", args=[campaign.pk])
    client.get(url)  # the per-process definition and score caches
    with CaptureQueriesContext(connection) as captured:
        html = client.get(url).text
    return html, len(captured)


def test_a_draft_reads_no_review_lists(client, marketer, campaign):
    client.force_login(marketer)
    html, count = page(client, campaign)
    assert count == DRAFT
    assert "No feedback yet." in html and 'data-testid="timeline"' in html


def test_a_campaign_with_every_list_shows_them_all(
    client, marketer, chair, board, complete_campaign
):
    campaign = complete_campaign
    services.evidence_add(
        actor=marketer,
        campaign=campaign,
        upload=SimpleUploadedFile("bias-test.pdf", b"%PDF-1.7\n%%EOF\n"),
        kind="dpia",
    )
    two_reviewer_rule()
    submit_and_staff(campaign, marketer, chair, board[:2])
    services.comment_add(actor=board[0], campaign=campaign, text="Check the lookalike seed.")
    vote(board[0], campaign, "approve_with_conditions", conditions=["Label the images."])
    vote(board[1], campaign, "approve")
    assert reload(campaign).status == "approved_with_conditions"
    services.feedback_add(
        actor=board[1],
        campaign=campaign,
        category="privacy",
        severity="concern",
        text="Opt-out link is hard to find.",
    )
    client.force_login(chair)
    html, count = page(client, campaign)
    assert count == EVERYTHING
    for shown in (
        "bias-test.pdf",
        "Check the lookalike seed.",
        "Label the images.",
        "Opt-out link is hard to find.",
        "approve_with_conditions because reasons",
    ):
        assert shown in html, shown


def test_a_list_that_was_empty_shows_its_first_row(client, marketer, manager, campaign):
    """Which lists are empty is kept under the campaign's last audit event: adding a row
    records an event, so a page read before shows the row."""
    client.force_login(marketer)
    html, _count = page(client, campaign)
    assert "No feedback yet." in html and "bias-test.pdf" not in html
    services.evidence_add(
        actor=marketer,
        campaign=campaign,
        upload=SimpleUploadedFile("bias-test.pdf", b"%PDF-1.7\n%%EOF\n"),
        kind="dpia",
    )
    services.feedback_add(
        actor=manager,
        campaign=campaign,
        category="privacy",
        severity="concern",
        text="Opt-out link is hard to find.",
    )
    html, count = page(client, campaign)
    assert "bias-test.pdf" in html and "Opt-out link is hard to find." in html
    assert count == DRAFT + 2  # the evidence and the feedback are read now


def test_the_conditions_follow_fulfilment_and_verification(
    client, marketer, manager, chair, board, approved_campaign
):
    """The conditions are kept under the campaign's last audit event: fulfilling and
    verifying one each record an event, so a page read before shows the new status, and
    clearance follows."""
    services.decision_overrule(
        actor=chair,
        campaign=approved_campaign,
        outcome="approved_with_conditions",
        rationale="Disclosure needed",
        conditions=["Label every post as AI-generated."],
        password=PASSWORD,
        **services.signing_expectation(approved_campaign, "overrule"),
    )
    client.force_login(manager)
    html, _count = page(client, approved_campaign)
    assert 'data-status="open"' in html and 'data-testid="cleared"' not in html
    condition = Condition.objects.get(campaign=approved_campaign)
    services.condition_fulfil(actor=marketer, condition=condition, note="Labelled on every post.")
    html, _count = page(client, approved_campaign)
    assert 'data-status="fulfilled"' in html and "Labelled on every post." in html
    services.condition_verify(actor=board[1], condition=Condition.objects.get(pk=condition.pk))
    html, _count = page(client, approved_campaign)
    assert 'data-status="verified"' in html and 'data-testid="cleared"' in html
