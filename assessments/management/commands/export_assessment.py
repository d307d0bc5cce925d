import json

from django.core.management.base import BaseCommand, CommandError

from assessments.models import Campaign
from assessments.services import assessment_export


class Command(BaseCommand):
    help = "Print a campaign's intake and answers as JSON (for integration and audit)."

    def add_arguments(self, parser):
        parser.add_argument("campaign_id", type=int)

    def handle(self, *args, **options):
        campaign = (
            Campaign.objects.select_related("team", "owner", "assessment__questionnaire")
            .filter(pk=options["campaign_id"])
            .first()
        )
        if campaign is None:
            raise CommandError(f"No campaign {options['campaign_id']}.")
        self.stdout.write(
            json.dumps(assessment_export(campaign=campaign), indent=2, ensure_ascii=False)
        )
