"""Handing rows to Celery by id, one task each, without failing the user's action."""

import logging
from collections.abc import Iterable

from celery import current_app

logger = logging.getLogger(__name__)


def enqueue_each(task_name: str, ids: Iterable[int], what: str) -> int:
    """Queue ``task_name`` once per id; returns how many were queued. With the broker
    down or hung (short socket timeouts) the rest stay pending for the periodic job that
    retries them; the user's action is not affected."""
    queued = 0
    for pk in ids:
        try:
            current_app.tasks[task_name].delay(pk)
            queued += 1
        except Exception as exc:  # any broker failure: keep the row pending
            logger.warning("%s %s not queued (%s); retried later", what, pk, type(exc).__name__)
            break
    return queued
