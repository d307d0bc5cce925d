"""Every error as JSON: ``{"error": <code>, "detail": <message>, "fields": {...}}``."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_handler

from ..errors import ServiceError
from ..workflow import WorkflowError


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def exception_handler(exc, context):
    if isinstance(exc, WorkflowError):
        exc = Conflict(str(exc))
    elif isinstance(exc, ServiceError):
        body = {"error": "invalid", "detail": exc.message}
        if getattr(exc, "field", None):
            body["fields"] = {exc.field: [exc.message]}
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(exc, exceptions.ValidationError):
        fields = data if isinstance(data, dict) else {"non_field_errors": data}
        response.data = {
            "error": "invalid",
            "detail": _("The request is not valid: see “fields”."),
            "fields": fields,
        }
    else:
        detail = data.get("detail", "") if isinstance(data, dict) else str(data)
        response.data = {"error": getattr(exc, "default_code", "error"), "detail": str(detail)}
    return response
