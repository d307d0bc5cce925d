"""Monitoring of live campaigns: the team files reports; a breach of the board's thresholds,
or a report overdue beyond the grace period, flags the campaign for the chair, who may send
it back to review (``campaign_send_back``)."""

from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import audit, monitoring, permissions, webhooks
from ..cleaning import unstorable
from ..errors import ServiceError
from ..models import (
    Campaign,
    EventKind,
    MonitoringReport,
    MonitoringRow,
    NotificationKind,
    User,
    WebhookEvent,
)
from ..notifications import notify
from ..roles import Role
from .read_models import read_models_refresh

OBSERVATIONS_MAX = 4000


def _chairs():
    return User.objects.filter(is_active=True, roles__role=Role.CHAIR).distinct()


def _flag(campaign: Campaign, *, reason: str, report: MonitoringReport | None = None) -> bool:
    """Flag ``campaign`` (locked) for the chair, like serious feedback; once until the chair
    acts. Returns whether it was flagged now."""
    if campaign.rereview_flagged_at or campaign.status not in permissions.REREVIEW_STATES:
        return False
    campaign.rereview_flagged_at = timezone.now()
    campaign.save(update_fields=["rereview_flagged_at"])
    payload = {"reason": reason}
    if report is not None:
        payload["report"] = report.pk
    audit.record(kind=EventKind.MONITORING_FLAGGED, campaign=campaign, actor=None, payload=payload)
    notify(
        recipients=_chairs(),
        kind=NotificationKind.MONITORING_BREACH,
        campaign=campaign,
        params={"reason": reason},
    )
    return True


def monitoring_report_file(
    *, actor: User, campaign: Campaign, figures: str | list[list[str]], observations: str = ""
) -> MonitoringReport:
    """File a report of a live campaign: ``figures`` are CSV lines "segment, people reached,
    positive outcomes" (the page), or those lines' cells (the API). The analysis is stored
    with the thresholds in force."""
    observations = (observations or "").strip()
    if unstorable(observations):
        raise ServiceError(_("The text holds characters that cannot be stored."))
    if len(observations) > OBSERVATIONS_MAX:
        raise ServiceError(
            _("The observations have at most 4,000 characters."), field="observations"
        )
    try:
        if isinstance(figures, str):
            rows = monitoring.parse_rows(figures)
        else:
            rows = monitoring.check_rows(figures)
    except ValidationError as exc:
        raise ServiceError(exc.messages[0], field="figures") from None
    analysis = monitoring.analyse(
        rows, min_ratio=settings.MONITORING_MIN_RATIO, alpha=settings.MONITORING_ALPHA
    )
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if not permissions.is_team_marketer(actor, campaign):
            raise ServiceError(_("Only the campaign's team files its monitoring reports."))
        if campaign.status not in monitoring.LIVE_STATES:
            raise ServiceError(_("Monitoring reports are filed for approved campaigns only."))
        plan = monitoring.plan_of(campaign)
        report = MonitoringReport.objects.create(
            campaign=campaign,
            author=actor,
            filed_at=timezone.now(),
            due_on=plan.next_due,
            observations=observations,
            min_ratio=analysis.min_ratio,
            alpha=analysis.alpha,
            worst_ratio=monitoring.finite(analysis.worst_ratio),
            worst_p=monitoring.finite(analysis.worst_p),
            overall_p=monitoring.finite(analysis.overall_p),
            breach=analysis.breach,
        )
        MonitoringRow.objects.bulk_create(
            MonitoringRow(
                report=report,
                position=i,
                segment=row.segment,
                reached=row.reached,
                positive=row.positive,
            )
            for i, row in enumerate(rows)
        )
        audit.record(
            kind=EventKind.MONITORING_REPORTED,
            campaign=campaign,
            actor=actor,
            payload={
                "report": report.pk,
                "segments": len(rows),
                "breach": analysis.breach,
                "worst_ratio": _rounded(report.worst_ratio),
            },
        )
        if analysis.breach:
            _flag(campaign, reason="breach", report=report)
            webhooks.emit(
                WebhookEvent.MONITORING_BREACH,
                campaign,
                {
                    "report_id": report.pk,
                    "worst_ratio": _rounded(report.worst_ratio),
                    "segments_below": len(analysis.adverse),
                },
            )
        read_models_refresh(campaign)
    return report


def _rounded(value: float | None) -> str | None:
    """Ratios go into hashed events and webhooks as text: floats do not hash stably."""
    return None if value is None else f"{value:.4f}"


def monitoring_scan(*, now=None) -> int:
    """Remind the team of an overdue report (daily), and flag the campaign for the chair once
    the report is more than ``MONITORING_GRACE_DAYS`` late. Safe to run repeatedly.

    Finding the overdue campaigns takes a fixed number of queries however many campaigns
    are live (the rules and the conditions' cadences read once, the reports counted in the
    campaigns' query, the teams' marketers read once); only the reminders and flags
    written cost per overdue campaign."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    rules = monitoring.rules_by_tier()
    live = (
        Campaign.objects.filter(
            status__in=list(monitoring.LIVE_STATES), flight_end__gte=today - timedelta(days=60)
        )
        .only("pk", "team_id", "tier", "status", "decided_at", "flight_start", "flight_end")
        .annotate(filed=Count("monitoring_reports"))
    )
    live = list(live)
    cadences = monitoring.condition_cadences(live)
    overdue = []
    for campaign in live:
        plan = monitoring.plan_of(
            campaign, today=today, filed=campaign.filed, rules=rules, cadences=cadences
        )
        if plan.overdue_days:
            overdue.append((campaign, plan))
    if not overdue:
        return 0
    marketers = defaultdict(list)
    memberships = (
        User.teams.through.objects.filter(
            team_id__in={campaign.team_id for campaign, _plan in overdue},
            user__is_active=True,
            user__roles__role=Role.MARKETER,
        )
        .select_related("user")
        .distinct()
        .order_by("team_id", "user_id")
    )
    for membership in memberships:
        marketers[membership.team_id].append(membership.user)
    sent = 0
    for campaign, plan in overdue:
        due = plan.next_due.isoformat()
        sent += len(
            notify(
                recipients=marketers[campaign.team_id],
                kind=NotificationKind.MONITORING_DUE,
                campaign=campaign,
                params={"due": due},
                dedupe_key=f"monitoring:{campaign.pk}:{due}:{today.isoformat()}",
            )
        )
        if plan.overdue_days > settings.MONITORING_GRACE_DAYS:
            with transaction.atomic():
                locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
                if _flag(locked, reason="overdue"):
                    read_models_refresh(locked)
    return sent
