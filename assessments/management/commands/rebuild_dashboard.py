from django.core.management.base import BaseCommand

from assessments import condition_verification, dashboard_counts


class Command(BaseCommand):
    help = (
        "Recompute every campaign's dashboard facts, all dashboard counts and the conditions "
        "waiting for verification from the data "
        "(after a bulk load or a restore; the services keep them current otherwise)."
    )

    def handle(self, *args, **options):
        campaigns = dashboard_counts.rebuild()
        condition_verification.sync()
        self.stdout.write(
            f"Dashboard counts and the conditions to verify rebuilt from {campaigns} campaigns."
        )
