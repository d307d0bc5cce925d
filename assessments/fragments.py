"""The version of the cached page fragments that show campaigns (the list's rows, the
review queue's items, the dashboard's headline and cards: ``{% cache %}`` in their
templates). ``dashboard_counts.refresh``, which every service's change of a campaign goes
through, bumps it when the transaction commits, so no fragment outlives a change."""

import contextlib
import time

from django.core.cache import cache
from django.core.cache.utils import make_template_fragment_key
from django.db import transaction

KEY = "fragments:campaigns"
TIMEOUT = 300  # seconds a fragment is kept: bounds what changes outside the services show


def version() -> int:
    """The current version; started from the clock when missing (an evicted counter must
    not come back as a number whose fragments are still cached)."""
    value = cache.get(KEY)
    if value is None:
        cache.add(KEY, time.time_ns(), timeout=None)
        value = cache.get(KEY, 0)
    return value


def _increment() -> None:
    with contextlib.suppress(ValueError):  # no counter yet: the next read starts one
        cache.incr(KEY)


def bump() -> None:
    """Every fragment showing campaigns is stale: now, and again when the current
    transaction commits (a request that rendered in between cached what it read before
    the commit)."""
    _increment()
    transaction.on_commit(_increment)


def cached(name: str, vary_on: list, build):
    """What ``build()`` returns, kept as a template fragment ``{% cache TIMEOUT name
    version *vary_on %}`` would be: rebuilt after a change, or after TIMEOUT seconds."""
    key = make_template_fragment_key(name, [version(), *vary_on])
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, TIMEOUT)
    return value
