"""Monitoring of live campaigns in the API: the reporting plan and the reports filed (with
the analysis the report page shows), and filing one through the same service and checks
as the page."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from .. import monitoring, permissions, selectors, services
from ..errors import ServiceError
from ..models import Cadence, MonitoringReport
from ..services.monitoring import OBSERVATIONS_MAX
from .errors import Conflict
from .views import BEFORE, CampaignAPIView, before_cursor, errors, next_page

REPORTS_PAGE = 50


class PlanSerializer(serializers.Serializer):
    cadence = serializers.ChoiceField(choices=Cadence.choices)
    every_days = serializers.IntegerField(help_text="Used when the cadence is `every`.")
    dues = serializers.ListField(
        child=serializers.DateField(), help_text="Every date a report is due."
    )
    filed = serializers.IntegerField(help_text="Reports filed so far.")
    next_due = serializers.DateField(allow_null=True)
    overdue_days = serializers.IntegerField(help_text="0 when nothing is overdue.")
    source = serializers.ChoiceField(
        choices=monitoring.PLAN_SOURCES,
        help_text="Where the cadence comes from: the tier's monitoring rule, or a condition "
        "of the approval that asks for reports more often.",
    )


class RowSerializer(serializers.Serializer):
    segment = serializers.CharField()
    reached = serializers.IntegerField()
    positive = serializers.IntegerField()
    rate = serializers.FloatField()
    ratio_to_best = serializers.FloatField(
        allow_null=True, help_text="Null when no segment had a positive outcome."
    )
    p_value = serializers.FloatField(
        allow_null=True, help_text="Against the best segment; null for the best itself."
    )
    test = serializers.CharField(help_text="`chi2`, `fisher`, or empty for the best segment.")
    best = serializers.BooleanField()
    adverse = serializers.BooleanField(
        help_text="Below the board's ratio and significant at its level."
    )


class ReportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    filed_at = serializers.DateTimeField()
    due_on = serializers.DateField(allow_null=True)
    author = serializers.CharField()
    observations = serializers.CharField()
    min_ratio = serializers.FloatField(help_text="The board's lowest acceptable ratio then.")
    alpha = serializers.FloatField(help_text="The board's significance level then.")
    worst_ratio = serializers.FloatField(allow_null=True)
    worst_p = serializers.FloatField(allow_null=True)
    overall_p = serializers.FloatField(allow_null=True)
    breach = serializers.BooleanField()
    rows = RowSerializer(many=True)


class MonitoringSerializer(serializers.Serializer):
    plan = PlanSerializer()
    reports = ReportSerializer(many=True, help_text="Newest first, 50 at a time.")
    next = serializers.URLField(allow_null=True, help_text="The older reports.")


class FiguresSerializer(serializers.Serializer):
    segment = serializers.CharField(max_length=monitoring.SEGMENT_MAX)
    reached = serializers.IntegerField(min_value=0, max_value=monitoring.MAX_PEOPLE)
    positive = serializers.IntegerField(min_value=0, max_value=monitoring.MAX_PEOPLE)


class ReportCreateSerializer(serializers.Serializer):
    rows = serializers.ListField(
        child=FiguresSerializer(),
        min_length=monitoring.MIN_SEGMENTS,
        max_length=monitoring.MAX_SEGMENTS,
        help_text="One per audience segment; names unique (ignoring case), "
        "positive outcomes at most the people reached.",
    )
    observations = serializers.CharField(
        max_length=OBSERVATIONS_MAX, required=False, allow_blank=True, default=""
    )


def _plan(plan: monitoring.Plan) -> dict:
    return {
        "cadence": plan.cadence,
        "every_days": plan.every_days,
        "dues": plan.dues,
        "filed": plan.filed,
        "next_due": plan.next_due,
        "overdue_days": plan.overdue_days,
        "source": plan.source,
    }


def _report(report: MonitoringReport) -> dict:
    """The report as filed, with the analysis recomputed under the thresholds it was filed
    with (as the report page shows it)."""
    rows = [monitoring.Row(r.segment, r.reached, r.positive) for r in report.rows.all()]
    analysis = monitoring.analyse(rows, min_ratio=report.min_ratio, alpha=report.alpha)
    return {
        "id": report.pk,
        "filed_at": report.filed_at,
        "due_on": report.due_on,
        "author": report.author.display_name,
        "observations": report.observations,
        "min_ratio": report.min_ratio,
        "alpha": report.alpha,
        "worst_ratio": report.worst_ratio,
        "worst_p": report.worst_p,
        "overall_p": report.overall_p,
        "breach": report.breach,
        "rows": [
            {
                "segment": s.segment,
                "reached": s.reached,
                "positive": s.positive,
                "rate": s.rate,
                "ratio_to_best": monitoring.finite(s.ratio),
                "p_value": monitoring.finite(s.p_value),
                "test": s.test,
                "best": s.best,
                "adverse": s.adverse,
            }
            for s in analysis.segments
        ],
    }


class MonitoringView(CampaignAPIView):
    @extend_schema(
        summary="The campaign's monitoring plan and the reports filed",
        parameters=[BEFORE],
        responses={200: MonitoringSerializer, **errors(400, 404)},
    )
    def get(self, request, pk: int):
        reports = selectors.monitoring_reports_of(
            self.campaign, before=before_cursor(request), limit=REPORTS_PAGE + 1
        )
        reports, nxt = next_page(request, reports, REPORTS_PAGE)
        return Response(
            {
                "plan": _plan(monitoring.plan_of(self.campaign)),
                "reports": [_report(r) for r in reports],
                "next": nxt,
            }
        )

    @extend_schema(
        summary="File a monitoring report of a live campaign (the campaign's team)",
        description="The figures are checked as on the page; a breach of the board's "
        "thresholds flags the campaign for the chair.",
        request=ReportCreateSerializer,
        responses={201: ReportSerializer, **errors(400, 403, 404, 409)},
    )
    def post(self, request, pk: int):
        campaign = self.campaign
        if not permissions.is_team_marketer(request.user, campaign):
            raise PermissionDenied(_("Only the campaign's team files its monitoring reports."))
        if campaign.status not in monitoring.LIVE_STATES:
            raise Conflict(_("Monitoring reports are filed for approved campaigns only."))
        body = ReportCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        cells = [
            [row["segment"], str(row["reached"]), str(row["positive"])]
            for row in body.validated_data["rows"]
        ]
        try:
            report = services.monitoring_report_file(
                actor=request.user,
                campaign=campaign,
                figures=cells,
                observations=body.validated_data["observations"],
            )
        except ServiceError as exc:
            if exc.field == "figures":  # the page's field; here the rows
                raise ValidationError({"rows": [exc.message]}) from None
            raise
        return Response(_report(report), status=status.HTTP_201_CREATED)
