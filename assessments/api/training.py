"""The caller's ethics training status (issue #21): what a marketing tool checks before it
lets someone submit, the same rule ``campaign_submit`` and the votes apply."""

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import training
from ..roles import Role
from .views import errors


class ModuleStatusSerializer(serializers.Serializer):
    module = serializers.IntegerField()
    title = serializers.CharField(help_text="In the request's language.")
    title_en = serializers.CharField()
    title_ar = serializers.CharField()
    status = serializers.ChoiceField(choices=[training.CURRENT, training.EXPIRED, training.MISSING])
    completed_at = serializers.DateTimeField(allow_null=True)
    expires_at = serializers.DateTimeField(allow_null=True)
    url = serializers.CharField(help_text="The module's page, where it is taken.")


class TrainingStatusSerializer(serializers.Serializer):
    current = serializers.BooleanField(help_text="Every required module is current.")
    may_submit = serializers.BooleanField(help_text="The training policy lets the caller submit.")
    may_decide = serializers.BooleanField(
        help_text="The training policy lets the caller vote, confirm or overrule."
    )
    required = ModuleStatusSerializer(many=True)


def training_status(user) -> dict:
    statuses = training.status_of(user)
    missing = {s.module.pk for s in statuses if not s.current}

    def clear(roles) -> bool:
        return not any(
            m.pk in missing for m in training.required_modules(roles, [s.module for s in statuses])
        )

    return {
        "current": not missing,
        "may_submit": not settings.TRAINING_REQUIRED_TO_SUBMIT or clear({Role.MARKETER}),
        "may_decide": not settings.TRAINING_REQUIRED_TO_DECIDE or clear(training.BOARD_ROLES),
        "required": [
            {**s.as_dict(), "title_en": s.module.title_en, "title_ar": s.module.title_ar}
            for s in statuses
        ],
    }


class TrainingStatusView(APIView):
    @extend_schema(
        summary="The caller's ethics training: required modules, current, expired or missing",
        responses={200: TrainingStatusSerializer, **errors()},
    )
    def get(self, request):
        return Response(training_status(request.user))
