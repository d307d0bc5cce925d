"""The Celery application.

Broker and result backend come from ``REDIS_URL`` (see settings). Without it, tasks run
inline (``task_always_eager``), so a laptop install needs no broker.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ethicsreview.settings")

app = Celery("ethicsreview")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
