from allauth.account.adapter import DefaultAccountAdapter
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
