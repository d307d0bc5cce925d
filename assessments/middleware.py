import logging
import time
from datetime import UTC

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from . import permissions, security_log, working_calendar
from .views import mfa_required_page


class UserLanguageMiddleware:
    """A signed-in person's saved language wins over the cookie and the browser.

    Runs after AuthenticationMiddleware; LocaleMiddleware has already picked a language
    for anonymous visitors from the language cookie or Accept-Language.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


class UserTimeZoneMiddleware:
    """Shows times in the signed-in person's zone (records stay in UTC); anonymous
    visitors see the installation default. The API answers in UTC for every caller (a
    machine reads instants, not wall clocks). Runs after AuthenticationMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if request.path.startswith("/api/"):
            timezone.activate(UTC)
        elif user is not None and user.is_authenticated:
            timezone.activate(user.zone)
        else:
            timezone.activate(working_calendar.default_zone())
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class SessionSecurityMiddleware:
    """Idle timeout and absolute lifetime of a signed-in session, a new session id when the
    person's roles, teams or specialist flag change, and no caching of signed-in pages
    (they show assessments).

    Runs after AuthenticationMiddleware and MessageMiddleware.
    """

    IDLE_KEY = "_last_seen"
    START_KEY = "_signed_in_at"
    ROLES_KEY = "_roles"
    ACCESS_KEY = "_access_version"
    TOUCH_EVERY = 60  # seconds: the last-seen time is written at most once a minute

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            expired = self._check(request, user)
            if expired is not None:
                return expired
        response = self.get_response(request)
        if user is not None and user.is_authenticated and "Cache-Control" not in response:
            response["Cache-Control"] = "private, no-store"
        return response

    def _check(self, request, user):
        session = request.session
        now = int(time.time())
        started = session.setdefault(self.START_KEY, now)
        last_seen = session.get(self.IDLE_KEY, now)
        idle_limit = settings.SESSION_IDLE_TIMEOUT
        if now - last_seen > idle_limit or now - started > settings.SESSION_ABSOLUTE_LIFETIME:
            logout(request)
            messages.info(request, _("Your session has ended. Please sign in again."))
            return redirect_to_login(request.get_full_path())
        if now - last_seen >= self.TOUCH_EVERY or self.IDLE_KEY not in session:
            session[self.IDLE_KEY] = now
        roles = sorted(user.role_set)
        version = user.access_version
        if session.get(self.ROLES_KEY) not in (None, roles) or session.get(self.ACCESS_KEY) not in (
            None,
            version,
        ):
            session.cycle_key()  # privileges changed (roles, teams, specialist): a new id
        if session.get(self.ROLES_KEY) != roles:
            session[self.ROLES_KEY] = roles
        if session.get(self.ACCESS_KEY) != version:
            session[self.ACCESS_KEY] = version
        return None


class AccessDeniedLogMiddleware:
    """Every 403 answer (a role's page refused, a permission check, a missing second factor,
    a CSRF failure, the API) goes to the security log with who, from where and what.

    Runs after AuthenticationMiddleware, outside AdminMfaMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 403:
            security_log.log_event(
                "access_denied",
                actor=getattr(request, "user", None),
                request=request,
                level=logging.WARNING,
                method=request.method,
                path=request.path,
                reason=getattr(response, "denied_reason", "forbidden"),
            )
        return response


class AdminMfaMiddleware:
    """Staff without two-factor authentication get the page explaining it instead of the
    Django admin (``permissions.mfa_missing``); signing out of it still works.

    Runs after AuthenticationMiddleware and UserLanguageMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.is_staff
            and request.path.startswith(reverse("admin:index"))
            and request.path != reverse("admin:logout")
            and permissions.mfa_missing(user)
        ):
            return mfa_required_page(request)
        return self.get_response(request)


class MfaNextMiddleware:
    """Two-factor set-up keeps the task that sent the person there: the ``next`` given to
    the set-up page is kept in the session (allauth's form posts without it) and offered as
    "Continue" on the recovery codes page that ends the set-up (``request.mfa_next``).

    Runs after AuthenticationMiddleware and SessionMiddleware."""

    SESSION_KEY = "mfa_next"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        match = getattr(request, "resolver_match", None) or _resolve(request.path_info)
        name = match.url_name if match else None
        if name == "mfa_activate_totp" and request.method == "GET":
            target = request.GET.get("next", "")
            if target and url_has_allowed_host_and_scheme(
                target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            ):
                request.session[self.SESSION_KEY] = target
        request.mfa_next = (
            request.session.get(self.SESSION_KEY)
            if name in ("mfa_view_recovery_codes", "mfa_index")
            else None
        )
        return self.get_response(request)


def _resolve(path: str):
    try:
        return resolve(path)
    except Resolver404:
        return None
