"""Separation of duties under attack, through the services: nobody judges a campaign they
are a party to, signed acts re-check the signer at the moment of signing, role loss ends
open reviews, the chair's act names what it acts on, signature passwords are limited, and
the panel rule holds through recusals and withdrawals."""

import logging

import pytest
from allauth.mfa.models import Authenticator

from assessments import audit, permissions, ratelimit, services
from assessments.errors import ServiceError, SignatureLocked
from assessments.models import (
    Assignment,
    AuditEvent,
    Campaign,
    Condition,
    Decision,
    Feedback,
    Notification,
    UserRole,
    Vote,
)
from assessments.security_log import LOGGER_NAME
from assessments.selectors import clearance
from assessments.services.review import SIGNATURE_SCOPE
from tests.conftest import set_rule
from tests.factories import PASSWORD, UserFactory
from tests.security.conftest import enable_mfa


def actions_of(campaign, user) -> frozenset[str]:
    """``available_actions`` of the campaign read, as pages read it, with ``user``'s facts."""
    return permissions.available_actions(
        Campaign.objects.with_viewer(user).get(pk=campaign.pk), user
    )


pytestmark = pytest.mark.django_db


def reload(campaign):
    campaign.refresh_from_db()
    return campaign


def kinds(campaign):
    return list(AuditEvent.objects.filter(campaign=campaign).values_list("kind", flat=True))


def staff(campaign, marketer, chair, reviewers):
    services.campaign_submit(actor=marketer, campaign=campaign)
    services.review_assign(actor=chair, campaign=campaign, reviewers=reviewers)
    for reviewer in reviewers:
        accept(reviewer, campaign)


def accept(reviewer, campaign):
    assignment = Assignment.objects.get(
        reviewer=reviewer, campaign=campaign, status="pending", version__number=latest(campaign)
    )
    services.assignment_accept(actor=reviewer, assignment=assignment, declaration="None.")


def latest(campaign):
    return services.current_version(campaign).number


def vote(reviewer, campaign, decision="approve", password=PASSWORD):
    return services.vote_cast(
        actor=reviewer,
        campaign=campaign,
        decision=decision,
        rationale=f"{decision}: reasons",
        password=password,
        reasons=["privacy"] if decision in ("reject", "request_changes") else None,
    )


def overrule(chair, campaign, outcome="approved", **kwargs):
    expectation = services.signing_expectation(campaign, "overrule")
    expectation.update(kwargs.pop("expectation", {}))
    return services.decision_overrule(
        actor=chair,
        campaign=campaign,
        outcome=outcome,
        rationale="The chair decides otherwise.",
        password=kwargs.pop("password", PASSWORD),
        **expectation,
        **kwargs,
    )


@pytest.fixture
def insider(team):
    """Marketer, reviewer and chair in the campaign's team: the hostile insider."""
    return UserFactory(
        email="insider@example.com", roles=["marketer", "reviewer", "chair"], teams=[team]
    )


@pytest.fixture
def rejected(complete_campaign, marketer, chair, board):
    staff(complete_campaign, marketer, chair, board[:1])
    vote(board[0], complete_campaign, "reject")
    assert reload(complete_campaign).status == "rejected"
    return complete_campaign


@pytest.fixture
def conditioned(approved_campaign, chair):
    overrule(chair, approved_campaign, "approved_with_conditions", conditions=["Label every post."])
    assert reload(approved_campaign).status == "approved_with_conditions"
    return approved_campaign


# --- one rule: no judging of one's own team's campaign, nor one owned or submitted ------------


def test_an_insider_cannot_overrule_the_boards_rejection_of_his_teams_campaign(rejected, insider):
    assert "overrule" not in actions_of(rejected, insider)
    with pytest.raises(ServiceError) as refused:
        overrule(insider, rejected)
    assert refused.value.message == permissions.PARTY_MESSAGE
    assert reload(rejected).status == "rejected"
    assert not Decision.objects.filter(kind="overruled").exists()
    assert "overruled" not in kinds(rejected)


def test_an_insider_fulfils_but_cannot_verify_his_own_condition(conditioned, insider):
    condition = Condition.objects.get()
    actions = actions_of(conditioned, insider)
    assert "fulfil_conditions" in actions and "verify_conditions" not in actions
    services.condition_fulfil(actor=insider, condition=condition, note="Labelled.")
    with pytest.raises(ServiceError) as refused:
        services.condition_verify(actor=insider, condition=condition)
    assert refused.value.message == permissions.PARTY_MESSAGE
    condition.refresh_from_db()
    assert condition.status == "fulfilled" and condition.verified_by is None
    assert clearance(reload(conditioned))["cleared"] is False


def test_whoever_fulfilled_a_condition_never_verifies_it(conditioned, marketer, team):
    """Even after leaving the team for the board: the fulfiller is not the verifier."""
    condition = Condition.objects.get()
    services.condition_fulfil(actor=marketer, condition=condition, note="Labelled.")
    marketer.teams.remove(team)
    UserRole.objects.filter(user=marketer).update(role="reviewer")
    mover = type(marketer).objects.get(pk=marketer.pk)
    # Still the campaign's owner: a party. Hand the campaign over to see the second rule.
    conditioned.owner = UserFactory(roles=["marketer"], teams=[team])
    conditioned.save(update_fields=["owner"])
    conditioned.versions.update(submitted_by=conditioned.owner)
    assert not permissions.is_party(mover, conditioned)
    with pytest.raises(ServiceError, match="Whoever fulfilled a condition"):
        services.condition_verify(actor=mover, condition=condition)
    condition.refresh_from_db()
    assert condition.status == "fulfilled"


def test_an_insider_cannot_dismiss_serious_feedback_on_his_teams_campaign(
    approved_campaign, insider, reviewer
):
    feedback = services.feedback_add(
        actor=reviewer,
        campaign=approved_campaign,
        category="privacy",
        severity="serious",
        text="The lookalike audience reaches minors.",
    )
    assert "triage" not in actions_of(approved_campaign, insider)
    with pytest.raises(ServiceError) as refused:
        services.feedback_triage(
            actor=insider, feedback=feedback, status="dismissed", note="Not an issue."
        )
    assert refused.value.message == permissions.PARTY_MESSAGE
    assert Feedback.objects.get().status == "new"
    # A board member who is no party triages it.
    services.feedback_triage(actor=reviewer, feedback=feedback, status="acknowledged")
    assert Feedback.objects.get().status == "acknowledged"


def test_an_insider_cannot_confirm_his_teams_campaign(
    complete_campaign, marketer, chair, board, insider
):
    set_rule("I", chair_confirms=True)
    staff(complete_campaign, marketer, chair, board[:1])
    vote(board[0], complete_campaign)
    assert reload(complete_campaign).status == "awaiting_confirmation"
    assert "confirm" not in actions_of(complete_campaign, insider)
    with pytest.raises(ServiceError) as refused:
        services.decision_confirm(
            actor=insider,
            campaign=complete_campaign,
            password=PASSWORD,
            **services.signing_expectation(complete_campaign, "confirm"),
        )
    assert refused.value.message == permissions.PARTY_MESSAGE
    assert reload(complete_campaign).status == "awaiting_confirmation"


def test_an_insider_cannot_assign_reviewers_or_send_back(
    complete_campaign, marketer, insider, board
):
    services.campaign_submit(actor=marketer, campaign=complete_campaign)
    with pytest.raises(ServiceError):
        services.review_assign(actor=insider, campaign=complete_campaign, reviewers=board[:1])
    assert not Assignment.objects.exists()


def test_the_submitter_is_a_party_after_leaving_the_team(rejected, marketer, team, chair):
    """Someone who submitted a version stays a party when they leave the team and join the
    board as chair."""
    marketer.teams.remove(team)
    UserRole.objects.create(user=marketer, role="chair")
    moved = type(marketer).objects.get(pk=marketer.pk)
    rejected.owner = chair  # owned by someone else now; still the submitter
    rejected.save(update_fields=["owner"])
    assert permissions.is_party(moved, rejected)
    with pytest.raises(ServiceError):
        overrule(moved, rejected)
    assert reload(rejected).status == "rejected"


def test_nobody_who_is_a_party_is_proposed_or_assigned(
    complete_campaign, marketer, chair, team, board
):
    colleague = UserFactory(roles=["reviewer"], teams=[team])
    services.campaign_submit(actor=marketer, campaign=complete_campaign)
    version = services.current_version(complete_campaign)
    eligible = set(services.eligible_reviewers(complete_campaign, version))
    assert colleague not in eligible and set(board) <= eligible
    with pytest.raises(ServiceError, match="cannot review"):
        services.review_assign(actor=chair, campaign=complete_campaign, reviewers=[colleague])


JUDGING = permissions.JUDGING_ACTIONS


@pytest.mark.parametrize(
    "persona,expected",
    [
        ("marketer", set()),
        ("outsider", set()),
        ("reviewer", {"triage"}),
        ("chair", {"overrule", "triage", "send_back"}),
        ("manager", set()),
        ("admin", set()),
        ("insider", set()),
    ],
)
def test_judging_actions_for_every_role(request, approved_campaign, personas, persona, expected):
    user = request.getfixturevalue("insider") if persona == "insider" else personas[persona]
    assert actions_of(approved_campaign, user) & JUDGING == expected


# --- signed acts re-check the signer at the moment of signing ---------------------------------


def test_role_loss_withdraws_an_accepted_assignment_and_a_replacement_is_assigned(
    complete_campaign, marketer, chair, board, admin_user
):
    staff(complete_campaign, marketer, chair, board[1:2])
    services.user_set_roles(actor=admin_user, user=board[1], roles=["manager"])
    withdrawn = Assignment.objects.get(reviewer=board[1])
    assert withdrawn.status == "withdrawn"
    event = AuditEvent.objects.get(kind="assignment_withdrawn")
    assert event.actor_id == admin_user.pk and event.payload["reviewer"] == board[1].pk
    replacement = Assignment.objects.exclude(reviewer=board[1]).get()
    assert replacement.status == "pending" and replacement.reviewer != board[1]
    assert Notification.objects.filter(recipient=replacement.reviewer, kind="replacement").exists()
    # The former reviewer's vote is refused and decides nothing.
    with pytest.raises(ServiceError):
        vote(board[1], complete_campaign, "reject")
    assert not Vote.objects.exists()
    assert reload(complete_campaign).status == "in_review"
    assert audit.verify().ok


def test_deactivation_withdraws_open_assignments(
    complete_campaign, marketer, chair, board, admin_user
):
    staff(complete_campaign, marketer, chair, board[1:2])
    services.user_set_active(actor=admin_user, user=board[1], active=False)
    assert Assignment.objects.get(reviewer=board[1]).status == "withdrawn"
    assert "assignment_withdrawn" in kinds(complete_campaign)


def test_joining_the_campaigns_team_withdraws_the_assignment(
    complete_campaign, marketer, chair, board, admin_user, team
):
    staff(complete_campaign, marketer, chair, board[1:2])
    board[1].teams.add(team)  # in the admin, then the roles are saved (UserAdmin.save_related)
    services.user_set_roles(actor=admin_user, user=board[1], roles=["reviewer"])
    assert Assignment.objects.get(reviewer=board[1]).status == "withdrawn"


def test_a_vote_already_signed_stands_when_the_role_is_lost(
    complete_campaign, marketer, chair, board, admin_user
):
    set_rule("I", reviewers_required=2)
    staff(complete_campaign, marketer, chair, board[1:3])
    vote(board[1], complete_campaign)
    services.user_set_roles(actor=admin_user, user=board[1], roles=["manager"])
    assert Assignment.objects.get(reviewer=board[1]).status == "accepted"
    assert not AuditEvent.objects.filter(kind="assignment_withdrawn").exists()


def test_a_vote_re_checks_the_role_at_the_moment_of_signing(
    complete_campaign, marketer, chair, board
):
    """The role removed behind the services' back (no withdrawal ran): the vote is refused."""
    staff(complete_campaign, marketer, chair, board[1:2])
    UserRole.objects.filter(user=board[1]).update(role="manager")
    with pytest.raises(ServiceError) as refused:
        vote(board[1], complete_campaign, "reject")
    assert refused.value.message == permissions.ROLE_MESSAGE
    assert not Vote.objects.exists()
    assert reload(complete_campaign).status == "in_review"


def test_a_vote_re_checks_the_second_factor_at_the_moment_of_signing(
    complete_campaign, marketer, chair, board, settings
):
    enable_mfa(chair)
    enable_mfa(board[1])
    settings.REQUIRE_MFA_FOR_BOARD = True
    staff(complete_campaign, marketer, chair, board[1:2])
    Authenticator.objects.filter(user=board[1]).delete()
    with pytest.raises(ServiceError) as refused:
        vote(board[1], complete_campaign)
    assert refused.value.message == permissions.MFA_REQUIRED_MESSAGE
    assert not Vote.objects.exists()


def test_a_deactivated_chair_cannot_overrule(rejected, chair):
    type(chair).objects.filter(pk=chair.pk).update(is_active=False)  # chair object is stale
    with pytest.raises(ServiceError) as refused:
        overrule(chair, rejected)
    assert refused.value.message == permissions.ROLE_MESSAGE
    assert reload(rejected).status == "rejected"


# --- the chair's act names the outcome and version it acts on ---------------------------------


def test_an_overrule_prepared_before_the_last_vote_is_refused(
    complete_campaign, marketer, chair, board
):
    staff(complete_campaign, marketer, chair, board[:1])
    seen = services.signing_expectation(complete_campaign, "overrule")
    assert seen == {"expected_outcome": "in_review", "expected_version": 1}
    vote(board[0], complete_campaign, "reject")  # lands first
    with pytest.raises(ServiceError, match="changed while you were deciding") as refused:
        overrule(chair, complete_campaign, "approved", expectation=seen)
    assert "Rejected" in str(refused.value.message)
    assert reload(complete_campaign).status == "rejected"
    assert not Decision.objects.filter(kind="overruled").exists()
    # Read again, the chair can overrule what they now see.
    overrule(chair, complete_campaign, "approved")
    overruled = AuditEvent.objects.get(kind="overruled")
    assert overruled.payload["from"] == "rejected"


@pytest.mark.parametrize(
    "expectation",
    [
        {"expected_outcome": "approved"},
        {"expected_version": 2},
        {"expected_outcome": ""},
        {"expected_version": None},
    ],
)
def test_an_overrule_naming_another_outcome_or_version_is_refused(rejected, chair, expectation):
    with pytest.raises(ServiceError, match="changed while you were deciding"):
        overrule(chair, rejected, "approved", expectation=expectation)
    assert reload(rejected).status == "rejected"


def test_a_confirmation_names_the_proposed_outcome(complete_campaign, marketer, chair, board):
    set_rule("I", chair_confirms=True)
    staff(complete_campaign, marketer, chair, board[:1])
    vote(board[0], complete_campaign)
    seen = services.signing_expectation(complete_campaign, "confirm")
    assert seen == {"expected_outcome": "approved", "expected_version": 1}
    with pytest.raises(ServiceError, match="changed while you were deciding"):
        services.decision_confirm(
            actor=chair,
            campaign=complete_campaign,
            password=PASSWORD,
            expected_outcome="rejected",
            expected_version=1,
        )
    assert reload(complete_campaign).status == "awaiting_confirmation"
    services.decision_confirm(actor=chair, campaign=complete_campaign, password=PASSWORD, **seen)
    assert reload(complete_campaign).status == "approved"


# --- signature attempts are limited -----------------------------------------------------------


@pytest.fixture
def signature_limit(settings):
    settings.SIGNATURE_FAILED_LIMIT = 3
    settings.SIGNATURE_FAILED_WINDOW = 600
    return 3


def test_wrong_signature_passwords_lock_signing_for_the_window(
    complete_campaign, marketer, chair, board, signature_limit, caplog
):
    caplog.set_level(logging.INFO, logger=LOGGER_NAME)
    staff(complete_campaign, marketer, chair, board[:1])
    for _attempt in range(signature_limit - 1):
        with pytest.raises(ServiceError) as refused:
            vote(board[0], complete_campaign, password="wrong")
        assert not isinstance(refused.value, SignatureLocked)
    with pytest.raises(SignatureLocked):
        vote(board[0], complete_campaign, password="wrong")
    # Locked: even the right password is refused, and nothing is signed.
    with pytest.raises(SignatureLocked):
        vote(board[0], complete_campaign)
    assert not Vote.objects.exists()
    assert kinds(complete_campaign).count("signature_failed") == signature_limit
    locked = [r for r in caplog.records if r.getMessage() == "signature_locked"]
    assert len(locked) == 2 and locked[0].levelno == logging.WARNING
    # Someone else still signs.
    overrule(chair, complete_campaign, "approved")
    assert reload(complete_campaign).status == "approved"


def test_the_lock_counts_across_acts_and_ends_with_the_window(rejected, chair, signature_limit):
    for _attempt in range(signature_limit):
        with pytest.raises(ServiceError):
            overrule(chair, rejected, password="wrong")
    with pytest.raises(SignatureLocked):
        overrule(chair, rejected)
    ratelimit.reset(SIGNATURE_SCOPE, str(chair.pk))  # the window ends
    overrule(chair, rejected)
    assert reload(rejected).status == "approved"


# --- the panel rule holds through recusals and withdrawals ------------------------------------


def specialist_rule():
    set_rule("I", reviewers_required=2, specialist_required=True)


def test_a_recusing_specialist_is_replaced_by_a_specialist(
    complete_campaign, marketer, chair, board
):
    specialist_rule()
    other_specialist = UserFactory(roles=["reviewer"], is_specialist=True)
    services.campaign_submit(actor=marketer, campaign=complete_campaign)
    services.review_assign(actor=chair, campaign=complete_campaign, reviewers=board[:2])
    assert board[0].is_specialist
    # Whatever the load order of the candidates (board[2], the chair, the other
    # specialist), the specialist is chosen.
    assignment = Assignment.objects.get(reviewer=board[0])
    replacement = services.assignment_recuse(
        actor=board[0], assignment=assignment, reason="I advised this team before."
    )
    assert replacement.reviewer == other_specialist


def test_without_a_specialist_no_decision_is_made_and_the_chair_is_told(
    complete_campaign, marketer, chair, board
):
    specialist_rule()
    staff(complete_campaign, marketer, chair, board[:2])
    vote(board[1], complete_campaign)
    # The specialist, who had accepted, is deactivated: the assignment is withdrawn.
    admin = UserFactory(roles=["admin"])
    services.user_set_active(actor=admin, user=board[0], active=False)
    # Only non-specialists were left to replace them.
    replacement = Assignment.objects.get(status="pending")
    assert not replacement.reviewer.is_specialist
    accept(replacement.reviewer, complete_campaign)
    told = Notification.objects.filter(recipient=chair, kind="submitted")
    before = told.count()
    vote(replacement.reviewer, complete_campaign)
    assert reload(complete_campaign).status == "in_review"
    assert not Decision.objects.exists()
    event = AuditEvent.objects.get(kind="panel_incomplete")
    assert event.payload["missing"] == ["specialist"]
    assert told.count() == before + 1
    # The chair completes the panel; the specialist's vote decides.
    specialist = UserFactory(roles=["reviewer"], is_specialist=True)
    services.review_assign(actor=chair, campaign=complete_campaign, reviewers=[specialist])
    accept(specialist, complete_campaign)
    vote(specialist, complete_campaign)
    assert reload(complete_campaign).status == "approved"
    assert audit.verify().ok


def test_a_specialist_flag_removed_before_the_last_vote_stops_the_decision(
    complete_campaign, marketer, chair, board
):
    specialist_rule()
    staff(complete_campaign, marketer, chair, board[:2])
    vote(board[0], complete_campaign)
    type(board[0]).objects.filter(pk=board[0].pk).update(is_specialist=False)
    vote(board[1], complete_campaign)
    assert reload(complete_campaign).status == "in_review"
    assert "panel_incomplete" in kinds(complete_campaign)


def test_a_confirmation_re_checks_the_panel(complete_campaign, marketer, chair, board):
    set_rule("I", reviewers_required=1, specialist_required=True, chair_confirms=True)
    staff(complete_campaign, marketer, chair, board[:1])
    vote(board[0], complete_campaign)
    assert reload(complete_campaign).status == "awaiting_confirmation"
    type(board[0]).objects.filter(pk=board[0].pk).update(is_specialist=False)
    with pytest.raises(ServiceError, match="panel no longer meets"):
        services.decision_confirm(
            actor=chair,
            campaign=complete_campaign,
            password=PASSWORD,
            **services.signing_expectation(complete_campaign, "confirm"),
        )
    assert reload(complete_campaign).status == "awaiting_confirmation"


def test_a_recusal_with_nobody_to_replace_tells_the_chair_instead_of_deciding(
    complete_campaign, marketer, chair, board
):
    set_rule("I", reviewers_required=2)
    services.campaign_submit(actor=marketer, campaign=complete_campaign)
    services.review_assign(actor=chair, campaign=complete_campaign, reviewers=board[:2])
    accept(board[0], complete_campaign)
    vote(board[0], complete_campaign)
    # Nobody else may review: the last reviewer's recusal leaves one vote of two.
    UserRole.objects.filter(user__in=[board[2], chair], role="reviewer").delete()
    assignment = Assignment.objects.get(reviewer=board[1])
    assert (
        services.assignment_recuse(actor=board[1], assignment=assignment, reason="Conflict.")
        is None
    )
    assert reload(complete_campaign).status == "in_review"
    assert not Decision.objects.exists()
    assert AuditEvent.objects.get(kind="panel_incomplete").payload["missing"] == ["reviewers"]


def test_a_reviewer_who_joined_the_team_cannot_accept(
    complete_campaign, marketer, chair, board, team
):
    services.campaign_submit(actor=marketer, campaign=complete_campaign)
    services.review_assign(actor=chair, campaign=complete_campaign, reviewers=board[:1])
    board[0].teams.add(team)  # behind the services' back: no withdrawal ran
    assignment = Assignment.objects.get()
    with pytest.raises(ServiceError) as refused:
        services.assignment_accept(actor=board[0], assignment=assignment, declaration="None.")
    assert refused.value.message == permissions.PARTY_MESSAGE
    assignment.refresh_from_db()
    assert assignment.status == "pending"
    # Recusing is still possible.
    services.assignment_recuse(actor=board[0], assignment=assignment, reason="My team now.")


def test_a_voter_who_lost_the_role_is_not_carried_over_to_the_next_version(
    complete_campaign, marketer, chair, board, admin_user
):
    staff(complete_campaign, marketer, chair, board[:1])
    vote(board[0], complete_campaign, "request_changes")
    assert reload(complete_campaign).status == "changes_requested"
    services.user_set_roles(actor=admin_user, user=board[0], roles=["manager"])
    services.campaign_submit(actor=marketer, campaign=complete_campaign)
    assert not Assignment.objects.filter(version__number=2).exists()
    assert reload(complete_campaign).status == "submitted"  # the chair staffs it again
