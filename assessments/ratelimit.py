"""Per-client limits: who the client is behind our proxies, and one atomic counter.

Every limit in the project (public feedback, sign-in through the account adapter, the
API's anonymous throttle) names the client with ``client_address`` and counts with
``hit``, so they agree on who a client is and none of them counts-then-inserts.
"""

import hashlib
import ipaddress

from django.conf import settings
from django.core.cache import cache


def _clean(value: str) -> str:
    """``value`` as a normalised IP address, or "" when it is not one."""
    value = (value or "").strip()
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443"
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # "203.0.113.7:443"
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return ""


UNKNOWN = "unknown"  # no usable address at all (all such requests share one bucket)


def client_address(request) -> str:
    """The address of the client that sent ``request``.

    With ``TRUSTED_PROXY_COUNT`` = 0 (the default) that is ``REMOTE_ADDR``: the
    X-Forwarded-For header is the client's to write and is ignored. Behind N proxies we
    run, each appends the address it received the request from, so the N-th entry from
    the right of X-Forwarded-For was written by our outermost proxy and is the client's;
    whatever a client put further left is not trusted. A request that did not pass every
    proxy (too few entries), or an entry that is not an address, falls back to
    ``REMOTE_ADDR``."""
    remote = _clean(request.META.get("REMOTE_ADDR", "")) or UNKNOWN
    trusted = settings.TRUSTED_PROXY_COUNT
    if trusted <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if len(forwarded) < trusted:
        return remote
    return _clean(forwarded[-trusted]) or remote


IPV6_PREFIX = 64  # one IPv6 subscriber usually holds a whole /64


def bucket_of(address: str) -> str:
    """What a per-address limit counts: the address itself, or for IPv6 its /64 (which
    one client can rotate through at will)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6:
        return str(ipaddress.IPv6Network(f"{ip}/{IPV6_PREFIX}", strict=False).network_address)
    return str(ip)


def _key(scope: str, ident: str) -> str:
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{ident}".encode()).hexdigest()[:32]
    return f"limit:{scope}:{digest}"


def attempts(scope: str, ident: str) -> int:
    """How many attempts ``hit`` has counted for ``ident`` in the current window."""
    return int(cache.get(_key(scope, ident)) or 0)


def reset(scope: str, ident: str) -> None:
    """End ``ident``'s current window in ``scope`` (as its expiry would)."""
    cache.delete(_key(scope, ident))


def hit(scope: str, ident: str, *, limit: int, window: int) -> bool:
    """Count one attempt of ``ident`` (e.g. a client address) in ``scope`` and say whether
    it is within ``limit`` attempts per ``window`` seconds, counted from its first attempt.

    One ``cache.add`` (creates the counter with its expiry if it is missing, atomically)
    and one ``cache.incr`` (atomic on Redis): concurrent attempts each get a distinct
    count, so exactly ``limit`` of them pass whatever the timing. Refused attempts count
    too. (The file cache of a Redis-less laptop has no atomic increment: there the limit
    is approximate under concurrency.)"""
    key = _key(scope, ident)
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:
        # The cache lost the counter (evicted, or a cache that degrades while Redis is
        # down): this attempt is let through rather than refusing everyone.
        return True
    if count == 1:
        # The window's first attempt. Had the counter expired between add and incr, incr
        # re-created it without an expiry: give it one, or the client stays locked out.
        cache.touch(key, window)
    return count is None or count <= limit
