"""Routing a version to reviewers: proposal, assignment, accepting (with a conflict declaration),
recusal and replacement, and withdrawing a reviewer who leaves the board.
"""

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import audit, permissions, workflow
from ..errors import ServiceError
from ..models import (
    ACTIVE_ASSIGNMENT_STATES,
    Assignment,
    AssignmentStatus,
    Campaign,
    CampaignStatus,
    CampaignVersion,
    EventKind,
    NotificationKind,
    User,
    Vote,
)
from ..notifications import notify
from ..roles import Role
from ..wording import join_list
from .panel import _active_assignments, _locked, _start_review_if_staffed, current_version, rule_for
from .read_models import cached_lists_refresh, read_models_refresh
from .review import _decide_if_complete


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
                    assignments__status__in=ACTIVE_ASSIGNMENT_STATES,
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
    active = list(version.assignments.active().select_related("reviewer"))
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
    with transaction.atomic():
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
                % {"names": join_list(refused)}
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
        read_models_refresh(campaign)
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
    with transaction.atomic():
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
        cached_lists_refresh()
    return assignment


def assignment_recuse(*, actor: User, assignment: Assignment, reason: str) -> Assignment | None:
    """Step back, with a reason on the record. The system assigns the least-loaded
    eligible replacement at once when there is one (the chair can change it)."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("Give a reason for recusing."), field="reason")
    with transaction.atomic():
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
        read_models_refresh(campaign)
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
    with transaction.atomic():
        fresh = User.objects.select_for_update().get(pk=user.pk)
        open_ones = Assignment.objects.active().filter(
            reviewer=fresh, campaign__status__in=list(workflow.OPEN_REVIEW_STATES)
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
        read_models_refresh(*campaigns)
    return withdrawn


def _withdraw_from(campaign: Campaign, reviewer: User, actor: User | None) -> int:
    version = current_version(campaign)
    voted = Vote.objects.filter(version=version, reviewer=reviewer).exists()
    assignments = list(
        Assignment.objects.select_for_update()
        .active()
        .filter(campaign=campaign, version=version, reviewer=reviewer)
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
