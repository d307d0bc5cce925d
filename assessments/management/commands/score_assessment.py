"""Score an exported assessment file without touching the database."""

import json
from pathlib import Path

import yaml
from django.core.management.base import BaseCommand, CommandError

from assessments.questionnaire import Definition, DefinitionError, score
from assessments.questionnaire.definition import INTAKE_FIELDS

from .load_questionnaires import DEFINITIONS_DIR


def shipped_definition(slug: str) -> Definition:
    for path in sorted(DEFINITIONS_DIR.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and data.get("slug") == slug:
            return Definition.from_data(data)
    raise CommandError(f"No questionnaire definition with slug {slug!r} in {DEFINITIONS_DIR}")


class Command(BaseCommand):
    help = "Print the tier, per-dimension scores and red flags of an exported assessment."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument(
            "--definition",
            help="Definition file to score against (default: the shipped file with the slug).",
        )

    def handle(self, *args, **options):
        try:
            data = json.loads(Path(options["file"]).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"Cannot read {options['file']}: {exc}") from None
        if not isinstance(data, dict) or not isinstance(data.get("answers", {}), dict):
            raise CommandError("Expected {questionnaire, version, intake, answers}.")
        try:
            if options["definition"]:
                definition = Definition.from_data(
                    yaml.safe_load(Path(options["definition"]).read_text(encoding="utf-8"))
                )
            else:
                definition = shipped_definition(str(data.get("questionnaire")))
        except DefinitionError as exc:
            raise CommandError(f"Invalid definition: {exc}") from None
        raw_intake = data.get("intake") or {}
        intake = {name: raw_intake.get(name) for name in INTAKE_FIELDS}
        answers = data.get("answers") or {}
        unknown = sorted(set(answers) - set(definition.questions))
        if unknown:
            raise CommandError(f"Unknown question codes: {', '.join(unknown)}")
        result = score(definition, intake, answers, suggest=False)
        summary = result.as_dict()
        if options["format"] == "json":
            self.stdout.write(
                json.dumps(
                    {
                        "tier": summary["tier"],
                        "overall_pct": summary["overall_pct"],
                        "complete": summary["complete"],
                        "dimensions": summary["dimensions"],
                        "red_flags": summary["red_flags"],
                    },
                    indent=2,
                    ensure_ascii=False,
                )
            )
            return
        self.stdout.write(f"Tier: {summary['tier']}  (residual {summary['overall_pct']} %)")
        if not result.complete:
            self.stdout.write(f"Unanswered required questions: {', '.join(result.missing)}")
        self.stdout.write(f"{'dimension':<16}{'R/Rmax':>10}{'M/Mmax':>10}{'residual %':>12}")
        for code, dim in summary["dimensions"].items():
            self.stdout.write(
                f"{code:<16}{dim['raw']:>5}/{dim['raw_max']:<4}{dim['mitigation']:>5}/"
                f"{dim['mitigation_max']:<4}{dim['residual_pct']:>12}"
            )
        for flag in summary["red_flags"]:
            self.stdout.write(f"RED FLAG {flag['question']} = {flag['answer']}: {flag['reason']}")
            self.stdout.write(f"  to remove it: {flag['remedy']}")
