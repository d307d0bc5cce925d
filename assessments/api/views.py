"""The REST API's views: authorise with the permissions module, read through the
selectors, write through the services (exactly what the pages do), answer JSON."""

import re

from django.db import transaction
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers as drf_serializers
from rest_framework import status
from rest_framework.decorators import (
    api_view,
    authentication_classes,
    permission_classes,
)
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import (
    audit,
    fragments,
    intake,
    listing,
    paging,
    permissions,
    provenance,
    rich_text,
    selectors,
    services,
    workflow,
)
from ..errors import ServiceError
from ..forms import CampaignForm
from ..models import Campaign, CampaignStatus, EventKind, Guideline, User
from ..questionnaire import visible_codes
from . import serializers as s
from .errors import Conflict

ERRORS = {
    400: OpenApiResponse(s.ErrorSerializer, description="The request is not valid."),
    401: OpenApiResponse(s.ErrorSerializer, description="No valid token."),
    403: OpenApiResponse(s.ErrorSerializer, description="Your roles do not allow this."),
    404: OpenApiResponse(s.ErrorSerializer, description="No such campaign, or you may not see it."),
    409: OpenApiResponse(
        s.ErrorSerializer, description="The campaign's state does not allow this now."
    ),
    429: OpenApiResponse(s.ErrorSerializer, description="Too many requests for this token."),
}


def errors(*codes):
    return {code: ERRORS[code] for code in (401, 429, *codes)}


class _Page(drf_serializers.Serializer):
    count = drf_serializers.IntegerField(
        help_text="Exact up to 10,000, or 1,000 with q (see count_capped)."
    )
    count_capped = drf_serializers.BooleanField()
    next = drf_serializers.URLField(allow_null=True)
    previous = drf_serializers.URLField(allow_null=True)


class CampaignPageSerializer(_Page):
    results = s.CampaignSerializer(many=True)


class EventPageSerializer(drf_serializers.Serializer):
    next = drf_serializers.URLField(allow_null=True)
    results = s.EventSerializer(many=True)


def _form_errors(form) -> dict:
    return {
        field: [error["message"] for error in errors]
        for field, errors in form.errors.get_json_data().items()
    }


def _campaign(request, pk: int):
    """The campaign if the user may see it; 404 otherwise (no hint that it exists)."""
    return selectors.campaign_for(request.user, pk)


class CampaignAPIView(APIView):
    """Something of one campaign: a campaign the user may not see answers 404 whatever
    the method (not 405, which would confirm that it exists)."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.campaign = _campaign(request, kwargs["pk"])


def _language(request) -> str:
    return getattr(request.user, "language", "") or translation.get_language() or "en"


def _me(user: User) -> dict:
    return {
        "id": user.pk,
        "email": user.email,
        "display_name": user.display_name,
        "roles": sorted(user.role_set),
        "teams": [{"id": t.pk, "slug": t.slug, "name": t.name} for t in user.teams.all()],
    }


class MeView(APIView):
    @extend_schema(summary="Who the token acts as", responses={200: s.MeSerializer, **errors()})
    def get(self, request):
        return Response(_me(request.user))


PERIOD = {"type": "string", "pattern": r"^[1-9]\d{3}-(0[1-9]|1[0-2])(-(0[1-9]|1\d|2[0-8]))?$"}
CURSOR = {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,512}$"}
LIST_PARAMETERS = [
    OpenApiParameter(
        "q",
        {"type": "string", "maxLength": 100, "pattern": r"^[^\x00]*$"},
        description="Words that the campaign's name, team, owner (name or e-mail) or "
        "description each contain, ignoring case and accents (no NUL characters).",
    ),
    OpenApiParameter(
        "state",
        str,
        enum=[listing.OPEN_STATES, *CampaignStatus.values],
        description="A campaign state, or `open` (any stage of review).",
    ),
    OpenApiParameter("tier", str, enum=[*listing.TIERS, listing.NO_TIER]),
    OpenApiParameter("team", {"type": "integer", "minimum": 1}, description="Team id."),
    OpenApiParameter("channel", str, enum=[code for code, _label in intake.CHANNELS]),
    OpenApiParameter("market", str, enum=[code for code, _label in intake.MARKETS]),
    OpenApiParameter(
        "on", str, enum=[key for key, _label in listing.DATE_BASES], description="Date basis."
    ),
    OpenApiParameter("from", PERIOD, description="YYYY-MM or YYYY-MM-DD."),
    OpenApiParameter("to", PERIOD, description="YYYY-MM or YYYY-MM-DD."),
    OpenApiParameter("sort", str, enum=list(listing.SORTS)),
    OpenApiParameter("after", CURSOR, description="Cursor from `next` (only as given)."),
    OpenApiParameter("before", CURSOR, description="Cursor from `previous` (only as given)."),
]


class CampaignsView(APIView):
    @extend_schema(
        summary="Campaigns you may see, with the dashboard's filters",
        operation_id="campaigns_list",
        parameters=LIST_PARAMETERS,
        responses={200: CampaignPageSerializer, **errors(400)},
    )
    def get(self, request):
        form = listing.CampaignFilterForm(request.query_params)
        campaigns = selectors.visible_campaigns(request.user)
        if form.is_valid():
            filters = form.filters()
            campaigns = listing.apply_filters(campaigns, filters)
            count_key = listing.count_key(request.user, filters)
        elif form.matches_nothing():
            filters, campaigns, count_key = {}, campaigns.none(), None
        else:
            raise ValidationError(_form_errors(form))
        page = paging.page_of(
            campaigns,
            sort=filters.get("sort", ""),
            after=request.query_params.get("after", ""),
            before=request.query_params.get("before", ""),
            values=s.LIST_VALUES,
            cap=paging.count_cap(filters),
            count_key=count_key,
        )
        base = request.query_params.copy()
        for key in ("after", "before"):
            base.pop(key, None)

        def link(key, cursor):
            if not cursor:
                return None
            query = base.copy()
            query[key] = cursor
            return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

        return Response(
            {
                "count": page.count,
                "count_capped": page.count_capped,
                "next": link("after", page.next_cursor),
                "previous": link("before", page.prev_cursor),
                # Serialised like the list page's rows are rendered: once per change.
                "results": fragments.cached(
                    "api_campaign_rows",
                    [timezone.get_current_timezone_name(), listing.rows_key(page.rows)],
                    lambda: s.CampaignSerializer(map(s.nested, page.rows), many=True).data,
                ),
            }
        )

    @extend_schema(
        summary="Create a draft campaign from its intake",
        operation_id="campaigns_create",
        request=s.CampaignCreateSerializer,
        responses={201: s.CampaignSerializer, **errors(400, 403)},
    )
    def post(self, request):
        user = request.user
        if not permissions.can_create_campaign(user):
            raise PermissionDenied("Only marketers can create campaigns for their teams.")
        body = s.CampaignCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        teams = permissions.campaign_teams(user)
        slug = body.validated_data.get("team")
        if slug:
            team = teams.filter(slug=slug).first()
            if team is None:
                raise ValidationError({"team": ["You cannot create campaigns for this team."]})
        elif teams.count() == 1:
            team = teams.get()
        else:
            raise ValidationError({"team": ["You belong to several teams: name one."]})
        # The same form as the page validates the intake (and nothing else gets through).
        data = QueryDict(mutable=True)
        for name, value in body.validated_data.items():
            if isinstance(value, list):
                data.setlist(name, value)
            elif isinstance(value, bool):
                if value:
                    data[name] = "on"
            else:
                data[name] = str(value)
        data["team"] = str(team.pk)
        form = CampaignForm(data, teams=teams)
        if not form.is_valid():
            raise ValidationError(_form_errors(form))
        intake = {name: form.cleaned_data[name] for name in services.INTAKE_FIELDS}
        campaign = services.campaign_create(actor=user, team=team, intake=intake)
        campaign = selectors.campaign_for(user, campaign.pk)
        return Response(s.CampaignSerializer(campaign).data, status=status.HTTP_201_CREATED)


class CampaignView(CampaignAPIView):
    @extend_schema(
        summary="One campaign",
        operation_id="campaigns_retrieve",
        responses={200: s.CampaignDetailSerializer, **errors(404)},
    )
    def get(self, request, pk: int):
        campaign = _campaign(request, pk)
        campaign.evidence_files = list(campaign.evidence.all())
        campaign.synthetic_media_findings = provenance.synthetic_media_findings(
            campaign, campaign.evidence_files
        )
        return Response(s.CampaignDetailSerializer(campaign).data)


def _answers(campaign) -> dict:
    assessment = campaign.assessment
    result = selectors.campaign_result(campaign)
    definition = selectors.definition_of(assessment.questionnaire)
    return {
        "questionnaire": assessment.questionnaire.slug,
        "questionnaire_version": assessment.questionnaire.version,
        "answers": assessment.answers,
        "visible": visible_codes(definition, campaign.intake(), assessment.answers),
        "result": result.as_dict(),
    }


class _Invalid(Exception):
    def __init__(self, problems):
        self.problems = problems


class AnswersView(CampaignAPIView):
    @extend_schema(
        summary="The assessment's answers and live result",
        responses={200: s.AnswersSerializer, **errors(404)},
    )
    def get(self, request, pk: int):
        return Response(_answers(_campaign(request, pk)))

    @extend_schema(
        summary="Answer questions of a draft by question code",
        request=s.AnswersUpdateSerializer,
        responses={200: s.AnswersSerializer, **errors(400, 403, 404, 409)},
    )
    def patch(self, request, pk: int):
        campaign = _campaign(request, pk)
        if not permissions.is_team_marketer(request.user, campaign):
            raise PermissionDenied("Only the campaign's team answers its assessment.")
        if campaign.status not in workflow.EDITABLE_STATES:
            raise Conflict("The assessment can be changed only while the campaign is a draft.")
        body = s.AnswersUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            with transaction.atomic():  # all or nothing
                problems = services.assessment_save_answers(
                    actor=request.user, campaign=campaign, answers=body.validated_data["answers"]
                )
                if problems:
                    raise _Invalid(problems)
        except _Invalid as invalid:
            raise ValidationError(
                {code: [str(error.message)] for code, error in invalid.problems.items()}
            ) from None
        return Response(_answers(selectors.campaign_for(request.user, pk)))


class SubmitView(CampaignAPIView):
    @extend_schema(
        summary="Submit the draft to the ethics board",
        request=s.SubmitSerializer,
        responses={200: s.CampaignSerializer, **errors(400, 403, 404, 409)},
    )
    def post(self, request, pk: int):
        campaign = _campaign(request, pk)
        if not permissions.is_team_marketer(request.user, campaign):
            raise PermissionDenied("Only the campaign's team submits it.")
        if campaign.status not in workflow.EDITABLE_STATES:
            raise Conflict("This campaign cannot be submitted in its current state.")
        body = s.SubmitSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            services.campaign_submit(
                actor=request.user,
                campaign=campaign,
                acknowledged=body.validated_data.get("acknowledge_guidelines", []),
            )
        except ServiceError:
            # Another request (a second submit, a withdrawal) changed the campaign between our
            # read and the service's lock: a conflict that says what changed, not a 400.
            now = Campaign.objects.filter(pk=pk).values_list("status", flat=True).first()
            if now is None or now == campaign.status:
                raise
            labels = {
                "now": CampaignStatus(now).label,
                "was": CampaignStatus(campaign.status).label,
            }
            raise Conflict(
                _(
                    "The campaign changed while you submitted it: it is now “%(now)s” "
                    "(it was “%(was)s”)."
                )
                % labels,
                changed={"status": {"was": campaign.status, "now": now}},
            ) from None
        return Response(s.CampaignSerializer(_campaign(request, pk)).data)


class ClearanceView(CampaignAPIView):
    @extend_schema(
        summary="May the campaign go live now? (the launch gate)",
        responses={200: s.ClearanceSerializer, **errors(404)},
    )
    def get(self, request, pk: int):
        return Response(selectors.clearance(_campaign(request, pk)))


EVENTS_PAGE = 100
SEQUENCE = re.compile(r"[0-9]{1,18}")  # ASCII digits within a bigint ("²".isdigit() is True)


def before_cursor(request) -> int | None:
    """``?before=<id>`` of a list read newest first (the id in its ``next`` link)."""
    raw = request.query_params.get("before")
    if raw is None:
        return None
    if not SEQUENCE.fullmatch(raw):
        raise ValidationError({"before": [_("Give the id from the “next” link.")]})
    return int(raw)


BEFORE = OpenApiParameter(
    "before",
    {"type": "integer", "minimum": 0, "maximum": 10**18 - 1},
    description="Cursor: the id from `next` (older entries).",
)


def next_page(request, rows: list, size: int) -> tuple[list, str | None]:
    """The page's rows (``rows`` holds up to one more than ``size``) and the link to the
    next (older) page, if there is one."""
    if len(rows) <= size:
        return rows, None
    rows = rows[:size]
    return rows, request.build_absolute_uri(f"{request.path}?before={rows[-1].pk}")


class EventsView(CampaignAPIView):
    @extend_schema(
        summary="The campaign's history, oldest first",
        parameters=[
            OpenApiParameter(
                "after",
                {"type": "integer", "minimum": 0, "maximum": 10**18 - 1},
                description="Sequence number cursor.",
            )
        ],
        responses={200: EventPageSerializer, **errors(400, 404)},
    )
    def get(self, request, pk: int):
        campaign = _campaign(request, pk)
        after = request.query_params.get("after", "0")
        if not SEQUENCE.fullmatch(after):
            raise ValidationError({"after": ["A sequence number."]})
        events = list(audit.timeline(campaign).filter(seq__gt=int(after))[: EVENTS_PAGE + 1])
        more = len(events) > EVENTS_PAGE
        events = events[:EVENTS_PAGE]
        names = dict(
            User.objects.filter(pk__in={e.actor_id for e in events if e.actor_id}).values_list(
                "pk", "display_name"
            )
        )
        nxt = None
        if more:
            nxt = request.build_absolute_uri(f"{request.path}?after={events[-1].seq}")
        return Response(
            {
                "next": nxt,
                "results": [
                    {
                        "seq": e.seq,
                        "kind": e.kind,
                        "label": str(EventKind(e.kind).label),
                        "at": e.created_at,
                        "actor": names.get(e.actor_id, "") if e.actor_id else "",
                        "payload": e.payload,
                        "hash": e.hash,
                    }
                    for e in events
                ],
            }
        )


def _feedback(item) -> dict:
    return {
        "id": item.pk,
        "source": item.source,
        "category": item.category,
        "severity": item.severity,
        "text": item.text,
        "status": item.status,
        "author": item.author.display_name if item.author_id else None,
        "created_at": item.created_at,
    }


class FeedbackView(CampaignAPIView):
    @extend_schema(
        summary="Stakeholder feedback on the campaign",
        responses={200: s.FeedbackSerializer(many=True), **errors(404)},
    )
    def get(self, request, pk: int):
        campaign = _campaign(request, pk)
        return Response([_feedback(f) for f in selectors.feedback_for(campaign)])

    @extend_schema(
        summary="Give feedback on the campaign (as a colleague)",
        request=s.FeedbackSerializer,
        responses={201: s.FeedbackSerializer, **errors(400, 404)},
    )
    def post(self, request, pk: int):
        campaign = _campaign(request, pk)
        body = s.FeedbackSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        item = services.feedback_add(
            actor=request.user,
            campaign=campaign,
            category=body.validated_data["category"],
            severity=body.validated_data["severity"],
            text=body.validated_data["text"],
        )
        return Response(_feedback(item), status=status.HTTP_201_CREATED)


class QuestionnaireView(APIView):
    @extend_schema(
        summary="The current questionnaire definition (questions, options, codes)",
        responses={200: s.QuestionnaireSerializer, **errors(404)},
    )
    def get(self, request):
        questionnaire = selectors.current_questionnaire()
        if questionnaire is None:
            raise NotFound("No questionnaire is loaded.")
        return Response(
            {
                "slug": questionnaire.slug,
                "version": questionnaire.version,
                "title": questionnaire.title(_language(request)),
                "checksum": questionnaire.checksum,
                "definition": questionnaire.definition,
            }
        )


def _guideline(guideline, language: str) -> dict:
    version = guideline.current
    title, lang = version.title(language)
    body, _lang = version.body(lang)
    links = list(guideline.links.all())
    return {
        "id": guideline.pk,
        "version_id": version.pk,
        "topic": guideline.topic.name(language),
        "version": version.number,
        "language": lang,
        "title": title,
        "body_markdown": body,
        "body_html": str(rich_text.render(body)),
        "questions": sorted(link.code for link in links if link.kind == "question"),
        "dimensions": sorted(link.code for link in links if link.kind == "dimension"),
        "url": reverse("guideline_detail", args=[guideline.pk]),
        "published_at": version.created_at,
    }


class QuestionGuidelinesView(APIView):
    @extend_schema(
        summary="The board's guidelines governing a question of the current questionnaire",
        description="Guidelines linked to the question's code or to its risk dimension, "
        "current versions, in the caller's language where written in it.",
        responses={200: s.QuestionGuidelinesSerializer, **errors(404)},
    )
    def get(self, request, code: str):
        questionnaire = selectors.current_questionnaire()
        definition = selectors.definition_of(questionnaire) if questionnaire else None
        question = definition.questions.get(code) if definition else None
        if question is None:
            raise NotFound("The current questionnaire has no such question.")
        language = _language(request)
        linked = (
            Guideline.objects.linked_to(
                codes=[code], dimensions=[question.dimension] if question.dimension else []
            )
            .select_related("current", "topic")
            .prefetch_related("links")
            .order_by("pk")
        )
        return Response(
            {
                "question": code,
                "dimension": question.dimension,
                "results": [_guideline(g, language) for g in linked],
            }
        )


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
@permission_classes([AllowAny])
@authentication_classes([])
def not_found(request, *args, **kwargs):
    raise NotFound("There is no such API address.")
