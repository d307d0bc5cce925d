"""What the review services share: the locked campaign row and its status, the routing rule for
a tier, the current version, and whether a version's panel is staffed and complete.
"""

import logging

from django.utils.translation import gettext as _

from .. import audit, workflow
from ..errors import ServiceError
from ..models import (
    Assignment,
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

logger = logging.getLogger(__name__)


def _locked(campaign: Campaign) -> Campaign:
    return Campaign.objects.select_for_update().select_related("team", "owner").get(pk=campaign.pk)


def _set_status(campaign: Campaign, status: str, *extra_fields: str) -> None:
    campaign.status = status
    campaign.save(update_fields=["status", "updated_at", *extra_fields])


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


def _active_assignments(version: CampaignVersion) -> list[Assignment]:
    return list(version.assignments.active().select_related("reviewer"))


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
