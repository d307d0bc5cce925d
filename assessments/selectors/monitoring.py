"""Reads of a live campaign's monitoring for the campaign report: the reporting plan and
every report filed with its figures and analysis, in a fixed number of queries."""

from .. import monitoring
from ..models import Campaign
from .campaigns import has


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
