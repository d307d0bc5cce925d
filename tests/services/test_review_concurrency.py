"""Races on PostgreSQL (select_for_update is a no-op on SQLite): each gives exactly one
consistent outcome."""

import threading

import pytest
from django.db import connections

from assessments import audit, services
from assessments.errors import ServiceError
from assessments.models import Assignment, AuditEvent, Campaign, CampaignVersion, Decision, Vote
from tests.conftest import set_rule
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def race(*calls):
    """Run the calls at the same moment in threads; return their results or errors."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = ("ok", call())
        except ServiceError as exc:
            results[index] = ("refused", str(exc.message))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def staffed(campaign, marketer, chair, reviewers):
    set_rule("I", reviewers_required=len(reviewers))
    services.campaign_submit(actor=marketer, campaign=campaign)
    services.review_assign(actor=chair, campaign=campaign, reviewers=reviewers)
    for reviewer in reviewers:
        assignment = Assignment.objects.get(reviewer=reviewer, status="pending")
        services.assignment_accept(actor=reviewer, assignment=assignment, declaration="None")


def vote_call(reviewer, campaign, decision="approve"):
    return lambda: services.vote_cast(
        actor=reviewer, campaign=campaign, decision=decision, rationale="ok", password=PASSWORD
    )


def test_reviewers_voting_at_the_same_moment_give_one_decision(
    postgres, complete_campaign, marketer, chair, board
):
    staffed(complete_campaign, marketer, chair, board)
    results = race(*[vote_call(r, complete_campaign) for r in board])
    assert [r[0] for r in results] == ["ok", "ok", "ok"]
    assert Vote.objects.count() == 3
    assert Decision.objects.count() == 1
    assert Campaign.objects.get().status == "approved"
    assert AuditEvent.objects.filter(kind="decided").count() == 1
    assert audit.verify().ok


def test_double_clicked_submit_makes_one_version(postgres, complete_campaign, marketer):
    results = race(
        lambda: services.campaign_submit(actor=marketer, campaign=complete_campaign),
        lambda: services.campaign_submit(actor=marketer, campaign=complete_campaign),
    )
    assert sorted(r[0] for r in results) == ["ok", "refused"]
    assert CampaignVersion.objects.count() == 1
    assert AuditEvent.objects.filter(kind="submitted").count() == 1
    assert audit.verify().ok


def test_a_vote_racing_a_withdrawal_has_one_consistent_outcome(
    postgres, complete_campaign, marketer, chair, board
):
    staffed(complete_campaign, marketer, chair, board[:1])
    results = race(
        vote_call(board[0], complete_campaign),
        lambda: services.campaign_withdraw(actor=marketer, campaign=complete_campaign),
    )
    outcomes = sorted(r[0] for r in results)
    assert outcomes == ["ok", "refused"], results
    status = Campaign.objects.get().status
    if Vote.objects.exists():
        assert status == "approved" and Decision.objects.count() == 1
    else:
        assert status == "withdrawn" and not Decision.objects.exists()
    assert audit.verify().ok


def test_the_last_vote_racing_the_chairs_overrule_never_lands_the_signature_unseen(
    postgres, complete_campaign, marketer, chair, board
):
    """The chair read the campaign in review and overrules to "approved" while the last
    reviewer rejects: either the vote lands first and the overrule (which named "in review")
    is refused, or the overrule lands first and the vote is refused. Never an overrule of a
    rejection the chair had not seen."""
    staffed(complete_campaign, marketer, chair, board[:1])
    seen = services.signing_expectation(complete_campaign, "overrule")
    assert seen["expected_outcome"] == "in_review"
    results = race(
        lambda: services.vote_cast(
            actor=board[0],
            campaign=complete_campaign,
            decision="reject",
            rationale="Targets people in debt.",
            reasons=["privacy"],
            password=PASSWORD,
        ),
        lambda: services.decision_overrule(
            actor=chair,
            campaign=complete_campaign,
            outcome="approved",
            rationale="Approved as designed.",
            password=PASSWORD,
            **seen,
        ),
    )
    assert sorted(r[0] for r in results) == ["ok", "refused"], results
    campaign = Campaign.objects.get()
    overruled = AuditEvent.objects.filter(kind="overruled")
    if results[0][0] == "ok":  # the vote won
        assert campaign.status == "rejected" and not overruled.exists()
        assert "changed while you were deciding" in results[1][1]
    else:
        assert campaign.status == "approved" and not Vote.objects.exists()
        assert overruled.get().payload["from"] == "in_review"
    assert audit.verify().ok


def test_a_vote_racing_the_loss_of_the_reviewer_role_has_one_consistent_outcome(
    postgres, complete_campaign, marketer, chair, board, admin_user
):
    """Both lock the person's row first, then the campaign: no deadlock, and either the vote
    was signed while the role was held (it stands) or the assignment is withdrawn and no
    vote exists."""
    staffed(complete_campaign, marketer, chair, board[:1])
    results = race(
        vote_call(board[0], complete_campaign, "reject"),
        lambda: services.user_set_roles(actor=admin_user, user=board[0], roles=["manager"]),
    )
    assert results[1][0] == "ok", results
    assignment = Assignment.objects.get(reviewer=board[0])
    if results[0][0] == "ok":
        assert Vote.objects.filter(reviewer=board[0]).exists()
        assert assignment.status == "accepted"
        assert Campaign.objects.get().status == "rejected"
    else:
        assert not Vote.objects.exists() and assignment.status == "withdrawn"
        assert AuditEvent.objects.filter(kind="assignment_withdrawn").count() == 1
        assert Campaign.objects.get().status == "in_review"
    assert audit.verify().ok
