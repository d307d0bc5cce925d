"""Access checks the view modules share: signed in, allowed, two-factor where needed."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from .. import (
    permissions,
)
from ..permissions import Action


def requires(action: Action):
    """Signed in and allowed to do ``action``; others get a clear 403 page."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            if not permissions.can(request.user, action):
                return render(request, "403.html", status=403)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def mfa_required_page(request):
    """Why two-factor authentication is needed and where to set it up; nothing was done.
    The set-up link carries the page to come back to (this one, or for a refused form the
    page it was sent from)."""
    back = request.get_full_path() if request.method == "GET" else request.headers.get("Referer")
    if not back or not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = reverse("home")
    setup = f"{reverse('mfa_activate_totp')}?{urlencode({'next': back})}"
    response = render(request, "assessments/mfa_required.html", {"setup_url": setup}, status=403)
    response.denied_reason = "mfa_required"  # for the security log (AccessDeniedLogMiddleware)
    return response


def mfa_required(view):
    """Board actions (``permissions.MFA_ACTIONS``) need two-factor authentication first."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if permissions.mfa_missing(request.user):
            return mfa_required_page(request)
        return view(request, *args, **kwargs)

    return wrapper
