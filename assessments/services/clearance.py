"""After the decision: conditions fulfilled and verified, withdrawal, and approvals that expire."""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import audit, permissions, webhooks, workflow
from ..errors import ServiceError
from ..models import (
    Assignment,
    AssignmentStatus,
    Campaign,
    CampaignStatus,
    Comment,
    Condition,
    ConditionStatus,
    EventKind,
    NotificationKind,
    User,
    WebhookEvent,
)
from ..notifications import notify
from ..roles import Role
from .panel import _locked, _set_status, current_version
from .read_models import read_models_refresh


def condition_fulfil(*, actor: User, condition: Condition, note: str) -> Condition:
    note = (note or "").strip()
    if not note:
        raise ServiceError(_("Say how the condition was fulfilled."), field="note")
    with transaction.atomic():
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
        read_models_refresh(campaign)
    return condition


def condition_verify(*, actor: User, condition: Condition) -> Condition:
    if not permissions.is_board(actor):
        raise ServiceError(_("Only a reviewer or the chair verifies conditions."))
    permissions.check_mfa(actor)
    with transaction.atomic():
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
        read_models_refresh(campaign)
    return condition


def campaign_withdraw(*, actor: User, campaign: Campaign, reason: str = "") -> None:
    with transaction.atomic():
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
        read_models_refresh(campaign)


def approvals_expire(*, now=None) -> int:
    """Move approvals past their validity to "approval expired". Safe to run repeatedly."""
    now = now or timezone.now()
    due = Campaign.objects.filter(
        status__in=list(workflow.APPROVED_STATES), approval_expires_at__lte=now
    ).values_list("pk", flat=True)
    expired = 0
    for pk in list(due):
        with transaction.atomic():
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
            read_models_refresh(campaign)
            expired += 1
    return expired
