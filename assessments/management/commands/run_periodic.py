"""Run the periodic jobs once, inline (for installs without a Celery beat)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from ethicsreview.celery import app


class Command(BaseCommand):
    help = "Run every job of the Celery beat schedule once, in this process."

    def handle(self, *args, **options):
        for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
            result = app.tasks[entry["task"]].apply().get()
            self.stdout.write(f"{name}: {result}")
