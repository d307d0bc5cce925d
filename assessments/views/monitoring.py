"""Monitoring of a live campaign: the plan and reports (anyone who may see the campaign),
the team's form to file one, and each report's table and chart."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .. import monitoring, permissions, selectors, services
from ..errors import ServiceError
from ..monitoring_forms import MonitoringReportForm

CHART_WIDTH = 400  # the bars' room in the SVG's user units
BAR_HEIGHT = 22
BAR_GAP = 10


def _may_file(user, campaign) -> bool:
    return (
        permissions.is_team_marketer(user, campaign) and campaign.status in monitoring.LIVE_STATES
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def monitoring_page(request, pk: int):
    campaign = selectors.campaign_for(request.user, pk)
    may_file = _may_file(request.user, campaign)
    form = None
    status = 200
    if request.method == "POST":
        form = MonitoringReportForm(request.POST, request.FILES)
        if not may_file:
            form.add_error(None, _("Only the campaign's team files its monitoring reports."))
        elif form.is_valid():
            try:
                report = services.monitoring_report_file(
                    actor=request.user,
                    campaign=campaign,
                    figures=form.cleaned_data["text"],
                    observations=form.cleaned_data["observations"],
                )
            except ServiceError as exc:
                form.add_error(None, exc.message)
            else:
                if report.breach:
                    messages.warning(
                        request,
                        _("Filed. It breaches the board's thresholds: the chair is told."),
                    )
                else:
                    messages.success(request, _("The monitoring report is filed."))
                return redirect("monitoring_report", pk=campaign.pk, report_pk=report.pk)
        status = 400 if may_file else 403
    elif may_file:
        form = MonitoringReportForm()
    reports = list(campaign.monitoring_reports.select_related("author").order_by("-filed_at"))
    return render(
        request,
        "assessments/monitoring/page.html",
        {
            "campaign": campaign,
            "plan": monitoring.plan_of(campaign, filed=len(reports)),
            "reports": reports,
            "form": form if may_file else None,
            "is_chair": permissions.is_chair(request.user),
        },
        status=status,
    )


def chart_bars(analysis: monitoring.Analysis, *, rtl: bool) -> dict:
    """Bar geometry for the SVG chart (template ``monitoring/chart.svg``): each segment's
    ratio to the best as a bar, and the board's threshold as a line; mirrored for RTL."""
    bars = []
    for i, segment in enumerate(analysis.segments):
        width = round(CHART_WIDTH * (segment.ratio or 0), 1)
        y = i * (BAR_HEIGHT + BAR_GAP)
        bars.append(
            {
                "segment": segment,
                "x": round(CHART_WIDTH - width, 1) if rtl else 0,
                "y": y,
                "width": width,
                "text_y": y + BAR_HEIGHT / 2 + 5,
            }
        )
    threshold = CHART_WIDTH * analysis.min_ratio
    return {
        "bars": bars,
        "width": CHART_WIDTH,
        "bar_height": BAR_HEIGHT,
        "height": len(bars) * (BAR_HEIGHT + BAR_GAP),
        "threshold_x": round(CHART_WIDTH - threshold if rtl else threshold, 1),
    }


@login_required
def monitoring_report(request, pk: int, report_pk: int):
    campaign = selectors.campaign_for(request.user, pk)
    report = get_object_or_404(campaign.monitoring_reports.select_related("author"), pk=report_pk)
    rows = [monitoring.Row(r.segment, r.reached, r.positive) for r in report.rows.all()]
    analysis = monitoring.analyse(rows, min_ratio=report.min_ratio, alpha=report.alpha)
    return render(
        request,
        "assessments/monitoring/report.html",
        {
            "campaign": campaign,
            "report": report,
            "analysis": analysis,
            "chart": chart_bars(analysis, rtl=translation.get_language_bidi()),
        },
    )
