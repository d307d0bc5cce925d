"""The Celery application.

The broker comes from ``REDIS_URL`` (see settings); tasks keep no results. Without it, tasks
run inline (``task_always_eager``), so a laptop install needs no broker.
"""

import os

from billiard.process import current_process
from celery import Celery, platforms, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ethicsreview.settings")

app = Celery("ethicsreview")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.beat_embedded_init.connect
def _embedded_beat_dies_with_its_worker(sender=None, **kwargs):
    """``celery worker --beat`` (``make worker``) runs beat in a child process, which kept
    running after a ``kill -9`` of the worker: a restarted worker then made two beats,
    and every periodic job ran twice. On Linux the kernel now ends it with its worker
    (Celery's pool processes already do this)."""
    platforms.set_pdeathsig("SIGKILL")  # does nothing where the OS lacks it
    parent = getattr(current_process(), "_parent_pid", None)
    if parent is not None and os.getppid() != parent:
        os._exit(1)  # the worker died before the line above took effect
