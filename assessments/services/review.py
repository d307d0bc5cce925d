"""The review itself: comments, signed votes, the panel's decision, and the chair's confirmation
or overrule.

Every function checks the actor's rights and the campaign's state, runs in one transaction with
the campaign row locked, and writes its audit event in that transaction. A refused action raises
``ServiceError`` (or ``WorkflowError``) and changes nothing.
"""

import hashlib
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from .. import audit, permissions, ratelimit, security_log, training, webhooks, workflow
from ..errors import ServiceError, SignatureLocked
from ..models import (
    REPORT_EVERY_MAX_DAYS,
    REPORT_EVERY_MIN_DAYS,
    Assignment,
    AssignmentStatus,
    Campaign,
    CampaignStatus,
    CampaignVersion,
    Comment,
    Condition,
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
    reporting_condition_text,
)
from ..notifications import notify
from ..roles import Role
from .panel import (
    _locked,
    _panel_incomplete,
    _set_status,
    current_version,
    panel_problems,
    rule_for,
)
from .read_models import read_models_refresh

logger = logging.getLogger(__name__)


# The canonical (English) meaning of each signature, stored on every signature as it is:
# the catalogue translates it for the signer, and both texts are kept (``signed_meaning``).
VOTE_MEANINGS = {
    VoteDecision.APPROVE: gettext_noop("I approve this version of the campaign."),
    VoteDecision.APPROVE_WITH_CONDITIONS: gettext_noop(
        "I approve this version subject to the conditions stated."
    ),
    VoteDecision.REQUEST_CHANGES: gettext_noop(
        "I request changes to this version before it can be approved."
    ),
    VoteDecision.REJECT: gettext_noop("I reject this version of the campaign."),
}


def signed_meaning(canonical: str) -> dict:
    """The fields of a signature's meaning: the canonical English text, the text the signer
    read in the active language, and that language."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    return {
        "meaning": canonical,
        "meaning_signed": _(canonical),
        "meaning_language": language,
    }


def meaning_digest(record) -> str:
    """SHA-256 of a signature's two meaning texts and language, kept in the audit event of
    the signature so the texts on the row can be checked against the hash chain."""
    text = "\n".join([record.meaning, record.meaning_signed, record.meaning_language])
    return hashlib.sha256(text.encode()).hexdigest()


def meaning_payload(record) -> dict:
    return {"meaning_language": record.meaning_language, "meaning_sha256": meaning_digest(record)}


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
    with transaction.atomic():
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
    with transaction.atomic():
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
    report_every_days: int | None = None,
) -> Vote:
    """A signed vote on the current version. The reviewer re-enters their password; a
    wrong one is recorded as a failed signature and creates no vote. A rejection or a
    change request names what it is about (``ReviewReason``). An approval with conditions
    may also require a monitoring report every ``report_every_days`` days (7 to 90), which
    becomes a condition of its own that the monitoring plan follows."""
    rationale = (rationale or "").strip()
    conditions = [c.strip() for c in (conditions or []) if c and c.strip()]
    _check_report_every_days(report_every_days, decision == VoteDecision.APPROVE_WITH_CONDITIONS)
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
    if decision == VoteDecision.APPROVE_WITH_CONDITIONS and not (conditions or report_every_days):
        raise ServiceError(_("State at least one condition."), field="conditions")
    if decision != VoteDecision.APPROVE_WITH_CONDITIONS and conditions:
        raise ServiceError(
            _("Conditions go with “approve with conditions” only."), field="conditions"
        )
    # The current state (not the caller's copy) with the voter's assignment and vote.
    campaign = Campaign.objects.with_viewer(actor).get(pk=campaign.pk)
    if actor.role_set.isdisjoint(permissions.JUDGING_ROLES["vote"]):
        raise ServiceError(permissions.ROLE_MESSAGE)  # why, before "cannot vote now"
    if not permissions.can_vote(actor, campaign):
        raise ServiceError(_("You cannot vote on this campaign now."))
    permissions.check_mfa(actor)
    training.require_to_decide(actor, Role.REVIEWER)
    _check_signature(actor, password, campaign, "vote")
    with transaction.atomic():
        actor = permissions.check_judge(actor, campaign, "vote")
        campaign = _locked(campaign)
        workflow.require("decide", campaign.status)
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
            report_every_days=report_every_days,
            reasons=reasons,
            signer_name=actor.display_name or actor.email,
            signed_at=now,
            fingerprint=version.fingerprint,
            **signed_meaning(VOTE_MEANINGS[decision]),
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
                **({"report_every_days": report_every_days} if report_every_days else {}),
                **meaning_payload(vote),
            },
        )
        notify(recipients=[campaign.owner], kind=NotificationKind.VOTE, campaign=campaign)
        _decide_if_complete(campaign, version)
        read_models_refresh(campaign)
    return vote


def _decide_if_complete(campaign: Campaign, version: CampaignVersion) -> None:
    rule = rule_for(version.tier)
    open_assignments = version.assignments.open()
    votes = list(version.votes.all())
    if not votes or open_assignments.exists():
        return
    problems = panel_problems(version, rule, votes)
    if problems:
        _panel_incomplete(campaign, version, problems)
        return
    outcome = workflow.outcome_of(v.decision for v in votes)
    now = timezone.now()
    decision = Decision.objects.create(
        campaign=campaign,
        version=version,
        outcome=outcome,
        kind=DecisionKind.RULE,
        fingerprint=version.fingerprint,
        reasons=decision_reasons(outcome, votes),
        created_at=now,
    )
    if rule.chair_confirms:
        _set_status(
            campaign,
            workflow.transition("decide", campaign.status, CampaignStatus.AWAITING_CONFIRMATION),
        )
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
    outcome = workflow.transition("decide", campaign.status, outcome)
    _apply_outcome(
        campaign, version, outcome, rule, decision=decision, conditions=_vote_conditions(votes)
    )
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


def _check_report_every_days(days: int | None, with_conditions: bool) -> None:
    if days is None:
        return
    if not with_conditions:
        raise ServiceError(
            _("A reporting cadence goes with “approve with conditions” only."),
            field="report_every_days",
        )
    if (
        isinstance(days, bool)
        or not isinstance(days, int)
        or not REPORT_EVERY_MIN_DAYS <= days <= REPORT_EVERY_MAX_DAYS
    ):
        raise ServiceError(
            _("Ask for a monitoring report every 7 to 90 days."), field="report_every_days"
        )


# (text, the vote that set it or None for the chair's, a reporting cadence in days or None)
ConditionSpec = tuple[str, Vote | None, int | None]


def _vote_conditions(votes) -> list[ConditionSpec]:
    specs = []
    for v in votes:
        specs += [(text, v, None) for text in v.conditions]
        if v.report_every_days:
            specs.append(_reporting_condition(v.report_every_days, v))
    return specs


def _reporting_condition(days: int, vote: Vote | None) -> ConditionSpec:
    # Stored in English like the canonical meanings; pages show ``Condition.label``.
    with translation.override("en"):
        return (reporting_condition_text(days), vote, days)


def _apply_outcome(
    campaign,
    version,
    outcome: str,
    rule: RoutingRule,
    *,
    decision: Decision,
    conditions: list[ConditionSpec],
) -> None:
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
        for text, vote, days in conditions:
            Condition.objects.create(
                campaign=campaign,
                version=version,
                decision=decision,
                vote=vote,
                text=text,
                report_every_days=days,
            )
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
    DecisionKind.CONFIRMED: gettext_noop(
        "As board chair I confirm the outcome of the board's votes."
    ),
    DecisionKind.OVERRULED: gettext_noop(
        "As board chair I overrule the board's outcome, for the reason stated."
    ),
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
        fingerprint=version.fingerprint,
        **signed_meaning(CHAIR_MEANINGS[kind]),
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
    training.require_to_decide(actor, Role.CHAIR)
    campaign = Campaign.objects.get(pk=campaign.pk)
    workflow.require("confirm", campaign.status)
    _check_signature(actor, password, campaign, "confirm")
    with transaction.atomic():
        actor = permissions.check_judge(actor, campaign, "confirm")
        campaign = _locked(campaign)
        workflow.require("confirm", campaign.status)
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
        decision = _chair_decision(
            campaign, version, actor, DecisionKind.CONFIRMED, outcome, rationale
        )
        _apply_outcome(
            campaign,
            version,
            outcome,
            rule_for(version.tier),
            decision=decision,
            conditions=_vote_conditions(version.votes.all()),
        )
        audit.record(
            kind=EventKind.CONFIRMED,
            campaign=campaign,
            actor=actor,
            payload={"version": version.number, "outcome": outcome, **meaning_payload(decision)},
        )
        read_models_refresh(campaign)


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
    report_every_days: int | None = None,
) -> None:
    """The chair sets a different outcome, with a rationale; a signed, recorded act that
    names the outcome it overrules and the version (``signing_expectation``). With
    "approved with conditions", ``report_every_days`` as in ``vote_cast``."""
    if not permissions.is_chair(actor):
        raise ServiceError(_("Only the board chair can overrule."))
    permissions.check_mfa(actor)
    training.require_to_decide(actor, Role.CHAIR)
    rationale = (rationale or "").strip()
    conditions = [c.strip() for c in (conditions or []) if c and c.strip()]
    if outcome not in workflow.OUTCOMES.values():
        raise ServiceError(_("Choose the outcome."), field="outcome")
    if not rationale:
        raise ServiceError(_("An overrule needs a rationale."), field="rationale")
    _check_report_every_days(report_every_days, outcome == CampaignStatus.APPROVED_WITH_CONDITIONS)
    if outcome == CampaignStatus.APPROVED_WITH_CONDITIONS and not (conditions or report_every_days):
        raise ServiceError(_("State at least one condition."), field="conditions")
    campaign = Campaign.objects.get(pk=campaign.pk)
    workflow.transition("overrule", campaign.status, outcome)
    _check_signature(actor, password, campaign, "overrule")
    with transaction.atomic():
        actor = permissions.check_judge(actor, campaign, "overrule")
        campaign = _locked(campaign)
        previous = campaign.status
        workflow.transition("overrule", campaign.status, outcome)
        _check_expectation(campaign, "overrule", expected_outcome, expected_version)
        if previous == outcome:
            raise ServiceError(_("The campaign already has this outcome."))
        version = current_version(campaign)
        decision = _chair_decision(
            campaign, version, actor, DecisionKind.OVERRULED, outcome, rationale
        )
        _apply_outcome(
            campaign,
            version,
            outcome,
            rule_for(version.tier),
            decision=decision,
            conditions=[(c, None, None) for c in conditions]
            + ([_reporting_condition(report_every_days, None)] if report_every_days else []),
        )
        audit.record(
            kind=EventKind.OVERRULED,
            campaign=campaign,
            actor=actor,
            payload={
                "version": version.number,
                "from": previous,
                "outcome": outcome,
                **meaning_payload(decision),
            },
        )
        read_models_refresh(campaign)
