"""The review workflow: submit, route, accept or recuse, comment, vote (signed), decide,
confirm or overrule, fulfil and verify conditions, withdraw, expire.

Every function checks the actor's rights and the campaign's state, runs in one
transaction with the campaign row locked, and writes its audit event in that
transaction. A refused action raises ``ServiceError`` (or ``WorkflowError``) and changes
nothing.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import audit, permissions, ratelimit, security_log, selectors, webhooks, workflow
from ..canonical import canonical_sha256
from ..dashboard import campaign_transaction
from ..errors import ServiceError, SignatureLocked
from ..models import (
    Assignment,
    AssignmentStatus,
    Campaign,
    CampaignStatus,
    CampaignVersion,
    Comment,
    Condition,
    ConditionStatus,
    Decision,
    DecisionKind,
    EventKind,
    NotificationKind,
    ReviewReason,
    RoutingRule,
    User,
    Vote,
    VoteDecision,
    WebhookEvent,
)
from ..notifications import notify
from ..roles import Role

logger = logging.getLogger(__name__)

VOTE_MEANINGS = {
    VoteDecision.APPROVE: "I approve this version of the campaign.",
    VoteDecision.APPROVE_WITH_CONDITIONS: (
        "I approve this version subject to the conditions stated."
    ),
    VoteDecision.REQUEST_CHANGES: "I request changes to this version before it can be approved.",
    VoteDecision.REJECT: "I reject this version of the campaign.",
}


def _locked(campaign: Campaign) -> Campaign:
    return Campaign.objects.select_for_update().select_related("team", "owner").get(pk=campaign.pk)


def _set_status(campaign: Campaign, status: str, *extra_fields: str) -> None:
    campaign.status = status
    campaign.save(update_fields=["status", "updated_at", *extra_fields])


SIGNATURE_SCOPE = "signature-failed"


def _signature_locked_out(actor: User) -> bool:
    """Has ``actor`` used up the wrong signature passwords of the current window? (False
    when the cache does not answer: the limit then does not apply, the failures are still
    recorded, so a cache outage cannot stop the board from signing.)"""
    try:
        failures = ratelimit.attempts(SIGNATURE_SCOPE, str(actor.pk))
    except Exception:
        logger.warning("signature limit: the cache did not answer", exc_info=True)
        return False
    return failures >= settings.SIGNATURE_FAILED_LIMIT


def _count_signature_failure(actor: User) -> bool:
    """One more wrong password, counted atomically (``ratelimit.hit``); True when it used
    up the window's allowance."""
    try:
        within = ratelimit.hit(
            SIGNATURE_SCOPE,
            str(actor.pk),
            limit=settings.SIGNATURE_FAILED_LIMIT - 1,
            window=settings.SIGNATURE_FAILED_WINDOW,
        )
    except Exception:
        logger.warning("signature limit: the cache did not answer", exc_info=True)
        return False
    return not within


def _signature_locked(actor: User, campaign: Campaign, act: str) -> SignatureLocked:
    security_log.log_event(
        "signature_locked", actor=actor, level=logging.WARNING, campaign=campaign.pk, act=act
    )
    minutes = max(1, settings.SIGNATURE_FAILED_WINDOW // 60)
    return SignatureLocked(
        _(
            "Too many wrong signature passwords. Nothing was signed; you have been signed "
            "out and cannot sign for %(minutes)s minutes."
        )
        % {"minutes": minutes},
        field="password",
    )


def _check_signature(actor: User, password: str, campaign: Campaign, act: str) -> None:
    """An electronic signature needs the signer's password. A wrong one is recorded (in
    its own transaction, so the record survives the refusal) and nothing else happens.
    After ``SIGNATURE_FAILED_LIMIT`` wrong ones in ``SIGNATURE_FAILED_WINDOW`` seconds the
    person cannot sign (not even with the right password) until the window ends, and the
    view signs them out (``SignatureLocked``)."""
    if _signature_locked_out(actor):
        raise _signature_locked(actor, campaign, act)
    if password and actor.check_password(password):
        return
    with campaign_transaction():
        audit.record(
            kind=EventKind.SIGNATURE_FAILED, campaign=campaign, actor=actor, payload={"act": act}
        )
    logger.warning("failed signature by user %s on campaign %s (%s)", actor.pk, campaign.pk, act)
    security_log.log_event(
        "signature_failed", actor=actor, level=logging.WARNING, campaign=campaign.pk, act=act
    )
    if _count_signature_failure(actor):
        raise _signature_locked(actor, campaign, act)
    raise ServiceError(_("The password is not correct. Nothing was signed."), field="password")


def rule_for(tier: str) -> RoutingRule:
    """The routing rule of a tier: the administrators' row, or the built-in default."""
    rule = RoutingRule.objects.filter(tier=tier).first()
    if rule is not None:
        return rule
    if tier not in workflow.DEFAULT_ROUTES:
        raise ServiceError(_("No routing rule is configured for tier %(tier)s.") % {"tier": tier})
    reviewers, specialist, confirms, due, valid = workflow.DEFAULT_ROUTES[tier]
    return RoutingRule(
        tier=tier,
        reviewers_required=reviewers,
        specialist_required=specialist,
        chair_confirms=confirms,
        due_working_days=due,
        validity_months=valid,
    )


def current_version(campaign: Campaign) -> CampaignVersion | None:
    return campaign.versions.order_by("-number").first()


# --- submission ---------------------------------------------------------------------------


def version_content(campaign: Campaign) -> dict:
    assessment = campaign.assessment
    result = selectors.campaign_result(campaign)
    return {
        "questionnaire": assessment.questionnaire.slug,
        "questionnaire_version": assessment.questionnaire.version,
        "intake": campaign.intake_export(),
        "answers": dict(sorted(assessment.answers.items())),
        "score": result.as_dict(),
    }


def fingerprint_of(content: dict) -> str:
    """SHA-256 of the canonical JSON of a version's content."""
    return canonical_sha256(content)


def submit_blockers(result) -> list[str]:
    """Why a result cannot be submitted (empty when it can): an incomplete assessment or a
    Prohibited result. The one rule for ``campaign_submit`` and the confirmation page."""
    blockers = []
    if result.missing:
        blockers.append(
            _("Answer every required question first (%(count)s still open).")
            % {"count": len(result.missing)}
        )
    if result.prohibited:
        blockers.append(
            _("This campaign is Prohibited as designed and cannot be submitted: %(reasons)s")
            % {"reasons": "; ".join(flag.reason.en for flag in result.red_flags)}
        )
    return blockers


@dataclass(frozen=True)
class SubmissionOutlook:
    """What submitting ``campaign`` now would do: its tier, the tier's route (``rule``, None
    while something blocks the submission), when the decision would be due (the same
    calculation ``campaign_submit`` stores) and what still blocks it."""

    tier: str
    rule: RoutingRule | None
    due_at: datetime | None
    blockers: list[str]


def submission_outlook(*, campaign: Campaign, now: datetime | None = None) -> SubmissionOutlook:
    """Read only: the confirmation page's "what happens next"."""
    result = selectors.campaign_result(campaign)
    blockers = submit_blockers(result)
    if blockers:
        return SubmissionOutlook(tier=result.tier, rule=None, due_at=None, blockers=blockers)
    rule = rule_for(result.tier)
    due_at = workflow.add_working_days(now or timezone.now(), rule.due_working_days)
    return SubmissionOutlook(tier=result.tier, rule=rule, due_at=due_at, blockers=[])


def campaign_submit(
    *, actor: User, campaign: Campaign, expected_tier: str | None = None
) -> CampaignVersion:
    """Freeze the current intake, answers and score as a new version and send it to the
    board. Refuses an incomplete assessment and a Prohibited result, with reasons, and
    (given ``expected_tier``, the tier the person confirmed) a result whose tier changed
    since, so nobody submits under a route they were not shown."""
    with campaign_transaction():
        campaign = _locked(campaign)
        if not permissions.can_edit_campaign(actor, campaign):
            raise ServiceError(_("Only the campaign's team can submit it."))
        workflow.transition("submit", campaign.status)
        result = selectors.campaign_result(campaign)
        blockers = submit_blockers(result)
        if blockers:
            raise ServiceError(blockers[0])
        if expected_tier is not None and expected_tier != result.tier:
            raise ServiceError(
                _(
                    "The result changed since you checked it. Nothing was submitted: "
                    "check what happens next and confirm again."
                ),
                field="confirmed_tier",
            )
        previous = current_version(campaign)
        content = version_content(campaign)
        now = timezone.now()
        version = CampaignVersion.objects.create(
            campaign=campaign,
            number=(previous.number + 1) if previous else 1,
            questionnaire=campaign.assessment.questionnaire,
            content=content,
            fingerprint=fingerprint_of(content),
            tier=result.tier,
            submitted_by=actor,
            created_at=now,
        )
        rule = rule_for(result.tier)
        campaign.tier = result.tier
        campaign.submitted_at = now
        campaign.first_submitted_at = campaign.first_submitted_at or now
        campaign.review_due_at = workflow.add_working_days(now, rule.due_working_days)
        _set_status(
            campaign,
            workflow.transition("submit", campaign.status),
            "tier",
            "submitted_at",
            "first_submitted_at",
            "review_due_at",
        )
        audit.record(
            kind=EventKind.SUBMITTED,
            campaign=campaign,
            actor=actor,
            payload={
                "version": version.number,
                "fingerprint": version.fingerprint,
                "tier": version.tier,
            },
        )
        if previous is not None:
            _carry_over_reviewers(campaign, previous, version)
        _start_review_if_staffed(campaign, version, rule)
        if campaign.status == CampaignStatus.SUBMITTED:
            notify(
                recipients=User.objects.filter(is_active=True, roles__role=Role.CHAIR).distinct(),
                kind=NotificationKind.SUBMITTED,
                campaign=campaign,
            )
    return version


def _carry_over_reviewers(campaign, previous, version) -> None:
    """After changes were requested, the reviewers who voted review the new version (those
    who may still review it: active, still reviewers, no party to the campaign)."""
    eligible = {u.pk for u in eligible_reviewers(campaign, version)}
    voters = [
        pk
        for pk in Vote.objects.filter(version=previous).values_list("reviewer_id", flat=True)
        if pk in eligible
    ]
    for reviewer_id in voters:
        Assignment.objects.create(
            campaign=campaign,
            version=version,
            reviewer_id=reviewer_id,
            status=AssignmentStatus.ACCEPTED,
            coi_declaration=f"Carried over from version {previous.number}.",
            responded_at=timezone.now(),
        )
        audit.record(
            kind=EventKind.ASSIGNED,
            campaign=campaign,
            actor=None,
            payload={"version": version.number, "reviewer": reviewer_id, "carried_over": True},
        )
    notify(
        recipients=User.objects.filter(pk__in=list(voters)),
        kind=NotificationKind.ASSIGNMENT,
        campaign=campaign,
        params={"version": version.number},
    )


def _active_assignments(version: CampaignVersion) -> list[Assignment]:
    return list(
        version.assignments.filter(
            status__in=[AssignmentStatus.PENDING, AssignmentStatus.ACCEPTED]
        ).select_related("reviewer")
    )


def _staffed(version: CampaignVersion, rule: RoutingRule) -> bool:
    active = _active_assignments(version)
    if len(active) < rule.reviewers_required:
        return False
    return not rule.specialist_required or any(a.reviewer.is_specialist for a in active)


def panel_problems(version: CampaignVersion, rule: RoutingRule, votes: list[Vote]) -> list[str]:
    """What the votes in lack against the tier's panel rule (empty when it holds): enough
    reviewers and a specialist among them where the rule needs one (as the voters are now).
    Checked immediately before any decision is made."""
    problems = []
    if len(votes) < rule.reviewers_required:
        problems.append("reviewers")
    if (
        rule.specialist_required
        and not User.objects.filter(
            pk__in=[v.reviewer_id for v in votes], is_specialist=True
        ).exists()
    ):
        problems.append("specialist")
    return problems


def _panel_incomplete(campaign: Campaign, version: CampaignVersion, problems: list[str]) -> None:
    """No decision: recorded, and the chairs are told (they complete the panel)."""
    audit.record(
        kind=EventKind.PANEL_INCOMPLETE,
        campaign=campaign,
        actor=None,
        payload={"version": version.number, "missing": problems},
    )
    notify(
        recipients=User.objects.filter(is_active=True, roles__role=Role.CHAIR).distinct(),
        kind=NotificationKind.SUBMITTED,
        campaign=campaign,
        params={"version": version.number},
    )


def _start_review_if_staffed(campaign, version, rule) -> None:
    if campaign.status == CampaignStatus.SUBMITTED and _staffed(version, rule):
        _set_status(campaign, workflow.transition("start_review", campaign.status))


# --- routing ------------------------------------------------------------------------------


def eligible_reviewers(campaign: Campaign, version: CampaignVersion):
    """Active reviewers who may review this version, least loaded first. Nobody reviews a
    campaign they are a party to (``permissions.is_party``: its team, its owner, whoever
    submitted a version), or a version they recused from, were withdrawn from or are
    already assigned to."""
    taken = version.assignments.filter(
        status__in=[
            AssignmentStatus.PENDING,
            AssignmentStatus.ACCEPTED,
            AssignmentStatus.RECUSED,
            AssignmentStatus.WITHDRAWN,
        ]
    ).values_list("reviewer_id", flat=True)
    qs = (
        User.objects.filter(is_active=True, roles__role=Role.REVIEWER)
        .exclude(pk__in=taken)
        .exclude(permissions.parties_of(campaign))
    )
    open_states = list(workflow.OPEN_REVIEW_STATES)
    return (
        qs.annotate(
            load=Count(
                "assignments",
                filter=Q(
                    assignments__status__in=[AssignmentStatus.PENDING, AssignmentStatus.ACCEPTED],
                    assignments__campaign__status__in=open_states,
                ),
            )
        )
        .order_by("load", "display_name", "pk")
        .distinct()
    )


def review_propose(*, campaign: Campaign) -> list[User]:
    """The least-loaded eligible reviewers that would complete the panel (incl. a
    specialist where the tier needs one)."""
    version = current_version(campaign)
    if version is None:
        return []
    rule = rule_for(version.tier)
    active = list(
        version.assignments.filter(
            status__in=[AssignmentStatus.PENDING, AssignmentStatus.ACCEPTED]
        ).select_related("reviewer")
    )
    missing = rule.reviewers_required - len(active)
    need_specialist = rule.specialist_required and not any(a.reviewer.is_specialist for a in active)
    candidates = list(eligible_reviewers(campaign, version))
    chosen: list[User] = []
    if need_specialist:
        specialist = next((u for u in candidates if u.is_specialist), None)
        if specialist is not None:
            chosen.append(specialist)
    for user in candidates:
        if len(chosen) >= max(missing, 1 if need_specialist else 0):
            break
        if user not in chosen:
            chosen.append(user)
    return chosen[: max(missing, len(chosen) if need_specialist else missing)]


def review_assign(*, actor: User, campaign: Campaign, reviewers: list[User]) -> list[Assignment]:
    if not permissions.is_chair(actor):
        raise ServiceError(_("Only the board chair assigns reviewers."))
    permissions.check_mfa(actor)
    with campaign_transaction():
        permissions.check_judge(actor, campaign, "assign")
        campaign = _locked(campaign)
        if campaign.status not in (CampaignStatus.SUBMITTED, CampaignStatus.IN_REVIEW):
            raise ServiceError(_("Reviewers can only be assigned while the campaign is in review."))
        version = current_version(campaign)
        eligible = {u.pk for u in eligible_reviewers(campaign, version)}
        refused = [str(u) for u in reviewers if u.pk not in eligible]
        if refused:
            raise ServiceError(
                _("These people cannot review this campaign: %(names)s")
                % {"names": ", ".join(refused)}
            )
        if not reviewers:
            raise ServiceError(_("Choose at least one reviewer."))
        created = []
        for reviewer in reviewers:
            created.append(
                Assignment.objects.create(
                    campaign=campaign, version=version, reviewer=reviewer, assigned_by=actor
                )
            )
            audit.record(
                kind=EventKind.ASSIGNED,
                campaign=campaign,
                actor=actor,
                payload={"version": version.number, "reviewer": reviewer.pk},
            )
        notify(
            recipients=reviewers,
            kind=NotificationKind.ASSIGNMENT,
            campaign=campaign,
            params={"version": version.number},
        )
        _start_review_if_staffed(campaign, version, rule_for(version.tier))
    return created


def _own_assignment(actor: User, assignment: Assignment) -> Assignment:
    locked = Assignment.objects.select_for_update().select_related("version").get(pk=assignment.pk)
    if locked.reviewer_id != actor.pk:
        raise ServiceError(_("This is not your assignment."))
    if locked.status != AssignmentStatus.PENDING:
        raise ServiceError(_("You have already answered this assignment."))
    return locked


def assignment_accept(*, actor: User, assignment: Assignment, declaration: str) -> Assignment:
    """Accept with a conflict-of-interest declaration (what the reviewer declares, or
    that there is nothing to declare)."""
    declaration = (declaration or "").strip()
    if not declaration:
        raise ServiceError(
            _("Declare any conflict of interest, or that you have none."), field="declaration"
        )
    with campaign_transaction():
        permissions.check_judge(actor, assignment.campaign, "accept")
        campaign = _locked(assignment.campaign)
        assignment = _own_assignment(actor, assignment)
        if campaign.status not in workflow.OPEN_REVIEW_STATES:
            raise ServiceError(_("This review is closed."))
        assignment.status = AssignmentStatus.ACCEPTED
        assignment.coi_declaration = declaration
        assignment.responded_at = timezone.now()
        assignment.save(update_fields=["status", "coi_declaration", "responded_at"])
        audit.record(
            kind=EventKind.ACCEPTED,
            campaign=campaign,
            actor=actor,
            payload={"version": assignment.version.number, "assignment": assignment.pk},
        )
    return assignment


def assignment_recuse(*, actor: User, assignment: Assignment, reason: str) -> Assignment | None:
    """Step back, with a reason on the record. The system assigns the least-loaded
    eligible replacement at once when there is one (the chair can change it)."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("Give a reason for recusing."), field="reason")
    with campaign_transaction():
        campaign = _locked(assignment.campaign)
        assignment = _own_assignment(actor, assignment)
        if campaign.status not in workflow.OPEN_REVIEW_STATES:
            raise ServiceError(_("This review is closed."))
        assignment.status = AssignmentStatus.RECUSED
        assignment.recusal_reason = reason
        assignment.responded_at = timezone.now()
        assignment.save(update_fields=["status", "recusal_reason", "responded_at"])
        audit.record(
            kind=EventKind.RECUSED,
            campaign=campaign,
            actor=actor,
            payload={"version": assignment.version.number, "assignment": assignment.pk},
        )
        replacement = _replace(campaign, assignment.version, actor)
    return replacement


def _replace(campaign: Campaign, version: CampaignVersion, leaving: User) -> Assignment | None:
    """Assign the least-loaded eligible replacement for ``leaving`` (a specialist when the
    tier needs one and no specialist is left on the panel). With nobody to replace them,
    the votes already in may be all that is needed (the panel rule is checked first)."""
    rule = rule_for(version.tier)
    candidates = list(eligible_reviewers(campaign, version))
    need_specialist = rule.specialist_required and not any(
        a.reviewer.is_specialist for a in _active_assignments(version)
    )
    chosen = None
    if need_specialist:
        chosen = next((u for u in candidates if u.is_specialist), None)
    if chosen is None and candidates:
        chosen = candidates[0]
    if chosen is None:
        if campaign.status == CampaignStatus.IN_REVIEW:
            _decide_if_complete(campaign, version)
        return None
    replacement = Assignment.objects.create(
        campaign=campaign, version=version, reviewer=chosen, assigned_by=None
    )
    audit.record(
        kind=EventKind.ASSIGNED,
        campaign=campaign,
        actor=None,
        payload={"version": version.number, "reviewer": chosen.pk, "replaces": leaving.pk},
    )
    notify(
        recipients=[chosen],
        kind=NotificationKind.REPLACEMENT,
        campaign=campaign,
        params={"version": version.number},
    )
    return replacement


def reviewer_assignments_withdraw(*, user: User, actor: User | None) -> int:
    """Withdraw ``user``'s open assignments they may no longer hold: all of them when they
    were deactivated or lost the reviewer role, otherwise those on campaigns they became a
    party to (joined the team). Each is recorded and replaced as a recusal is. Runs in the
    transaction that changed the person (their row locked first, then the campaigns in
    order, as the signing services lock them). Returns how many were withdrawn."""
    with campaign_transaction():
        fresh = User.objects.select_for_update().get(pk=user.pk)
        open_ones = Assignment.objects.filter(
            reviewer=fresh,
            status__in=[AssignmentStatus.PENDING, AssignmentStatus.ACCEPTED],
            campaign__status__in=list(workflow.OPEN_REVIEW_STATES),
        )
        campaign_ids = sorted(set(open_ones.values_list("campaign_id", flat=True)))
        if not campaign_ids:
            return 0
        campaigns = list(
            Campaign.objects.select_for_update()
            .select_related("team", "owner")
            .filter(pk__in=campaign_ids)
            .order_by("pk")
        )
        keeps_role = fresh.is_active and fresh.has_role(Role.REVIEWER)
        withdrawn = 0
        for campaign in campaigns:
            if keeps_role and not permissions.is_party(fresh, campaign):
                continue
            withdrawn += _withdraw_from(campaign, fresh, actor)
    return withdrawn


def _withdraw_from(campaign: Campaign, reviewer: User, actor: User | None) -> int:
    version = current_version(campaign)
    voted = Vote.objects.filter(version=version, reviewer=reviewer).exists()
    assignments = list(
        Assignment.objects.select_for_update().filter(
            campaign=campaign,
            version=version,
            reviewer=reviewer,
            status__in=[AssignmentStatus.PENDING, AssignmentStatus.ACCEPTED],
        )
    )
    if voted or not assignments:
        return 0  # a vote signed while they could sign stands
    for assignment in assignments:
        assignment.status = AssignmentStatus.WITHDRAWN
        assignment.responded_at = timezone.now()
        assignment.save(update_fields=["status", "responded_at"])
        audit.record(
            kind=EventKind.ASSIGNMENT_WITHDRAWN,
            campaign=campaign,
            actor=actor,
            payload={
                "version": version.number,
                "assignment": assignment.pk,
                "reviewer": reviewer.pk,
            },
        )
    _replace(campaign, version, reviewer)
    return len(assignments)


# --- comments and votes ---------------------------------------------------------------------


def comment_add(
    *, actor: User, campaign: Campaign, text: str, section: str = "", board_only: bool = False
) -> Comment:
    text = (text or "").strip()
    if not text:
        raise ServiceError(_("Write a comment first."), field="text")
    if not permissions.can_comment(actor, campaign):
        raise ServiceError(_("You cannot comment on this campaign."))
    if board_only and not permissions.is_board(actor):
        raise ServiceError(_("Only board members can write board-only comments."))
    with campaign_transaction():
        campaign = _locked(campaign)
        version = current_version(campaign)
        comment = Comment.objects.create(
            campaign=campaign,
            version=version,
            section=section,
            author=actor,
            text=text,
            board_only=board_only,
        )
        audit.record(
            kind=EventKind.COMMENTED,
            campaign=campaign,
            actor=actor,
            payload={"comment": comment.pk, "section": section, "board_only": board_only},
        )
        if not board_only and campaign.owner_id != actor.pk:
            notify(recipients=[campaign.owner], kind=NotificationKind.COMMENT, campaign=campaign)
    return comment


def vote_cast(
    *,
    actor: User,
    campaign: Campaign,
    decision: str,
    rationale: str,
    password: str,
    conditions: list[str] | None = None,
    reasons: list[str] | None = None,
) -> Vote:
    """A signed vote on the current version. The reviewer re-enters their password; a
    wrong one is recorded as a failed signature and creates no vote. A rejection or a
    change request names what it is about (``ReviewReason``)."""
    rationale = (rationale or "").strip()
    conditions = [c.strip() for c in (conditions or []) if c and c.strip()]
    reasons = sorted(set(reasons or []))
    if decision not in VoteDecision.values:
        raise ServiceError(_("Choose how you vote."), field="decision")
    if any(reason not in ReviewReason.values for reason in reasons):
        raise ServiceError(_("Choose reasons from the list."), field="reasons")
    if decision in REASONED_VOTES and not reasons:
        raise ServiceError(_("Say what the rejection or change request is about."), field="reasons")
    if decision not in REASONED_VOTES and reasons:
        raise ServiceError(
            _("Reasons go with “reject” or “request changes” only."), field="reasons"
        )
    if not rationale:
        raise ServiceError(_("Explain your vote: a rationale is required."), field="rationale")
    if decision == VoteDecision.APPROVE_WITH_CONDITIONS and not conditions:
        raise ServiceError(_("State at least one condition."), field="conditions")
    if decision != VoteDecision.APPROVE_WITH_CONDITIONS and conditions:
        raise ServiceError(
            _("Conditions go with “approve with conditions” only."), field="conditions"
        )
    campaign = Campaign.objects.get(pk=campaign.pk)  # the current state, not the caller's copy
    if not permissions.can_vote(actor, campaign):
        raise ServiceError(_("You cannot vote on this campaign now."))
    permissions.check_mfa(actor)
    _check_signature(actor, password, campaign, "vote")
    with campaign_transaction():
        actor = permissions.check_judge(actor, campaign, "vote")
        campaign = _locked(campaign)
        workflow.transition("decide", campaign.status, CampaignStatus.APPROVED)  # state check
        version = current_version(campaign)
        if not version.assignments.filter(
            reviewer=actor, status=AssignmentStatus.ACCEPTED
        ).exists():
            raise ServiceError(_("Accept the assignment before you vote."))
        if Vote.objects.filter(version=version, reviewer=actor).exists():
            raise ServiceError(_("You have already voted on this version."))
        now = timezone.now()
        vote = Vote.objects.create(
            campaign=campaign,
            version=version,
            reviewer=actor,
            decision=decision,
            rationale=rationale,
            conditions=conditions,
            reasons=reasons,
            signer_name=actor.display_name or actor.email,
            signed_at=now,
            meaning=VOTE_MEANINGS[decision],
            fingerprint=version.fingerprint,
        )
        audit.record(
            kind=EventKind.VOTED,
            campaign=campaign,
            actor=actor,
            payload={
                "version": version.number,
                "vote": decision,
                "fingerprint": version.fingerprint,
                "conditions": len(conditions),
            },
        )
        notify(recipients=[campaign.owner], kind=NotificationKind.VOTE, campaign=campaign)
        _decide_if_complete(campaign, version)
    return vote


def _decide_if_complete(campaign: Campaign, version: CampaignVersion) -> None:
    rule = rule_for(version.tier)
    open_assignments = version.assignments.filter(
        status__in=[AssignmentStatus.PENDING, AssignmentStatus.ACCEPTED]
    ).exclude(reviewer__in=version.votes.values("reviewer"))
    votes = list(version.votes.all())
    if not votes or open_assignments.exists():
        return
    problems = panel_problems(version, rule, votes)
    if problems:
        _panel_incomplete(campaign, version, problems)
        return
    outcome = workflow.outcome_of(v.decision for v in votes)
    now = timezone.now()
    Decision.objects.create(
        campaign=campaign,
        version=version,
        outcome=outcome,
        kind=DecisionKind.RULE,
        fingerprint=version.fingerprint,
        reasons=decision_reasons(outcome, votes),
        created_at=now,
    )
    if rule.chair_confirms:
        _set_status(campaign, CampaignStatus.AWAITING_CONFIRMATION)
        audit.record(
            kind=EventKind.DECIDED,
            campaign=campaign,
            actor=None,
            payload={"version": version.number, "proposed": outcome, "awaits_chair": True},
        )
        notify(
            recipients=User.objects.filter(is_active=True, roles__role=Role.CHAIR).distinct(),
            kind=NotificationKind.DECISION,
            campaign=campaign,
            params={"outcome": CampaignStatus.AWAITING_CONFIRMATION},
        )
        return
    _apply_outcome(campaign, version, outcome, rule, conditions=_vote_conditions(votes))
    audit.record(
        kind=EventKind.DECIDED,
        campaign=campaign,
        actor=None,
        payload={"version": version.number, "outcome": outcome},
    )


REASONED_VOTES = frozenset({VoteDecision.REJECT, VoteDecision.REQUEST_CHANGES})


def decision_reasons(outcome: str, votes) -> list[str]:
    """The reasons behind a rejection or a change request: those of the votes for it."""
    vote = {
        CampaignStatus.REJECTED: VoteDecision.REJECT,
        CampaignStatus.CHANGES_REQUESTED: VoteDecision.REQUEST_CHANGES,
    }.get(outcome)
    return sorted({r for v in votes if v.decision == vote for r in v.reasons})


def _vote_conditions(votes) -> list[tuple[str, Vote | None]]:
    return [(text, v) for v in votes for text in v.conditions]


def _apply_outcome(campaign, version, outcome: str, rule: RoutingRule, *, conditions) -> None:
    # The review round is over: nobody is still asked to accept it.
    Assignment.objects.filter(campaign=campaign, status=AssignmentStatus.PENDING).update(
        status=AssignmentStatus.CANCELLED
    )
    now = timezone.now()
    campaign.decided_at = now
    fields = ["decided_at"]
    if outcome in workflow.APPROVED_STATES:
        campaign.approval_expires_at = workflow.add_months(now, rule.validity_months)
        fields.append("approval_expires_at")
    if outcome == CampaignStatus.APPROVED_WITH_CONDITIONS:
        for text, vote in conditions:
            Condition.objects.create(campaign=campaign, version=version, vote=vote, text=text)
    _set_status(campaign, outcome, *fields)
    kind = (
        NotificationKind.CHANGES_REQUESTED
        if outcome == CampaignStatus.CHANGES_REQUESTED
        else NotificationKind.DECISION
    )
    notify(recipients=[campaign.owner], kind=kind, campaign=campaign, params={"outcome": outcome})
    _emit_outcome(campaign, version, outcome, conditions)


def _emit_outcome(campaign, version, outcome: str, conditions) -> None:
    """The webhook event of an applied outcome, in the decision's transaction."""
    if outcome == CampaignStatus.CHANGES_REQUESTED:
        decision = version.decisions.order_by("-created_at", "-pk").first()
        webhooks.emit(
            WebhookEvent.CHANGES_REQUESTED,
            campaign,
            {"version": version.number, "reasons": list(decision.reasons) if decision else []},
        )
        return
    approved = outcome in workflow.APPROVED_STATES
    webhooks.emit(
        WebhookEvent.DECISION_MADE,
        campaign,
        {
            "outcome": outcome,
            "version": version.number,
            "decided_at": webhooks.iso(campaign.decided_at),
            "approval_expires_at": webhooks.iso(campaign.approval_expires_at) if approved else None,
            "conditions": (
                len(conditions) if outcome == CampaignStatus.APPROVED_WITH_CONDITIONS else 0
            ),
        },
    )


CHAIR_MEANINGS = {
    DecisionKind.CONFIRMED: "As board chair I confirm the outcome of the board's votes.",
    DecisionKind.OVERRULED: "As board chair I overrule the board's outcome, for the reason stated.",
}


def _chair_decision(campaign, version, actor, kind, outcome: str, rationale: str) -> Decision:
    """The chair's signed decision (the password was checked by the caller)."""
    return Decision.objects.create(
        campaign=campaign,
        version=version,
        outcome=outcome,
        kind=kind,
        rationale=(rationale or "").strip(),
        decided_by=actor,
        signer_name=actor.display_name,
        meaning=CHAIR_MEANINGS[kind],
        fingerprint=version.fingerprint,
        reasons=decision_reasons(outcome, version.votes.all()),
        created_at=timezone.now(),
    )


def _proposal(version: CampaignVersion) -> Decision | None:
    return version.decisions.filter(kind=DecisionKind.RULE).order_by("-created_at", "-pk").first()


def signing_expectation(campaign: Campaign, act: str) -> dict:
    """What a chair's signed act names as the state it acts on: the outcome (for "overrule"
    the campaign's present status, for "confirm" the outcome the votes proposed) and the
    version number. The forms carry these; the services refuse the act when either
    changed before the signature landed."""
    version = current_version(campaign)
    status = Campaign.objects.values_list("status", flat=True).get(pk=campaign.pk)
    decisions = list(version.decisions.filter(kind=DecisionKind.RULE)) if version else []
    return expectation_of(act, status, version, decisions)


def expectation_of(act: str, status: str, version, decisions) -> dict:
    """``signing_expectation`` from rows the caller has read (the campaign page)."""
    outcome = status
    if act == "confirm":
        proposals = [
            d
            for d in decisions
            if version is not None and d.version_id == version.pk and d.kind == DecisionKind.RULE
        ]
        proposal = max(proposals, key=lambda d: (d.created_at, d.pk), default=None)
        outcome = proposal.outcome if proposal else ""
    return {"expected_outcome": outcome, "expected_version": version.number if version else 0}


def _check_expectation(campaign, act: str, expected_outcome, expected_version) -> None:
    """Under the row lock: the act lands on the state the chair saw, or not at all."""
    now = signing_expectation(campaign, act)
    if str(expected_outcome or "") != now["expected_outcome"] or str(expected_version or "") != str(
        now["expected_version"]
    ):
        raise ServiceError(
            _(
                "The campaign changed while you were deciding: it is now “%(status)s” "
                "(version %(version)s). Nothing was signed; read it again before you decide."
            )
            % {
                "status": CampaignStatus(campaign.status).label,
                "version": now["expected_version"],
            }
        )


def decision_confirm(
    *,
    actor: User,
    campaign: Campaign,
    password: str,
    expected_outcome: str,
    expected_version: int,
    rationale: str = "",
) -> None:
    """The chair confirms the outcome the votes gave a tier IV campaign (signed), naming
    that outcome and the version (``signing_expectation``)."""
    if not permissions.is_chair(actor):
        raise ServiceError(_("Only the board chair confirms decisions."))
    permissions.check_mfa(actor)
    campaign = Campaign.objects.get(pk=campaign.pk)
    workflow.transition("confirm", campaign.status, CampaignStatus.APPROVED)
    _check_signature(actor, password, campaign, "confirm")
    with campaign_transaction():
        actor = permissions.check_judge(actor, campaign, "confirm")
        campaign = _locked(campaign)
        workflow.transition("confirm", campaign.status, CampaignStatus.APPROVED)
        _check_expectation(campaign, "confirm", expected_outcome, expected_version)
        version = current_version(campaign)
        votes = list(version.votes.all())
        if panel_problems(version, rule_for(version.tier), votes):
            raise ServiceError(
                _(
                    "The panel no longer meets this tier's rule (reviewers or a specialist "
                    "missing). Nothing was signed; complete the panel first."
                )
            )
        proposal = _proposal(version)
        outcome = workflow.transition("confirm", campaign.status, proposal.outcome)
        _chair_decision(campaign, version, actor, DecisionKind.CONFIRMED, outcome, rationale)
        _apply_outcome(
            campaign,
            version,
            outcome,
            rule_for(version.tier),
            conditions=_vote_conditions(version.votes.all()),
        )
        audit.record(
            kind=EventKind.CONFIRMED,
            campaign=campaign,
            actor=actor,
            payload={"version": version.number, "outcome": outcome},
        )


def decision_overrule(
    *,
    actor: User,
    campaign: Campaign,
    outcome: str,
    rationale: str,
    password: str,
    expected_outcome: str,
    expected_version: int,
    conditions: list[str] | None = None,
) -> None:
    """The chair sets a different outcome, with a rationale; a signed, recorded act that
    names the outcome it overrules and the version (``signing_expectation``)."""
    if not permissions.is_chair(actor):
        raise ServiceError(_("Only the board chair can overrule."))
    permissions.check_mfa(actor)
    rationale = (rationale or "").strip()
    conditions = [c.strip() for c in (conditions or []) if c and c.strip()]
    if outcome not in workflow.OUTCOMES.values():
        raise ServiceError(_("Choose the outcome."), field="outcome")
    if not rationale:
        raise ServiceError(_("An overrule needs a rationale."), field="rationale")
    if outcome == CampaignStatus.APPROVED_WITH_CONDITIONS and not conditions:
        raise ServiceError(_("State at least one condition."), field="conditions")
    campaign = Campaign.objects.get(pk=campaign.pk)
    workflow.transition("overrule", campaign.status, outcome)
    _check_signature(actor, password, campaign, "overrule")
    with campaign_transaction():
        actor = permissions.check_judge(actor, campaign, "overrule")
        campaign = _locked(campaign)
        previous = campaign.status
        workflow.transition("overrule", campaign.status, outcome)
        _check_expectation(campaign, "overrule", expected_outcome, expected_version)
        if previous == outcome:
            raise ServiceError(_("The campaign already has this outcome."))
        version = current_version(campaign)
        _chair_decision(campaign, version, actor, DecisionKind.OVERRULED, outcome, rationale)
        _apply_outcome(
            campaign,
            version,
            outcome,
            rule_for(version.tier),
            conditions=[(c, None) for c in conditions],
        )
        audit.record(
            kind=EventKind.OVERRULED,
            campaign=campaign,
            actor=actor,
            payload={"version": version.number, "from": previous, "outcome": outcome},
        )


# --- conditions, withdrawal, expiry ---------------------------------------------------------


def condition_fulfil(*, actor: User, condition: Condition, note: str) -> Condition:
    note = (note or "").strip()
    if not note:
        raise ServiceError(_("Say how the condition was fulfilled."), field="note")
    with campaign_transaction():
        campaign = _locked(condition.campaign)
        if not permissions.is_team_marketer(actor, campaign):
            raise ServiceError(_("Only the campaign's team fulfils its conditions."))
        condition = Condition.objects.select_for_update().get(pk=condition.pk)
        if condition.status == ConditionStatus.VERIFIED:
            raise ServiceError(_("This condition is already verified."))
        if campaign.status != CampaignStatus.APPROVED_WITH_CONDITIONS:
            raise ServiceError(_("Conditions can only be fulfilled on an approved campaign."))
        condition.status = ConditionStatus.FULFILLED
        condition.fulfilment_note = note
        condition.fulfilled_by = actor
        condition.fulfilled_at = timezone.now()
        condition.save(update_fields=["status", "fulfilment_note", "fulfilled_by", "fulfilled_at"])
        audit.record(
            kind=EventKind.CONDITION_FULFILLED,
            campaign=campaign,
            actor=actor,
            payload={"condition": condition.pk},
        )
        verifiers = User.objects.filter(
            Q(votes__version=condition.version) | Q(roles__role=Role.CHAIR), is_active=True
        ).distinct()
        notify(recipients=verifiers, kind=NotificationKind.CONDITION_FULFILLED, campaign=campaign)
    return condition


def condition_verify(*, actor: User, condition: Condition) -> Condition:
    if not permissions.is_board(actor):
        raise ServiceError(_("Only a reviewer or the chair verifies conditions."))
    permissions.check_mfa(actor)
    with campaign_transaction():
        actor = permissions.check_judge(actor, condition.campaign, "verify_conditions")
        campaign = _locked(condition.campaign)
        condition = Condition.objects.select_for_update().get(pk=condition.pk)
        if condition.status != ConditionStatus.FULFILLED:
            raise ServiceError(_("Only a fulfilled condition can be verified."))
        if not permissions.may_verify(actor, condition):
            raise ServiceError(_("Whoever fulfilled a condition does not verify it."))
        if campaign.status != CampaignStatus.APPROVED_WITH_CONDITIONS:
            raise ServiceError(_("Conditions can only be verified on an approved campaign."))
        condition.status = ConditionStatus.VERIFIED
        condition.verified_by = actor
        condition.verified_at = timezone.now()
        condition.save(update_fields=["status", "verified_by", "verified_at"])
        audit.record(
            kind=EventKind.CONDITION_VERIFIED,
            campaign=campaign,
            actor=actor,
            payload={"condition": condition.pk},
        )
        notify(
            recipients=[campaign.owner], kind=NotificationKind.CONDITION_VERIFIED, campaign=campaign
        )
    return condition


def campaign_withdraw(*, actor: User, campaign: Campaign, reason: str = "") -> None:
    with campaign_transaction():
        campaign = _locked(campaign)
        if not permissions.is_team_marketer(actor, campaign):
            raise ServiceError(_("Only the campaign's team can withdraw it."))
        status = workflow.transition("withdraw", campaign.status)
        # Nobody is asked to accept a review that no longer exists.
        Assignment.objects.filter(campaign=campaign, status=AssignmentStatus.PENDING).update(
            status=AssignmentStatus.CANCELLED
        )
        _set_status(campaign, status)
        payload = {}
        if (reason or "").strip():
            # Free text stays in an erasable row; the hashed event only points at it.
            note = Comment.objects.create(
                campaign=campaign,
                version=current_version(campaign),
                author=actor,
                text=reason.strip(),
            )
            payload["comment"] = note.pk
        audit.record(kind=EventKind.WITHDRAWN, campaign=campaign, actor=actor, payload=payload)


def approvals_expire(*, now=None) -> int:
    """Move approvals past their validity to "approval expired". Safe to run repeatedly."""
    now = now or timezone.now()
    due = Campaign.objects.filter(
        status__in=list(workflow.APPROVED_STATES), approval_expires_at__lte=now
    ).values_list("pk", flat=True)
    expired = 0
    for pk in list(due):
        with campaign_transaction():
            campaign = Campaign.objects.select_for_update().get(pk=pk)
            if (
                not workflow.allowed("expire", campaign.status)
                or campaign.approval_expires_at > now
            ):
                continue
            _set_status(campaign, workflow.transition("expire", campaign.status))
            audit.record(
                kind=EventKind.EXPIRED,
                campaign=campaign,
                actor=None,
                payload={"expired_at": campaign.approval_expires_at.isoformat()},
            )
            webhooks.emit(
                WebhookEvent.APPROVAL_EXPIRED,
                campaign,
                {"expired_at": webhooks.iso(campaign.approval_expires_at)},
            )
            expired += 1
    return expired
