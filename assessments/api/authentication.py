"""``Authorization: Bearer <personal API token>``."""

import logging
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from .. import security_log
from ..models import ApiToken
from ..services.api_tokens import token_digest

LAST_USED_RESOLUTION = timedelta(minutes=1)  # write last_used_at at most once a minute


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].decode("latin-1").lower() != self.keyword.lower():
            return None
        if len(header) != 2:
            _log_failure(request, "malformed")
            raise exceptions.AuthenticationFailed(_("Give exactly one token after “Bearer”."))
        try:
            raw = header[1].decode("ascii")
        except UnicodeDecodeError as exc:
            _log_failure(request, "malformed")
            raise exceptions.AuthenticationFailed(_("The token is not valid.")) from exc
        token = (
            ApiToken.objects.select_related("user")
            .filter(digest=token_digest(raw), revoked_at__isnull=True)
            .first()
        )
        if token is None or not token.user.is_active:
            if token is None:
                _log_failure(request, "unknown_or_revoked")
            else:
                _log_failure(request, "inactive_user", actor=token.user)
            raise exceptions.AuthenticationFailed(_("The token is not valid or was revoked."))
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        request.api_token = token
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword


def _log_failure(request, reason: str, actor=None) -> None:
    # Never the token itself: only why it was refused, whose it was and where it came from.
    security_log.log_event(
        "api_auth_failed",
        actor=actor,
        request=request,
        level=logging.WARNING,
        reason=reason,
        path=request.path,
    )


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """Documents the token in the OpenAPI schema (an HTTP bearer scheme)."""

    target_class = "assessments.api.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token from your profile page (starts with er_).",
        }
