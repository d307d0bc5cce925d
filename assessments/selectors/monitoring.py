"""Reads of a live campaign's monitoring reports and incidents (the API's lists and
details), each in a fixed number of queries however many reports, rows or entries."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404

from ..models import Campaign, Feedback, Incident, IncidentEntry, MonitoringReport


def monitoring_reports_of(campaign: Campaign) -> list[MonitoringReport]:
    """The campaign's reports, newest first, with their authors and rows (two queries)."""
    return list(
        campaign.monitoring_reports.select_related("author")
        .prefetch_related("rows")
        .order_by("-filed_at", "-pk")
    )


def incidents_of(campaign: Campaign) -> list[Incident]:
    """The campaign's incidents, newest first, with the people named on them (one query)."""
    return list(campaign.incidents.select_related("opened_by", "closed_by", "suspension_lifted_by"))


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
