from rest_framework.throttling import SimpleRateThrottle

from .. import ratelimit


class TokenRateThrottle(SimpleRateThrottle):
    """Requests per token (per user for session requests; per address when anonymous),
    counted atomically like every other limit (ratelimit.hit) instead of DRF's
    read-the-history-then-write-it, which lets simultaneous requests all pass."""

    scope = "token"

    def get_cache_key(self, request, view):
        token = getattr(request, "api_token", None)
        if token is not None:
            ident = f"token-{token.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def get_ident(self, request):
        """The client behind TRUSTED_PROXY_COUNT proxies, as every other limit sees it."""
        return ratelimit.bucket_of(ratelimit.client_address(request))

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        return ratelimit.hit("api", self.key, limit=self.num_requests, window=self.duration)

    def wait(self):
        """Retry-After: at most one window (it counts from the first request)."""
        return self.duration
