from django.core.management.base import BaseCommand

from assessments import dashboard


class Command(BaseCommand):
    help = (
        "Recompute every campaign's dashboard facts and all dashboard counts from the data "
        "(after a bulk load or a restore; the services keep them current otherwise)."
    )

    def handle(self, *args, **options):
        campaigns = dashboard.rebuild()
        self.stdout.write(f"Dashboard counts rebuilt from {campaigns} campaigns.")
