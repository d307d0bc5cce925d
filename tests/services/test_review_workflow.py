"""The review workflow through its services: allowed and refused, end to end."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from assessments import audit, services, workflow
from assessments.errors import ServiceError
from assessments.models import (
    Assignment,
    AuditEvent,
    CampaignStatus,
    CampaignVersion,
    Condition,
    Decision,
    Vote,
)
from assessments.selectors import clearance
from tests.conftest import set_rule
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def kinds(campaign):
    return list(AuditEvent.objects.filter(campaign=campaign).values_list("kind", flat=True))


def reload(campaign):
    campaign.refresh_from_db()
    return campaign


def two_reviewer_rule():
    set_rule("I", reviewers_required=2)


def submit_and_staff(campaign, marketer, chair, reviewers):
    services.campaign_submit(actor=marketer, campaign=campaign)
    services.review_assign(actor=chair, campaign=campaign, reviewers=reviewers)
    for reviewer in reviewers:
        assignment = Assignment.objects.get(
            reviewer=reviewer, version__campaign=campaign, status="pending"
        )
        services.assignment_accept(
            actor=reviewer, assignment=assignment, declaration="No conflict."
        )


def vote(reviewer, campaign, decision, conditions=None):
    return services.vote_cast(
        actor=reviewer,
        campaign=campaign,
        decision=decision,
        rationale=f"{decision} because reasons",
        password=PASSWORD,
        conditions=conditions,
        reasons=["privacy"] if decision in ("reject", "request_changes") else None,
    )


# --- the voting rule --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "votes,outcome",
    [
        (["approve"], "approved"),
        (["approve", "approve_with_conditions"], "approved_with_conditions"),
        (["approve_with_conditions", "request_changes"], "changes_requested"),
        (["request_changes", "reject", "approve"], "rejected"),
    ],
)
def test_outcome_rule(votes, outcome):
    assert workflow.outcome_of(votes) == outcome


# --- submission -------------------------------------------------------------------------------


def test_incomplete_assessment_cannot_be_submitted(campaign, marketer):
    with pytest.raises(ServiceError, match="Answer every required question"):
        services.campaign_submit(actor=marketer, campaign=campaign)
    assert reload(campaign).status == "draft"
    assert not CampaignVersion.objects.exists()


def test_prohibited_result_is_refused_with_its_reasons(complete_campaign, marketer):
    services.assessment_save_answers(
        actor=marketer, campaign=complete_campaign, answers={"privacy.basis": "none"}
    )
    with pytest.raises(ServiceError, match="none is prohibited"):
        services.campaign_submit(actor=marketer, campaign=complete_campaign)
    assert not CampaignVersion.objects.exists()


def test_submission_freezes_a_fingerprinted_version(complete_campaign, marketer):
    version = services.campaign_submit(actor=marketer, campaign=complete_campaign)
    campaign = reload(complete_campaign)
    assert campaign.status == "submitted" and campaign.tier == "I"
    assert version.number == 1 and len(version.fingerprint) == 64
    assert version.content["answers"]["privacy.basis"] == "consent"
    assert version.fingerprint == services.submission.fingerprint_of(version.content)
    assert campaign.review_due_at > campaign.submitted_at
    assert "submitted" in kinds(campaign)
    # Later edits are refused while in review, and never touch the frozen version.
    with pytest.raises(ServiceError):
        services.assessment_save_answers(
            actor=marketer, campaign=campaign, answers={"privacy.basis": "legitimate"}
        )
    version.refresh_from_db()
    assert version.content["answers"]["privacy.basis"] == "consent"


@pytest.mark.parametrize("persona", ["outsider", "reviewer", "chair", "manager", "admin"])
def test_only_the_team_submits(request, complete_campaign, persona):
    with pytest.raises(ServiceError):
        services.campaign_submit(
            actor=request.getfixturevalue("admin_user" if persona == "admin" else persona),
            campaign=complete_campaign,
        )
    assert reload(complete_campaign).status == "draft"


def test_double_submit_is_refused(complete_campaign, marketer):
    services.campaign_submit(actor=marketer, campaign=complete_campaign)
    with pytest.raises(ServiceError):
        services.campaign_submit(actor=marketer, campaign=complete_campaign)
    assert CampaignVersion.objects.count() == 1


# --- routing ---------------------------------------------------------------------------------


def test_chair_assigns_and_review_starts_when_staffed(complete_campaign, marketer, chair, board):
    two_reviewer_rule()
    services.campaign_submit(actor=marketer, campaign=complete_campaign)
    services.review_assign(actor=chair, campaign=complete_campaign, reviewers=board[:1])
    assert reload(complete_campaign).status == "submitted"  # one of two
    services.review_assign(actor=chair, campaign=complete_campaign, reviewers=board[1:2])
    assert reload(complete_campaign).status == "in_review"


def test_nobody_reviews_their_own_or_their_teams_campaign(complete_campaign, marketer, chair, team):
    colleague = UserFactory(roles=["reviewer", "marketer"], teams=[team])
    services.campaign_submit(actor=marketer, campaign=complete_campaign)
    with pytest.raises(ServiceError, match="cannot review"):
        services.review_assign(actor=chair, campaign=complete_campaign, reviewers=[colleague])
    assert not Assignment.objects.exists()


@pytest.mark.parametrize("persona", ["reviewer", "manager", "marketer"])
def test_only_the_chair_assigns(request, complete_campaign, marketer, board, persona):
    services.campaign_submit(actor=marketer, campaign=complete_campaign)
    with pytest.raises(ServiceError):
        services.review_assign(
            actor=request.getfixturevalue(persona), campaign=complete_campaign, reviewers=board[:1]
        )


def test_proposal_prefers_the_least_loaded_and_a_specialist(
    complete_campaign, marketer, chair, board
):
    set_rule("I", reviewers_required=2, specialist_required=True)
    services.campaign_submit(actor=marketer, campaign=complete_campaign)
    proposal = services.review_propose(campaign=complete_campaign)
    assert len(proposal) == 2
    assert any(u.is_specialist for u in proposal)


def test_recusal_is_recorded_and_replaced(complete_campaign, marketer, chair, board):
    services.campaign_submit(actor=marketer, campaign=complete_campaign)
    services.review_assign(actor=chair, campaign=complete_campaign, reviewers=board[:1])
    assignment = Assignment.objects.get(reviewer=board[0])
    with pytest.raises(ServiceError, match="reason"):
        services.assignment_recuse(actor=board[0], assignment=assignment, reason=" ")
    replacement = services.assignment_recuse(
        actor=board[0], assignment=assignment, reason="I advised this team last month."
    )
    assert replacement is not None and replacement.reviewer != board[0]
    assignment.refresh_from_db()
    assert assignment.status == "recused" and "advised" in assignment.recusal_reason
    assert kinds(complete_campaign).count("recused") == 1


def test_someone_elses_assignment_cannot_be_answered(complete_campaign, marketer, chair, board):
    services.campaign_submit(actor=marketer, campaign=complete_campaign)
    services.review_assign(actor=chair, campaign=complete_campaign, reviewers=board[:1])
    assignment = Assignment.objects.get(reviewer=board[0])
    with pytest.raises(ServiceError, match="not your assignment"):
        services.assignment_accept(actor=board[1], assignment=assignment, declaration="None")


# --- votes and signatures -----------------------------------------------------------------------


def test_wrong_password_records_a_failed_signature_and_no_vote(
    complete_campaign, marketer, chair, board
):
    submit_and_staff(complete_campaign, marketer, chair, board[:1])
    with pytest.raises(ServiceError, match="password is not correct"):
        services.vote_cast(
            actor=board[0],
            campaign=complete_campaign,
            decision="approve",
            rationale="Fine",
            password="wrong-password",
        )
    assert not Vote.objects.exists()
    assert "signature_failed" in kinds(complete_campaign)
    assert reload(complete_campaign).status == "in_review"


def test_signed_vote_records_name_time_meaning_and_fingerprint(
    complete_campaign, marketer, chair, board
):
    two_reviewer_rule()
    submit_and_staff(complete_campaign, marketer, chair, board[:2])
    cast = vote(board[0], complete_campaign, "approve")
    version = CampaignVersion.objects.get()
    assert cast.signer_name == board[0].display_name
    assert cast.fingerprint == version.fingerprint
    assert cast.meaning.startswith("I approve")
    assert cast.signed_at <= timezone.now()
    with pytest.raises(ServiceError):
        vote(board[0], complete_campaign, "reject")  # once per version
    assert Vote.objects.count() == 1


def test_a_vote_needs_an_accepted_assignment(complete_campaign, marketer, chair, board):
    services.campaign_submit(actor=marketer, campaign=complete_campaign)
    services.review_assign(actor=chair, campaign=complete_campaign, reviewers=board[:1])
    with pytest.raises(ServiceError):
        vote(board[0], complete_campaign, "approve")
    with pytest.raises(ServiceError):
        vote(board[1], complete_campaign, "approve")  # not assigned at all


def test_rationale_and_conditions_are_checked(complete_campaign, marketer, chair, board):
    submit_and_staff(complete_campaign, marketer, chair, board[:1])
    with pytest.raises(ServiceError, match="rationale"):
        services.vote_cast(
            actor=board[0],
            campaign=complete_campaign,
            decision="approve",
            rationale="",
            password=PASSWORD,
        )
    with pytest.raises(ServiceError, match="at least one condition"):
        vote(board[0], complete_campaign, "approve_with_conditions", conditions=[" "])
    assert not Vote.objects.exists()


# --- the whole journey --------------------------------------------------------------------------


def test_changes_requested_revision_conditions_and_clearance(
    complete_campaign, marketer, chair, board
):
    two_reviewer_rule()
    campaign = complete_campaign
    submit_and_staff(campaign, marketer, chair, board[:2])
    vote(board[0], campaign, "approve")
    assert reload(campaign).status == "in_review"  # waits for the second vote
    vote(board[1], campaign, "request_changes")
    assert reload(campaign).status == "changes_requested"
    assert not clearance(campaign)["cleared"]

    # The marketer revises and resubmits; the same reviewers vote on version 2.
    services.assessment_save_answers(
        actor=marketer, campaign=campaign, answers={"fairness.reach": 800}
    )
    v2 = services.campaign_submit(actor=marketer, campaign=campaign)
    assert v2.number == 2 and reload(campaign).status == "in_review"
    assert set(v2.assignments.values_list("reviewer", flat=True)) == {board[0].pk, board[1].pk}
    vote(board[0], campaign, "approve")
    vote(board[1], campaign, "approve_with_conditions", conditions=["Label every generated image."])
    campaign = reload(campaign)
    assert campaign.status == "approved_with_conditions"
    assert campaign.approval_expires_at > timezone.now()
    condition = Condition.objects.get()
    assert clearance(campaign)["cleared"] is False
    assert clearance(campaign)["open_conditions"][0]["text"] == "Label every generated image."

    with pytest.raises(ServiceError):
        services.condition_verify(actor=board[0], condition=condition)  # not fulfilled yet
    services.condition_fulfil(
        actor=marketer, condition=condition, note="Labels added to all assets."
    )
    with pytest.raises(ServiceError):
        services.condition_verify(actor=marketer, condition=condition)  # not board
    services.condition_verify(actor=board[0], condition=condition)
    status = clearance(reload(campaign))
    assert status["cleared"] is True and status["approved_version"] == 2 and status["tier"] == "I"
    assert audit.verify().ok
    for kind in [
        "submitted",
        "assigned",
        "accepted",
        "voted",
        "decided",
        "condition_fulfilled",
        "condition_verified",
    ]:
        assert kind in kinds(campaign), kind


def test_tier_needing_confirmation_waits_for_the_chair(complete_campaign, marketer, chair, board):
    set_rule("I", chair_confirms=True)
    submit_and_staff(complete_campaign, marketer, chair, board[:1])
    vote(board[0], complete_campaign, "approve")
    assert reload(complete_campaign).status == "awaiting_confirmation"
    with pytest.raises(ServiceError):
        services.decision_confirm(
            actor=board[1],
            campaign=complete_campaign,
            password=PASSWORD,
            **services.signing_expectation(complete_campaign, "confirm"),
        )
    with pytest.raises(ServiceError, match="password"):
        services.decision_confirm(
            actor=chair,
            campaign=complete_campaign,
            password="nope",
            **services.signing_expectation(complete_campaign, "confirm"),
        )
    services.decision_confirm(
        actor=chair,
        campaign=complete_campaign,
        password=PASSWORD,
        **services.signing_expectation(complete_campaign, "confirm"),
    )
    assert reload(complete_campaign).status == "approved"
    assert Decision.objects.filter(kind="confirmed", decided_by=chair).exists()


def test_chair_overrules_with_a_signed_rationale(complete_campaign, marketer, chair, board):
    submit_and_staff(complete_campaign, marketer, chair, board[:1])
    vote(board[0], complete_campaign, "reject")
    assert reload(complete_campaign).status == "rejected"
    with pytest.raises(ServiceError, match="rationale"):
        services.decision_overrule(
            actor=chair,
            campaign=complete_campaign,
            outcome="approved",
            rationale="",
            password=PASSWORD,
            **services.signing_expectation(complete_campaign, "overrule"),
        )
    services.decision_overrule(
        actor=chair,
        campaign=complete_campaign,
        outcome="approved",
        rationale="The reviewer misread the data sources.",
        password=PASSWORD,
        **services.signing_expectation(complete_campaign, "overrule"),
    )
    assert reload(complete_campaign).status == "approved"
    overrule = Decision.objects.get(kind="overruled")
    assert overrule.signer_name == chair.display_name and "overrule" in overrule.meaning
    assert "overruled" in kinds(complete_campaign)


def test_withdraw_and_refused_transitions(complete_campaign, marketer, chair, board):
    services.campaign_submit(actor=marketer, campaign=complete_campaign)
    services.review_assign(actor=chair, campaign=complete_campaign, reviewers=board[:1])
    services.campaign_withdraw(actor=marketer, campaign=complete_campaign, reason="Postponed")
    assert reload(complete_campaign).status == "withdrawn"
    assert Assignment.objects.get().status == "cancelled"
    for action in (
        lambda: services.campaign_submit(actor=marketer, campaign=complete_campaign),
        lambda: services.campaign_withdraw(actor=marketer, campaign=complete_campaign),
        lambda: services.decision_confirm(
            actor=chair,
            campaign=complete_campaign,
            password=PASSWORD,
            **services.signing_expectation(complete_campaign, "confirm"),
        ),
        lambda: vote(board[0], complete_campaign, "approve"),
    ):
        with pytest.raises(ServiceError):
            action()
    assert reload(complete_campaign).status == "withdrawn"


def test_approvals_expire(complete_campaign, marketer, chair, board):
    submit_and_staff(complete_campaign, marketer, chair, board[:1])
    vote(board[0], complete_campaign, "approve")
    campaign = reload(complete_campaign)
    assert (
        services.approvals_expire(now=campaign.approval_expires_at - timezone.timedelta(days=1))
        == 0
    )
    assert services.approvals_expire(now=campaign.approval_expires_at) == 1
    assert reload(campaign).status == "expired"
    assert services.approvals_expire(now=campaign.approval_expires_at) == 0  # idempotent
    assert not clearance(campaign)["cleared"]


def test_failure_in_the_middle_of_a_decision_leaves_nothing(
    complete_campaign, marketer, chair, board, monkeypatch
):
    submit_and_staff(complete_campaign, marketer, chair, board[:1])
    events_before = AuditEvent.objects.count()

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services.review, "_apply_outcome", explode)
    with pytest.raises(RuntimeError):
        vote(board[0], complete_campaign, "approve")
    assert not Vote.objects.exists()
    assert not Decision.objects.exists()
    assert reload(complete_campaign).status == "in_review"
    assert AuditEvent.objects.count() == events_before


def test_run_periodic_expires_approvals(complete_campaign, marketer, chair, board):
    submit_and_staff(complete_campaign, marketer, chair, board[:1])
    vote(board[0], complete_campaign, "approve")
    campaign = reload(complete_campaign)
    campaign.approval_expires_at = timezone.now() - timezone.timedelta(minutes=1)
    campaign.save(update_fields=["approval_expires_at"])
    out = StringIO()
    call_command("run_periodic", stdout=out)
    assert "expire-approvals: 1" in out.getvalue()
    assert reload(campaign).status == "expired"
    assert "expired" in kinds(campaign)


@pytest.mark.parametrize("action", sorted(workflow.TRANSITIONS))
@pytest.mark.parametrize("status", [s.value for s in CampaignStatus])
def test_every_transition_is_allowed_or_refused_by_the_table(action, status):
    sources, targets = workflow.TRANSITIONS[action]
    target = sorted(targets)[0]
    if status in sources:
        assert workflow.transition(action, status, target) == target
    else:
        with pytest.raises(workflow.WorkflowError):
            workflow.transition(action, status, target)
