"""Reads of a live campaign's monitoring reports and incidents (the API's lists and
details), each in a fixed number of queries however many reports, rows or entries."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404

from ..models import Campaign, Feedback, Incident, IncidentEntry, MonitoringReport


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
