import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessments.services import ImportProblems, assessment_import


class Command(BaseCommand):
    help = "Create a draft campaign from an export_assessment JSON file (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, **options):
        try:
            data = json.loads(Path(options["file"]).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"Cannot read {options['file']}: {exc}") from None
        try:
            campaign = assessment_import(data=data)
        except ImportProblems as exc:
            for problem in exc.problems:
                self.stderr.write(f"  - {problem}")
            raise CommandError(f"{len(exc.problems)} problem(s); nothing was created.") from None
        self.stdout.write(f"Created draft campaign {campaign.pk}: {campaign.name}")
