import time
from datetime import UTC, datetime

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from allauth.mfa.models import Authenticator
from django.utils import translation

from . import ratelimit


class InviteOnlyAccountAdapter(DefaultAccountAdapter):
    """Nobody signs up on their own: accounts are created by accepting an invitation."""

    def is_open_for_signup(self, request) -> bool:
        return False

    def login(self, request, user) -> None:
        """Sign in, then speak the person's saved language at once: the sign-in request
        began in the browser's language, and "Successfully signed in as …" is written in
        this request."""
        super().login(request, user)
        if user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = translation.get_language()

    def get_client_ip(self, request) -> str:
        """allauth's rate limits ("/ip") key on the same client address as every other
        limit (behind TRUSTED_PROXY_COUNT proxies)."""
        return ratelimit.client_address(request)

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        """The "/key" part of ACCOUNT_RATE_LIMITS["login_failed"]: allauth keys failed
        sign-ins on the account alone, so anyone anywhere could lock a chair out with five
        wrong passwords. Keyed on (client address, account) instead: a guesser is stopped
        at their own address, and the account still signs in from everywhere else. (The
        "/ip" rate limits each address across all accounts.)"""
        account = super()._get_login_attempts_cache_key(request, **credentials)
        return f"{ratelimit.bucket_of(ratelimit.client_address(request))}|{account}"

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """Setting up two-factor authentication right after signing in does not ask for the
        password again: a sign-in in this session within ACCOUNT_REAUTHENTICATION_TIMEOUT
        counts as recent while every factor the person has was added after it (the set-up
        and its recovery codes). Changing a factor that existed before still asks."""
        request = self.request
        user = getattr(request, "user", None)
        if app == "allauth.mfa" and user is not None and user.is_authenticated:
            records = get_authentication_records(request, user)
            signed_in = records[-1]["at"] if records else None
            if (
                signed_in is not None
                and time.time() - signed_in < account_settings.REAUTHENTICATION_TIMEOUT
                and not Authenticator.objects.filter(
                    user=user, created_at__lt=datetime.fromtimestamp(signed_in, UTC)
                ).exists()
            ):
                return False
        return super().is_reauthentication_required(app=app, **kwargs)
