"""Every error as JSON: ``{"error": <code>, "detail": <message>, "fields": {...}}``."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_handler

from ..errors import ServiceError
from ..training import TrainingRequired
from ..workflow import WorkflowError


class Conflict(exceptions.APIException):
    """409: the campaign's state does not allow this (now). ``changed`` (optional) says
    what changed, e.g. ``{"status": {"was": "draft", "now": "submitted"}}``."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"

    def __init__(self, detail=None, code=None, *, changed: dict | None = None):
        super().__init__(detail, code)
        self.changed = changed


def exception_handler(exc, context):
    if isinstance(exc, WorkflowError):
        exc = Conflict(str(exc))
    elif isinstance(exc, TrainingRequired):
        body = {
            "error": "training_required",
            "detail": exc.text,
            "missing": [module.as_dict() for module in exc.missing],
        }
        return Response(body, status=status.HTTP_403_FORBIDDEN)
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
        if getattr(exc, "changed", None):
            response.data["changed"] = exc.changed
    return response


API_PREFIX = "/api/"
# status → (error code, message) for error pages made outside the API's views.
ERRORS = {
    400: ("invalid", gettext_lazy("The request is not valid.")),
    401: ("not_authenticated", gettext_lazy("No valid token.")),
    403: ("permission_denied", gettext_lazy("You may not do this.")),
    404: ("not_found", gettext_lazy("Not found.")),
    405: ("method_not_allowed", gettext_lazy("This method is not allowed here.")),
    413: ("too_large", gettext_lazy("The request is too large.")),
    415: ("unsupported_media_type", gettext_lazy("Send JSON.")),
    429: ("throttled", gettext_lazy("Too many requests. Please try again later.")),
}
SERVER_ERROR = ("server_error", gettext_lazy("Something went wrong on our side. Please try again."))
OTHER_ERROR = ("error", gettext_lazy("The request failed."))


class JsonErrorsMiddleware:
    """The API answers JSON whatever fails: an error page that Django itself made for an
    address under /api/ (a server error, a body too large, a bad request caught before the
    view, a CSRF refusal...) is replaced by ``{"error": ..., "detail": ...}`` with the
    same status. Outermost in MIDDLEWARE, so it sees the page every inner layer made.
    (Django has logged a server error before this runs.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code >= 400
            and request.path_info.startswith(API_PREFIX)
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            code = response.status_code
            error, detail = ERRORS.get(code, SERVER_ERROR if code >= 500 else OTHER_ERROR)
            replaced = JsonResponse({"error": error, "detail": str(detail)}, status=code)
            for header, value in response.items():  # Allow, Retry-After, security headers...
                if header.lower() not in ("content-type", "content-length"):
                    replaced[header] = value
            replaced.cookies = response.cookies
            return replaced
        return response
