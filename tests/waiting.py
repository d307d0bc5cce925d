"""Waiting on a condition another process or thread makes true (a Celery worker, a
receiver): poll until it holds, fail with a message if it never does. The bound is generous
because both cores may be busy; a test never relies on a fixed sleep."""

import time
from collections.abc import Callable


def wait_until(condition: Callable[[], object], *, timeout: float = 60.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up after {timeout:.0f}s waiting for {what or condition}")
        time.sleep(0.02)
