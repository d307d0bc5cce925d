"""A Redis cache that keeps answering when Redis is stopped or hung.

Every cache call goes to Redis with short socket timeouts (settings: ``REDIS_SOCKET_TIMEOUT``).
When Redis refuses, drops or does not answer in time, the call is served by a local fallback
cache instead (``OPTIONS["FALLBACK"]``, the alias of another entry in ``CACHES``: the files
under ``var/cache`` that the embedded default uses, shared by every process on the machine),
so sign-in's rate limits, the public-feedback limit and API throttling keep counting. For
``RETRY_AFTER`` seconds after a failure the process does not wait on Redis again: calls go
straight to the fallback, then one call tries Redis again. The outage is logged once when it
starts and once when Redis answers again, not per request.

Counts kept in the fallback during an outage are not copied back to Redis; the limits are
per minute or per hour, so at worst a client gets one window's allowance twice.
"""

import logging
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import redis
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

# What a stopped, unreachable or hung server raises (TimeoutError is not a ConnectionError in
# redis-py). Other Redis errors (a wrong type, a script error) are bugs and propagate.
UNAVAILABLE = (redis.ConnectionError, redis.TimeoutError, OSError)


@dataclass
class _Health:
    """Per process and per Redis location: whether calls should skip Redis for now."""

    down: bool = False
    retry_at: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)


_HEALTH: dict[str, _Health] = {}
_HEALTH_LOCK = threading.Lock()


def _health_of(location: str) -> _Health:
    with _HEALTH_LOCK:
        return _HEALTH.setdefault(location, _Health())


def _guarded(name: str):
    def method(self, *args, **kwargs):
        if self._redis_worth_trying():
            try:
                result = getattr(super(FallbackRedisCache, self), name)(*args, **kwargs)
            except UNAVAILABLE as exc:
                self._redis_failed(exc)
            else:
                self._redis_answered()
                return result
        return getattr(self.fallback, name)(*args, **kwargs)

    method.__name__ = name
    method.__doc__ = f"``{name}`` on Redis, or on the fallback cache while Redis is unavailable."
    return method


class FallbackRedisCache(RedisCache):
    """Django's RedisCache, falling back to another cache while Redis is unavailable."""

    def __init__(self, server, params):
        params = dict(params)
        options = dict(params.get("OPTIONS") or {})
        self._fallback_alias = options.pop("FALLBACK")
        self._retry_after = float(options.pop("RETRY_AFTER", 10))
        params["OPTIONS"] = options
        super().__init__(server, params)
        self._health = _health_of(str(server))

    @property
    def fallback(self):
        return caches[self._fallback_alias]

    @property
    def redis_available(self) -> bool:
        """False while this process serves from the fallback (for tests and probes)."""
        return not self._health.down

    def _redis_worth_trying(self) -> bool:
        health = self._health
        if not health.down:
            return True
        with health.lock:
            now = time.monotonic()
            if now < health.retry_at:
                return False
            # This caller probes; the others keep using the fallback meanwhile.
            health.retry_at = now + self._retry_after
            return True

    def _redis_failed(self, exc: BaseException) -> None:
        health = self._health
        with health.lock:
            first = not health.down
            health.down = True
            health.retry_at = time.monotonic() + self._retry_after
        if first:
            logger.error(
                "Redis cache at %s is unavailable (%s: %s): using the %r cache until it "
                "answers again (checked every %g s)",
                self._server_names(),
                exc.__class__.__name__,
                exc,
                self._fallback_alias,
                self._retry_after,
            )

    def _redis_answered(self) -> None:
        health = self._health
        if not health.down:
            return
        with health.lock:
            recovered = health.down
            health.down = False
        if recovered:
            logger.warning("Redis cache at %s answers again", self._server_names())

    def _server_names(self) -> str:
        # Host, port and database only: a URL may carry a password.
        names = []
        for server in self._servers:
            url = urlsplit(server)
            names.append(f"{url.hostname}:{url.port or 6379}{url.path or '/0'}")
        return ", ".join(names)

    add = _guarded("add")
    get = _guarded("get")
    set = _guarded("set")
    touch = _guarded("touch")
    delete = _guarded("delete")
    get_many = _guarded("get_many")
    has_key = _guarded("has_key")
    incr = _guarded("incr")
    set_many = _guarded("set_many")
    delete_many = _guarded("delete_many")

    def clear(self):
        """Both: nothing stale is left for the next outage."""
        self.fallback.clear()
        if self._redis_worth_trying():
            try:
                super().clear()
            except UNAVAILABLE as exc:
                self._redis_failed(exc)
            else:
                self._redis_answered()
