"""Score an exported assessment against the questionnaire version it was answered on."""

import json
from pathlib import Path

import yaml
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from assessments.models import Questionnaire
from assessments.questionnaire import Definition, DefinitionError, score
from assessments.questionnaire.definition import INTAKE_FIELDS, intake_problems


def stored_definition(slug, version) -> Definition:
    """The definition of exactly that version, as loaded into the database."""
    if not isinstance(version, int) or isinstance(version, bool):
        raise CommandError(
            "The export names no questionnaire version; give the definition with --definition."
        )
    try:
        questionnaire = Questionnaire.objects.filter(slug=slug, version=version).first()
    except DatabaseError as exc:
        raise CommandError(
            f"Cannot read questionnaire versions from the database ({exc}); "
            "give the definition with --definition."
        ) from None
    if questionnaire is None:
        raise CommandError(
            f"Questionnaire {slug!r} version {version} is not loaded; run load_questionnaires "
            "or give the definition with --definition."
        )
    return Definition.from_data(questionnaire.definition)


class Command(BaseCommand):
    help = (
        "Print the tier, per-dimension scores and red flags of an exported assessment, scored "
        "against the questionnaire version it names (from the database) or --definition."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument(
            "--definition",
            help="Definition file to score against, instead of the export's version in the "
            "database (no database is needed then).",
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
                definition = stored_definition(data.get("questionnaire"), data.get("version"))
        except (OSError, yaml.YAMLError) as exc:
            raise CommandError(f"Cannot read {options['definition']}: {exc}") from None
        except DefinitionError as exc:
            raise CommandError(f"Invalid definition: {exc}") from None
        raw_intake = data.get("intake") or {}
        answers = data.get("answers") or {}
        problems = intake_problems(raw_intake) + definition.answer_problems(answers)
        if problems:
            # A mistyped value must not read as "unanswered" and print a tier: list them all.
            for problem in problems:
                self.stderr.write(f"  - {problem}")
            raise CommandError(f"{len(problems)} problem(s); nothing was scored.")
        intake = {name: raw_intake.get(name) for name in INTAKE_FIELDS}
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
                        "scoring": definition.scoring,
                        "reasons": summary.get("reasons", []),
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
        for reason in summary.get("reasons", []):
            if reason["kind"] != "red_flag":
                detail = f" = {reason['detail']}" if reason["detail"] else ""
                self.stdout.write(
                    f"{reason['kind']:<8} {reason['tier']:<4} {reason['code']}{detail}"
                )
        for flag in summary["red_flags"]:
            self.stdout.write(f"RED FLAG {flag['question']} = {flag['answer']}: {flag['reason']}")
            self.stdout.write(f"  to remove it: {flag['remedy']}")
