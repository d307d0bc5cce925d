"""Handing rows to Celery by id, one task each, without failing the user's action."""

import logging
import threading
import time
from collections.abc import Iterable

from celery import current_app

logger = logging.getLogger(__name__)

# After a failed publish, this process does not try the same broker again for this long:
# the rows stay pending and the periodic resend job queues them once the broker is back, so
# a stopped or hung Redis costs one request one socket timeout, not every request.
BROKER_RETRY_AFTER = 10.0
_skip_until: dict[str, float] = {}
_skip_lock = threading.Lock()


def enqueue_each(task_name: str, ids: Iterable[int], what: str) -> int:
    """Queue ``task_name`` once per id; returns how many were queued. With the broker
    down or hung (short socket timeouts, no retries) the rest stay pending for the
    periodic job that retries them; the user's action is not affected."""
    conf = current_app.conf
    broker = str(conf.broker_url)
    eager = conf.task_always_eager
    ids = list(ids)
    if not eager and ids and time.monotonic() < _skip_until.get(broker, 0.0):
        logger.info("%d %s(s) left pending: the broker failed moments ago", len(ids), what)
        return 0
    queued = 0
    for pk in ids:
        try:
            current_app.tasks[task_name].delay(pk)
            queued += 1
        except Exception as exc:  # any broker failure: keep the row pending
            if not eager:
                with _skip_lock:
                    _skip_until[broker] = time.monotonic() + BROKER_RETRY_AFTER
            logger.warning("%s %s not queued (%s); retried later", what, pk, type(exc).__name__)
            break
    return queued
