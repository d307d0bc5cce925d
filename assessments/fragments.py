"""The version of the cached page fragments that show campaigns (the list's rows, the
review queue's items, the dashboard's headline and cards: ``{% cache %}`` in their
templates). ``dashboard.refresh``, which every service's change of a campaign goes
through, bumps it when the transaction commits, so no fragment outlives a change."""

import time

from django.core.cache import cache
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
    try:
        cache.incr(KEY)
    except ValueError:  # no counter yet: the next read starts one from the clock
        pass


def bump() -> None:
    """Every fragment showing campaigns is stale once the current transaction commits."""
    transaction.on_commit(_increment)
