"""The review queue page, list by list: what each item shows and where it links (the
items are prepared as plain rows by selectors.review_queue_for)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments import board_queue, services
from assessments.models import Assignment
from tests.conftest import set_rule
from tests.dashboard.scenario import make, review
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

NAME = 'Spring <i>launch</i> & "more"'
ESCAPED = "Spring &lt;i&gt;launch&lt;/i&gt; &amp; &quot;more&quot;"


def detail(campaign, anchor: str) -> str:
    return reverse("campaign_detail", args=[campaign.pk]) + anchor


def section(html: str, testid: str) -> str:
    match = re.search(
        rf'<ul[^>]*data-testid="{testid}">(.*?)</ul>\s*(?:</section>|<h2)', html, re.S
    )
    assert match, testid
    return match.group(1)


def test_every_list_shows_its_items(questionnaire, marketer, team, chair, board, client):
    set_rule("I", reviewers_required=1)
    # To route: submitted, nobody assigned yet; its name is escaped, its tier named.
    waiting = make(marketer, team, questionnaire, NAME)
    services.campaign_submit(actor=marketer, campaign=waiting)
    # To accept, then to vote: assigned to board[0].
    assigned = make(marketer, team, questionnaire, "Assigned one")
    services.campaign_submit(actor=marketer, campaign=assigned)
    services.review_assign(actor=chair, campaign=assigned, reviewers=[board[0]])
    # A recusal in an open review, with its reason.
    recused = make(marketer, team, questionnaire, "Recused one")
    services.campaign_submit(actor=marketer, campaign=recused)
    services.review_assign(actor=chair, campaign=recused, reviewers=[board[1]])
    services.assignment_recuse(
        actor=board[1],
        assignment=Assignment.objects.get(campaign=recused, reviewer=board[1]),
        reason="I advised <this> team.",
    )
    # Flagged by serious feedback after approval; the feedback is also to triage.
    approved = review(
        make(marketer, team, questionnaire, "Approved one"), marketer, chair, board[2], "approve"
    )
    long_text = "Targets people in debt. " * 10  # 240 characters
    services.feedback_add(
        actor=board[2],
        campaign=approved,
        category="manipulation",
        severity="serious",
        text=long_text,
    )
    # A fulfilled condition to verify.
    conditional = review(
        make(marketer, team, questionnaire, "Conditional one"),
        marketer,
        chair,
        board[2],
        "approve_with_conditions",
    )
    condition = conditional.conditions.get()
    services.condition_fulfil(actor=marketer, condition=condition, note="Done.")

    client.force_login(chair)
    html = client.get(reverse("review_queue")).content.decode()

    route = section(html, "to-route")
    assert f'<a href="{detail(waiting, "#review")}">{ESCAPED}</a>' in route
    assert 'data-tier="I">Tier I · Low</span>' in route and NAME not in html
    assert "Assigned one" not in route  # staffed: no longer the chair's to route

    recusals = section(html, "recusals")
    assert f'<a href="{detail(recused, "#review")}">Recused one</a>' in recusals
    assert f"{board[1].display_name or board[1].email} — I advised &lt;this&gt; team." in recusals

    flagged = section(html, "flagged")
    assert f'<a href="{detail(approved, "#feedback")}">Approved one</a>' in flagged
    clipped = long_text[:139] + "…"
    assert f"<li>Serious · Manipulation: {clipped}</li>" in flagged

    triage = section(html, "to-triage")
    assert (
        f'<a href="{detail(approved, "#feedback")}">Approved one</a> · Colleague · Serious: '
        in triage
    )
    assert long_text[:119] + "…" in triage

    verify = section(html, "to-verify")
    assert (
        f'<a href="{detail(conditional, "#conditions")}">Conditional one</a>: Label every post.'
        in verify
    )

    # The reviewer's own lists: to accept, then (after accepting) to vote, with the due day.
    client.force_login(board[0])
    due = timezone.localtime(type(assigned).objects.get(pk=assigned.pk).review_due_at)
    accept = section(client.get(reverse("review_queue")).content.decode(), "to-accept")
    assert (
        f'<a href="{detail(assigned, "#review")}">Assigned one</a> · v1 · due {due:%Y-%m-%d}'
        in accept
    )
    services.assignment_accept(
        actor=board[0],
        assignment=Assignment.objects.get(campaign=assigned, reviewer=board[0]),
        declaration="None",
    )
    page = client.get(reverse("review_queue")).content.decode()
    assert "Assigned one" not in section(page, "to-accept")
    assert f'<a href="{detail(assigned, "#review")}">Assigned one</a> · v1 · due' in section(
        page, "to-vote"
    )
    services.vote_cast(
        actor=board[0], campaign=assigned, decision="approve", rationale="Fine.", password=PASSWORD
    )
    assert "Assigned one" not in section(
        client.get(reverse("review_queue")).content.decode(), "to-vote"
    )


def test_each_list_shows_its_most_urgent_and_says_there_are_more(
    questionnaire, marketer, team, chair, board, client, monkeypatch
):
    """With one item per list: the earliest due is shown, and a link says there are
    more (the lists are read in one UNION statement and sorted again in Python)."""
    monkeypatch.setattr(board_queue, "QUEUE_LIMIT", 1)
    set_rule("I", reviewers_required=1)
    names = ["Due first", "Due second", "Due third", "Due fourth"]
    campaigns = []
    for name in names:
        campaign = make(marketer, team, questionnaire, name)
        services.campaign_submit(actor=marketer, campaign=campaign)
        campaigns.append(campaign)
    for campaign in campaigns[2:]:
        services.review_assign(actor=chair, campaign=campaign, reviewers=[board[0]])
    client.force_login(chair)
    html = client.get(reverse("review_queue")).content.decode()
    route = section(html, "to-route")
    assert "Due first" in route and "Due second" not in route
    assert "?state=submitted&amp;sort=due" in route  # "more in the campaign list"
    client.force_login(board[0])
    accept = section(client.get(reverse("review_queue")).content.decode(), "to-accept")
    assert "Due third" in accept and "Due fourth" not in accept


def test_every_list_is_read_in_one_statement(questionnaire, marketer, team, chair, board):
    """The chair's nine lists are one UNION ALL of ORM querysets, each part ordered and
    limited on its own; what each list reads does not depend on the others."""
    set_rule("I", reviewers_required=1)
    for name in ("To route", "Assigned"):
        campaign = make(marketer, team, questionnaire, name)
        services.campaign_submit(actor=marketer, campaign=campaign)
    services.review_assign(actor=chair, campaign=campaign, reviewers=[chair])
    with CaptureQueriesContext(connection) as captured:
        lists = board_queue._read(chair, board_queue.NAMES)
    assert len(captured) == 1
    assert [row[2] for row in lists["to_route"]] == ["To route"]
    assert [row[2] for row in lists["to_accept"]] == ["Assigned"]
    assert board_queue._read(chair, ("to_route",)) == {"to_route": lists["to_route"]}
