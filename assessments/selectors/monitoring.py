"""Reads of a live campaign's monitoring and incidents: the API's lists and details and the
campaign report's plan and reports, each in a fixed number of queries however many
reports, rows or entries."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404

from .. import monitoring
from ..models import Campaign, Feedback, Incident, IncidentEntry, MonitoringReport
from .campaigns import has


def monitoring_reports_of(
    campaign: Campaign, *, before: int | None = None, limit: int
) -> list[MonitoringReport]:
    """Up to ``limit`` of the campaign's reports, newest first (older than report
    ``before`` if given), with their authors and rows (two queries)."""
    reports = campaign.monitoring_reports.select_related("author").prefetch_related("rows")
    if before is not None:
        reports = reports.filter(pk__lt=before)
    return list(reports.order_by("-pk")[:limit])


def incidents_of(campaign: Campaign, *, before: int | None = None, limit: int) -> list[Incident]:
    """Up to ``limit`` of the campaign's incidents, newest first (older than incident
    ``before`` if given), with the people named on them (one query)."""
    incidents = campaign.incidents.select_related("opened_by", "closed_by", "suspension_lifted_by")
    if before is not None:
        incidents = incidents.filter(pk__lt=before)
    return list(incidents.order_by("-pk")[:limit])


def incident_for(user, pk: int) -> Incident:
    """The incident if ``user`` may see its campaign (``Campaign.objects.visible_to``);
    Http404 otherwise. Its timeline comes with it (two queries)."""
    entries = IncidentEntry.objects.select_related("owner", "author").order_by("created_at", "pk")
    return get_object_or_404(
        Incident.objects.filter(campaign__in=Campaign.objects.visible_to(user))
        .select_related("campaign", "opened_by", "closed_by", "suspension_lifted_by")
        .prefetch_related(Prefetch("entries", queryset=entries)),
        pk=pk,
    )


def feedback_on(campaign: Campaign, pk: int | None) -> Feedback | None:
    """The piece of feedback ``pk`` if it is on ``campaign`` (an incident opened from it)."""
    return campaign.feedback.filter(pk=pk).first() if pk else None


def filed_reports(campaign: Campaign) -> list:
    """The campaign's monitoring reports, oldest first, with their authors and rows (two
    queries whatever their number), each with ``analysis`` recomputed from its stored
    figures under the thresholds it was filed with."""
    if not has(campaign, "monitoring_reports"):
        return []
    reports = list(
        campaign.monitoring_reports.select_related("author")
        .prefetch_related("rows")
        .order_by("filed_at", "pk")
    )
    for report in reports:
        rows = [monitoring.Row(r.segment, r.reached, r.positive) for r in report.rows.all()]
        report.analysis = monitoring.analyse(rows, min_ratio=report.min_ratio, alpha=report.alpha)
    return reports


def monitoring_summary(campaign: Campaign) -> dict | None:
    """The plan and the reports of a decided campaign; None before any decision."""
    if not campaign.decided_at:
        return None
    reports = filed_reports(campaign)
    return {"plan": monitoring.plan_of(campaign, filed=len(reports)), "reports": reports}
