"""Incidents in the API: a campaign's incidents, opening one, an incident with its
timeline, and adding an update or a corrective action, through the same forms and services
as the pages. Closing an incident and lifting a suspension stay on the chair's page (see
``IncidentView``)."""

from django.http import QueryDict
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import selectors, services
from ..errors import ServiceError
from ..incident_forms import MAX_PEOPLE, IncidentEntryForm, IncidentForm
from ..models import EntryKind, HarmType, Incident, IncidentEntry, IncidentSeverity, IncidentStatus
from ..services.incidents import TEXT_MAX
from .views import BEFORE, CampaignAPIView, _form_errors, before_cursor, errors, next_page

INCIDENTS_PAGE = 100

ID_MAX = 2**31 - 1


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField()


class EntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=EntryKind.choices)
    text = serializers.CharField()
    owner = PersonSerializer(allow_null=True)
    due_on = serializers.DateField(allow_null=True)
    author = serializers.CharField()
    created_at = serializers.DateTimeField()


class IncidentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    campaign = serializers.IntegerField()
    opened_by = serializers.CharField()
    opened_at = serializers.DateTimeField()
    what_happened = serializers.CharField()
    harm_type = serializers.ChoiceField(choices=HarmType.choices)
    severity = serializers.ChoiceField(choices=IncidentSeverity.choices)
    people_affected = serializers.IntegerField(allow_null=True)
    regulator_involved = serializers.BooleanField()
    platform_involved = serializers.BooleanField()
    personal_data_breach = serializers.BooleanField()
    notification_deadline = serializers.DateTimeField(
        allow_null=True,
        help_text="For a personal data breach: 72 hours after the opening (GDPR Art. 33(1)).",
    )
    status = serializers.ChoiceField(choices=IncidentStatus.choices)
    suspends_clearance = serializers.BooleanField()
    suspending = serializers.BooleanField(help_text="Suspends the campaign's clearance now.")
    suspension_lifted_at = serializers.DateTimeField(allow_null=True)
    suspension_lifted_by = serializers.CharField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    closed_by = serializers.CharField(allow_null=True)
    resolution = serializers.CharField()


class IncidentDetailSerializer(IncidentSerializer):
    entries = EntrySerializer(many=True, help_text="The timeline, oldest first.")


class IncidentPageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True, help_text="The older incidents.")
    results = IncidentSerializer(many=True, help_text="Newest first, 100 at a time.")


class IncidentCreateSerializer(serializers.Serializer):
    what_happened = serializers.CharField(max_length=TEXT_MAX)
    harm_type = serializers.ChoiceField(choices=HarmType.choices)
    severity = serializers.ChoiceField(choices=IncidentSeverity.choices)
    people_affected = serializers.IntegerField(
        min_value=0, max_value=MAX_PEOPLE, required=False, allow_null=True
    )
    regulator_involved = serializers.BooleanField(default=False)
    platform_involved = serializers.BooleanField(default=False)
    personal_data_breach = serializers.BooleanField(default=False)
    feedback = serializers.IntegerField(
        min_value=1,
        max_value=ID_MAX,
        required=False,
        allow_null=True,
        help_text="The chair only: the feedback on this campaign the incident comes from.",
    )


class EntryCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=EntryKind.choices)
    text = serializers.CharField(max_length=TEXT_MAX)
    owner = serializers.IntegerField(
        min_value=1,
        max_value=ID_MAX,
        required=False,
        allow_null=True,
        help_text="A corrective action's owner (a user id): someone who can see the campaign.",
    )
    due_on = serializers.DateField(required=False, allow_null=True)


def _name(user) -> str | None:
    return user.display_name if user is not None else None


def _entry(entry: IncidentEntry) -> dict:
    owner = entry.owner
    return {
        "id": entry.pk,
        "kind": entry.kind,
        "text": entry.text,
        "owner": {"id": owner.pk, "display_name": owner.display_name} if owner else None,
        "due_on": entry.due_on,
        "author": entry.author.display_name,
        "created_at": entry.created_at,
    }


def _incident(incident: Incident, *, entries: bool = False) -> dict:
    data = {
        "id": incident.pk,
        "campaign": incident.campaign_id,
        "opened_by": incident.opened_by.display_name,
        "opened_at": incident.opened_at,
        "what_happened": incident.what_happened,
        "harm_type": incident.harm_type,
        "severity": incident.severity,
        "people_affected": incident.people_affected,
        "regulator_involved": incident.regulator_involved,
        "platform_involved": incident.platform_involved,
        "personal_data_breach": incident.personal_data_breach,
        "notification_deadline": incident.notification_deadline,
        "status": incident.status,
        "suspends_clearance": incident.suspends_clearance,
        "suspending": incident.suspending,
        "suspension_lifted_at": incident.suspension_lifted_at,
        "suspension_lifted_by": _name(incident.suspension_lifted_by),
        "closed_at": incident.closed_at,
        "closed_by": _name(incident.closed_by),
        "resolution": incident.resolution,
    }
    if entries:
        data["entries"] = [_entry(e) for e in incident.entries.all()]
    return data


def _form_data(validated: dict) -> QueryDict:
    """The serializer's values as the page's form receives them, so that the form checks
    them exactly as it checks the page's."""
    data = QueryDict(mutable=True)
    for name, value in validated.items():
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return data


def _service_error(exc: ServiceError, fields) -> Exception:
    """The service's refusal under the API's name of its field, or as it is (a 400 whose
    detail is the message) when it is about no field."""
    if exc.field in fields:
        return ValidationError({exc.field: [exc.message]})
    return exc


class IncidentsView(CampaignAPIView):
    @extend_schema(
        summary="The campaign's incidents, newest first",
        parameters=[BEFORE],
        responses={200: IncidentPageSerializer, **errors(400, 404)},
    )
    def get(self, request, pk: int):
        incidents = selectors.incidents_of(
            self.campaign, before=before_cursor(request), limit=INCIDENTS_PAGE + 1
        )
        incidents, nxt = next_page(request, incidents, INCIDENTS_PAGE)
        return Response({"next": nxt, "results": [_incident(i) for i in incidents]})

    @extend_schema(
        summary="Open an incident on the campaign (anyone who may see it)",
        description="The chair and the campaign's owner are told; a severe incident "
        "suspends the campaign's clearance until the chair lifts it or closes the incident.",
        request=IncidentCreateSerializer,
        responses={201: IncidentDetailSerializer, **errors(400, 404)},
    )
    def post(self, request, pk: int):
        campaign = self.campaign
        body = IncidentCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        form = IncidentForm(_form_data(body.validated_data))
        if not form.is_valid():
            raise ValidationError(_form_errors(form))
        data = dict(form.cleaned_data)
        feedback_pk = data.pop("feedback")
        feedback = selectors.feedback_on(campaign, feedback_pk)
        if feedback_pk and feedback is None:
            raise ValidationError({"feedback": [_("That feedback is not on this campaign.")]})
        try:
            incident = services.incident_open(
                actor=request.user, campaign=campaign, feedback=feedback, **data
            )
        except ServiceError as exc:
            raise _service_error(exc, form.fields) from None
        incident = selectors.incident_for(request.user, incident.pk)
        return Response(_incident(incident, entries=True), status=status.HTTP_201_CREATED)


class IncidentAPIView(APIView):
    """Something of one incident: one of a campaign the user may not see answers 404
    whatever the method (not 405, which would confirm that it exists)."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.incident = selectors.incident_for(request.user, kwargs["pk"])


class IncidentView(IncidentAPIView):
    """An incident with its timeline. Closing it and lifting its suspension are not in the
    API: the page asks the chair for them in a session that passed the second factor at
    sign-in, which a bearer token does not prove."""

    @extend_schema(
        summary="One incident with its timeline",
        responses={200: IncidentDetailSerializer, **errors(404)},
    )
    def get(self, request, pk: int):
        return Response(_incident(self.incident, entries=True))


class IncidentEntriesView(IncidentAPIView):
    @extend_schema(
        summary="Add an update, or a corrective action with an owner and a due date",
        request=EntryCreateSerializer,
        responses={201: EntrySerializer, **errors(400, 404)},
    )
    def post(self, request, pk: int):
        incident = self.incident
        body = EntryCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        form = IncidentEntryForm(_form_data(body.validated_data), campaign=incident.campaign)
        if not form.is_valid():
            raise ValidationError(_form_errors(form))
        try:
            entry = services.incident_add_entry(
                actor=request.user, incident=incident, **form.cleaned_data
            )
        except ServiceError as exc:
            raise _service_error(exc, form.fields) from None
        return Response(_entry(entry), status=status.HTTP_201_CREATED)
