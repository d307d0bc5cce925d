"""Submitting a campaign for review: what blocks it, the frozen version, and staffing its panel.

Like every service: the actor's rights and the campaign's state are checked, one transaction
with the campaign row locked, the audit event in that transaction.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import audit, permissions, registry, selectors, training, workflow
from ..canonical import canonical_sha256
from ..errors import ServiceError
from ..models import (
    Assignment,
    AssignmentStatus,
    Campaign,
    CampaignStatus,
    CampaignVersion,
    EventKind,
    NotificationKind,
    RoutingRule,
    User,
    Vote,
)
from ..notifications import notify
from ..roles import Role
from .assignments import eligible_reviewers
from .guidelines import acknowledge_for_submission
from .panel import _locked, _set_status, _start_review_if_staffed, current_version, rule_for
from .read_models import read_models_refresh


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


def submit_blockers(result, campaign: Campaign | None = None) -> list[str]:
    """Why a result cannot be submitted (empty when it can): an incomplete assessment, a
    Prohibited result, or (given the campaign) a banned or expired register tool. The one
    rule for ``campaign_submit`` and the confirmation page."""
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
    if campaign is not None:
        blockers.extend(registry.tool_blockers(campaign))
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


def submission_outlook(
    *, campaign: Campaign, now: datetime | None = None, actor: User | None = None
) -> SubmissionOutlook:
    """Read only: the confirmation page's "what happens next" (for ``actor``, who also
    needs current ethics training)."""
    result = selectors.campaign_result(campaign)
    blockers = submit_blockers(result, campaign)
    if actor is not None:
        try:
            training.require_to_submit(actor)
        except training.TrainingRequired as exc:
            blockers.append(exc.message)
    if blockers:
        return SubmissionOutlook(tier=result.tier, rule=None, due_at=None, blockers=blockers)
    rule = rule_for(result.tier)
    due_at = workflow.add_working_days(now or timezone.now(), rule.due_working_days)
    return SubmissionOutlook(tier=result.tier, rule=rule, due_at=due_at, blockers=[])


def campaign_submit(
    *,
    actor: User,
    campaign: Campaign,
    expected_tier: str | None = None,
    acknowledged: Iterable[int] = (),
) -> CampaignVersion:
    """Freeze the current intake, answers and score as a new version and send it to the
    board. Refuses an incomplete assessment and a Prohibited result, with reasons, and
    (given ``expected_tier``, the tier the person confirmed) a result whose tier changed
    since, so nobody submits under a route they were not shown. The current versions of the
    guidelines governing the campaign must be acknowledged (``acknowledged``: version ids)
    unless ``actor`` did so before."""
    with transaction.atomic():
        campaign = _locked(campaign)
        if not permissions.can_edit_campaign(actor, campaign):
            raise ServiceError(_("Only the campaign's team can submit it."))
        workflow.transition("submit", campaign.status)
        training.require_to_submit(actor)
        result = selectors.campaign_result(campaign)
        blockers = submit_blockers(result, campaign)
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
        acknowledge_for_submission(actor=actor, campaign=campaign, acknowledged=acknowledged)
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
        campaign.latest_version, campaign.latest_version_number = version, version.number
        campaign.tier = result.tier
        campaign.submitted_at = now
        campaign.first_submitted_at = campaign.first_submitted_at or now
        campaign.review_due_at = workflow.add_working_days(now, rule.due_working_days)
        _set_status(
            campaign,
            workflow.transition("submit", campaign.status),
            "latest_version",
            "latest_version_number",
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
        read_models_refresh(campaign)
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
