"""Load the questionnaire definitions shipped in assessments/questionnaires/ (idempotent)."""

from pathlib import Path

import yaml
from django.core.management.base import BaseCommand, CommandError

from assessments.questionnaire import DefinitionError
from assessments.services import questionnaire_load

DEFINITIONS_DIR = Path(__file__).resolve().parents[2] / "questionnaires"


def read_definition(path: Path) -> dict:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


class Command(BaseCommand):
    help = "Load questionnaire definitions; a changed file becomes a new version."

    def add_arguments(self, parser):
        parser.add_argument(
            "paths",
            nargs="*",
            help="Definition files (default: every *.yaml in the repo's folder).",
        )

    def handle(self, *args, **options):
        paths = [Path(p) for p in options["paths"]] or sorted(DEFINITIONS_DIR.glob("*.yaml"))
        if not paths:
            raise CommandError(f"No questionnaire definitions found in {DEFINITIONS_DIR}")
        failed = False
        for path in paths:
            try:
                data = read_definition(path)
                questionnaire, created = questionnaire_load(data=data, source=path.name)
            except (OSError, yaml.YAMLError) as exc:
                self.stderr.write(f"{path}: cannot read: {exc}")
                failed = True
                continue
            except DefinitionError as exc:
                self.stderr.write(f"{path}: {len(exc.problems)} problem(s):")
                for problem in exc.problems:
                    self.stderr.write(f"  - {problem}")
                failed = True
                continue
            state = "loaded as new version" if created else "unchanged"
            self.stdout.write(f"{path.name}: {questionnaire} ({state})")
        if failed:
            raise CommandError("Some definitions were not loaded; nothing of them was saved.")
