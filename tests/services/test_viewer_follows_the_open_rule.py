"""``Campaign.objects.with_viewer`` tells ``available_actions`` whether the viewer may
respond to or vote on the current version through the one rule for open work
(``Assignment.objects.open``): for an assignment in every state, both agree, and agree
with what the reviewer may do."""

import pytest

from assessments import permissions, services
from assessments.models import Assignment, AssignmentStatus, Campaign
from tests.conftest import set_rule
from tests.dashboard.scenario import make
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def viewer_facts(campaign, reviewer):
    read = Campaign.objects.with_viewer(reviewer).get(pk=campaign.pk)
    mine = Assignment.objects.open().filter(campaign=campaign, reviewer=reviewer)
    pending = mine.filter(status=AssignmentStatus.PENDING).values_list("pk", flat=True).first()
    to_vote = mine.filter(status=AssignmentStatus.ACCEPTED).exists()
    assert (read.viewer_pending_id, read.viewer_to_vote) == (pending, to_vote)
    actions = permissions.available_actions(read, reviewer)
    return ("respond" in actions, "vote" in actions)


def test_every_assignment_state(questionnaire, marketer, chair, board, team):
    set_rule("I", reviewers_required=2)
    campaign = make(marketer, team, questionnaire, "Every state")
    services.campaign_submit(actor=marketer, campaign=campaign)
    services.review_assign(actor=chair, campaign=campaign, reviewers=[board[0], board[1]])
    first, second = (
        Assignment.objects.get(campaign=campaign, reviewer=reviewer)
        for reviewer in (board[0], board[1])
    )
    assert viewer_facts(campaign, board[0]) == (True, False)  # pending
    services.assignment_accept(actor=board[0], assignment=first, declaration="None")
    assert viewer_facts(campaign, board[0]) == (False, True)  # accepted, not voted
    for status in ("recused", "cancelled", "withdrawn"):  # not active: no open work
        Assignment.objects.filter(pk=first.pk).update(status=status)
        assert viewer_facts(campaign, board[0]) == (False, False), status
    Assignment.objects.filter(pk=first.pk).update(status="accepted")
    services.vote_cast(
        actor=board[0], campaign=campaign, decision="approve", rationale="Ok.", password=PASSWORD
    )
    assert viewer_facts(campaign, board[0]) == (False, False)  # voted
    services.assignment_accept(actor=board[1], assignment=second, declaration="None")
    assert viewer_facts(campaign, board[1]) == (False, True)
    services.vote_cast(
        actor=board[1],
        campaign=campaign,
        decision="request_changes",
        rationale="Fix it.",
        reasons=["fairness"],
        password=PASSWORD,
    )
    assert viewer_facts(campaign, board[1]) == (False, False)  # review closed
    # A new version: what the reviewers may do comes from their assignments on it, not
    # from the accepted ones on the first version.
    services.campaign_submit(actor=marketer, campaign=campaign)
    Assignment.objects.filter(pk__in=[first.pk, second.pk]).update(status="accepted")
    assert not Assignment.objects.open().filter(pk__in=[first.pk, second.pk]).exists()
    for reviewer in (board[0], board[1]):
        newer = Assignment.objects.open().filter(campaign=campaign, reviewer=reviewer)
        newer.update(status="cancelled")
        assert viewer_facts(campaign, reviewer) == (False, False)


def test_an_accepted_assignment_on_a_withdrawn_campaign_is_not_open_work(
    questionnaire, marketer, chair, board, team
):
    set_rule("I", reviewers_required=1)
    campaign = make(marketer, team, questionnaire, "Withdrawn")
    services.campaign_submit(actor=marketer, campaign=campaign)
    services.review_assign(actor=chair, campaign=campaign, reviewers=[board[0]])
    assignment = Assignment.objects.get(campaign=campaign, reviewer=board[0])
    services.assignment_accept(actor=board[0], assignment=assignment, declaration="None")
    services.campaign_withdraw(actor=marketer, campaign=campaign, reason="Cancelled.")
    # Even if the assignment had stayed accepted, the review is over.
    Assignment.objects.filter(pk=assignment.pk).update(status="accepted")
    assert viewer_facts(campaign, board[0]) == (False, False)
    assert not Campaign.objects.with_viewer(board[0]).get(pk=campaign.pk).viewer_to_vote


def test_someone_off_the_board_holds_no_open_work(questionnaire, marketer, chair, board, team):
    """Losing the reviewer role withdraws a person's assignments; were one left behind
    (written past the services), the page still offers them neither respond nor vote."""
    set_rule("I", reviewers_required=1)
    campaign = make(marketer, team, questionnaire, "Demoted")
    services.campaign_submit(actor=marketer, campaign=campaign)
    services.review_assign(actor=chair, campaign=campaign, reviewers=[board[0]])
    assert viewer_facts(campaign, board[0]) == (True, False)
    board[0].roles.all().delete()
    board[0].roles.create(role="manager")
    demoted = type(board[0]).objects.get(pk=board[0].pk)
    read = Campaign.objects.with_viewer(demoted).get(pk=campaign.pk)
    assert (read.viewer_pending_id, read.viewer_to_vote) == (None, False)
    actions = permissions.available_actions(read, demoted)
    assert "respond" not in actions and "vote" not in actions
