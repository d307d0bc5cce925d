"""A questionnaire definition: its sections, questions and dimensions (``parts``), read
from data and checked as a whole.

The format is documented in ``assessments/questionnaires/SCHEMA.md``. ``Definition.from_data``
checks everything an assessment relies on and reports every problem at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from .parts import (
    CHOICE_TYPES,
    FLOOR_TIERS,
    MAX_MITIGATION_WEIGHT,
    MAX_RISK_WEIGHT,
    QUESTION_TYPES,
    AnswerError,
    Band,
    Dimension,
    Option,
    Question,
    RedFlag,
    Section,
    Text,
)

SCORING_VERSIONS = (1, 2)  # the formula a definition is scored with (see scoring.py)


# Intake fields a condition may test, with their allowed values (None: a yes/no field).
INTAKE_FIELDS: dict[str, tuple[str, ...] | None] = {
    "channels": (
        "social",
        "search",
        "email",
        "display",
        "influencer",
        "chat",
        "instore_other",
    ),
    "markets": ("eu", "uk", "us_ca", "us_other", "gulf", "other"),
    "ai_techniques": (
        "segmentation",
        "predictive_scoring",
        "personalisation",
        "generated_text",
        "generated_media",
        "synthetic_likeness",
        "agents",
        "dynamic_pricing",
    ),
    "data_sources": ("first_party", "third_party", "purchased", "scraped"),
    "data_categories": (
        "contact",
        "behavioural",
        "location",
        "demographic",
        "inferred",
        "financial",
        "special_category",
        "children",
    ),
    "reaches_minors": None,
    "reaches_vulnerable": None,
}

_CODE = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)*$")
_VALUE = re.compile(r"^[a-z0-9_]+$")


class DefinitionError(ValueError):
    """The definition is malformed; ``problems`` lists every problem found."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Definition:
    slug: str
    title: Text
    description: Text
    dimensions: tuple[Dimension, ...]
    sections: tuple[Section, ...]
    questions: dict[str, Question] = field(default_factory=dict)
    scoring: int = 1  # 1: the original formula, kept exactly for v1 assessments; 2: floors

    @property
    def question_list(self) -> list[Question]:
        return [q for s in self.sections for q in s.questions]

    def section(self, code: str) -> Section | None:
        return next((s for s in self.sections if s.code == code), None)

    def dimension(self, code: str) -> Dimension | None:
        return next((d for d in self.dimensions if d.code == code), None)

    @classmethod
    def from_data(cls, data: Any) -> Definition:
        return _Parser(data).parse()

    def answer_problems(self, answers: dict) -> list[str]:
        """Every answer this definition cannot take: unknown question codes, option values
        that are not among the choices, numbers out of range. Empty when all fit."""
        problems = []
        for code in sorted(answers):
            question = self.questions.get(code)
            if question is None:
                problems.append(f"{code}: unknown question code")
                continue
            try:
                question.normalise(answers[code])
            except AnswerError as exc:
                problems.append(f"{code}: {exc.message}")
        return problems


def intake_problems(intake: dict) -> list[str]:
    """Intake values a condition could never have been written for."""
    problems = []
    for name, allowed in INTAKE_FIELDS.items():
        value = intake.get(name)
        if value is None:
            continue
        if allowed is None:
            if not isinstance(value, bool):
                problems.append(f"intake.{name}: must be true or false")
        elif not isinstance(value, list) or set(map(str, value)) - set(allowed):
            problems.append(f"intake.{name}: must be a list of {', '.join(allowed)}")
    return problems


class _Parser:
    def __init__(self, data: Any):
        self.data = data
        self.problems: list[str] = []
        self.seen_codes: dict[str, Question] = {}

    def problem(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def text(self, raw: Any, where: str, required: bool = True) -> Text | None:
        if raw is None and not required:
            return None
        if not isinstance(raw, dict) or not str(raw.get("en") or "").strip():
            self.problem(where, "needs {en: ..., ar: ...} with English text")
            return Text("", "")
        if not str(raw.get("ar") or "").strip():
            self.problem(where, "needs Arabic text (ar)")
        return Text(str(raw.get("en", "")).strip(), str(raw.get("ar") or "").strip())

    def parse(self) -> Definition:
        data = self.data
        if not isinstance(data, dict):
            raise DefinitionError(["the definition must be a mapping"])
        self.scoring = data.get("scoring", 1)
        if self.scoring not in SCORING_VERSIONS or isinstance(self.scoring, bool):
            self.problem("scoring", f"must be one of {', '.join(map(str, SCORING_VERSIONS))}")
            self.scoring = 1
        slug = str(data.get("slug") or "")
        if not re.fullmatch(r"[a-z0-9-]+", slug):
            self.problem("slug", "must be lower-case letters, digits and hyphens")
        title = self.text(data.get("title"), "title")
        description = self.text(data.get("description"), "description", required=False)
        dimensions = []
        for i, raw in enumerate(data.get("dimensions") or []):
            code = str((raw or {}).get("code") or "")
            if not _VALUE.match(code):
                self.problem(f"dimensions[{i}]", "code must be [a-z0-9_]+")
            dimensions.append(Dimension(code, self.text(raw.get("title"), f"dimension {code}")))
        if not dimensions:
            self.problem("dimensions", "at least one dimension is required")
        self.dimension_codes = {d.code for d in dimensions}
        sections = []
        section_codes = set()
        for i, raw in enumerate(data.get("sections") or []):
            section = self.section(raw, i)
            if section.code in section_codes:
                self.problem(f"section {section.code}", "duplicate section code")
            section_codes.add(section.code)
            sections.append(section)
        if not sections:
            self.problem("sections", "at least one section is required")
        if self.problems:
            raise DefinitionError(self.problems)
        return Definition(
            slug=slug,
            title=title,
            description=description or Text("", ""),
            dimensions=tuple(dimensions),
            sections=tuple(sections),
            questions=dict(self.seen_codes),
            scoring=self.scoring,
        )

    def section(self, raw: Any, index: int) -> Section:
        if not isinstance(raw, dict):
            self.problem(f"sections[{index}]", "must be a mapping")
            return Section(f"invalid{index}", Text("", ""), None, None, ())
        code = str(raw.get("code") or "")
        where = f"section {code or index}"
        if not _VALUE.match(code):
            self.problem(where, "code must be [a-z0-9_]+")
        condition = raw.get("condition")
        if condition is not None:
            self.condition(condition, where)
        questions = []
        for j, q in enumerate(raw.get("questions") or []):
            question = self.question(q, code, f"{where} question {j}")
            if question is not None:
                questions.append(question)
                self.seen_codes[question.code] = question
        if not questions:
            self.problem(where, "has no questions")
        return Section(
            code=code,
            title=self.text(raw.get("title"), f"{where} title"),
            intro=self.text(raw.get("intro"), f"{where} intro", required=False),
            condition=condition,
            questions=tuple(questions),
        )

    def question(self, raw: Any, section: str, where: str) -> Question | None:
        if not isinstance(raw, dict):
            self.problem(where, "must be a mapping")
            return None
        code = str(raw.get("code") or "")
        where = f"question {code or where}"
        if not _CODE.match(code):
            self.problem(where, "code must be [a-z0-9_.]+")
        if code in self.seen_codes:
            self.problem(where, "duplicate question code")
        qtype = raw.get("type")
        if qtype not in QUESTION_TYPES:
            self.problem(where, f"type must be one of {', '.join(QUESTION_TYPES)}")
            return None
        mitigation = bool(raw.get("mitigation", False))
        dimension = raw.get("dimension")
        if qtype != "text" and dimension not in self.dimension_codes:
            self.problem(where, f"dimension {dimension!r} is not defined")
        if qtype == "text" and dimension is not None and dimension not in self.dimension_codes:
            self.problem(where, f"dimension {dimension!r} is not defined")
        reference = self.reference(raw.get("reference"), where)
        condition = raw.get("condition")
        if condition is not None:
            self.condition(condition, where)
        limit = MAX_MITIGATION_WEIGHT if mitigation else MAX_RISK_WEIGHT
        options = tuple(self.options(raw.get("options"), qtype, limit, where))
        bands: tuple[Band, ...] = ()
        if qtype == "number":
            bands = tuple(self.bands(raw.get("bands"), limit, where))
        unknown_if_hidden = bool(raw.get("unknown_if_hidden", False))
        mitigates = raw.get("mitigates")
        if (unknown_if_hidden or mitigates is not None or any(o.min_tier for o in options)) and (
            self.scoring < 2
        ):
            self.problem(where, "unknown_if_hidden, mitigates and min_tier need scoring: 2")
        if self.scoring >= 2 and mitigation and any(o.red_flag or o.min_tier for o in options):
            # a safeguard left open must never score better than one answered badly
            self.problem(where, "red flags and min_tier belong on risk questions (scoring 2)")
        if unknown_if_hidden and (mitigation or not _answers_only(condition)):
            self.problem(
                where, "unknown_if_hidden is for risk questions shown by an earlier answer"
            )
        if mitigates is not None:
            target = self.seen_codes.get(mitigates)
            if not mitigation or target is None or target.mitigation or not target.scores:
                self.problem(where, "mitigates names an earlier risk question (and is a safeguard)")
            elif target.dimension != dimension:
                self.problem(where, "mitigates a question of another dimension")
        return Question(
            code=code,
            section=section,
            type=qtype,
            text=self.text(raw.get("text"), f"{where} text"),
            help=self.text(raw.get("help"), f"{where} help"),
            reference=reference,
            dimension=dimension if dimension in self.dimension_codes else None,
            mitigation=mitigation,
            required=bool(raw.get("required", qtype != "text")),
            condition=condition,
            options=options,
            bands=bands,
            min=self.decimal(raw.get("min"), where),
            max=self.decimal(raw.get("max"), where),
            unit=self.text(raw.get("unit"), f"{where} unit", required=False),
            max_length=int(raw.get("max_length", 2000)),
            unknown_if_hidden=unknown_if_hidden,
            mitigates=mitigates,
        )

    def reference(self, raw: Any, where: str) -> Text:
        """A string (scoring 1) or, from scoring 2 on, {en, ar}: Arabic pages show Arabic."""
        if isinstance(raw, dict):
            return self.text(raw, f"{where} reference")
        text = str(raw or "").strip()
        if not text:
            self.problem(where, "needs a reference (the law, article or principle it serves)")
        elif self.scoring >= 2:
            self.problem(where, "reference needs {en: ..., ar: ...} (scoring 2)")
        return Text(text, text)

    def decimal(self, raw: Any, where: str) -> Decimal | None:
        if raw is None:
            return None
        try:
            return Decimal(str(raw))
        except InvalidOperation:
            self.problem(where, f"{raw!r} is not a number")
            return None

    def options(self, raw: Any, qtype: str, limit: int, where: str):
        if qtype not in CHOICE_TYPES:
            if raw:
                self.problem(where, f"{qtype} questions take no options")
            return
        raw = raw or []
        if qtype == "yesno" and sorted(str((o or {}).get("value")) for o in raw) != ["no", "yes"]:
            self.problem(where, "yes/no questions have exactly the options yes and no")
        if qtype == "scale" and [str((o or {}).get("value")) for o in raw] != list("12345"):
            self.problem(where, 'scale questions have the options "1" … "5" in order')
        if qtype in ("single", "multiple") and len(raw) < 2:
            self.problem(where, "needs at least two options")
        values = set()
        for option in raw:
            option = option or {}
            value = str(option.get("value", ""))
            if not _VALUE.match(value):
                self.problem(where, f"option value {value!r} must be [a-z0-9_]+")
            if value in values:
                self.problem(where, f"duplicate option {value!r}")
            values.add(value)
            weight = option.get("weight", 0)
            if not isinstance(weight, int) or isinstance(weight, bool) or not 0 <= weight <= limit:
                self.problem(where, f"option {value!r}: weight must be an integer 0…{limit}")
                weight = 0
            label = option.get("label")
            if label is None and qtype == "yesno":
                label = {"en": "Yes", "ar": "نعم"} if value == "yes" else {"en": "No", "ar": "لا"}
            red_flag = None
            if option.get("red_flag") is not None:
                rf = option["red_flag"] or {}
                if rf.get("condition") is not None:
                    if self.scoring < 2:
                        self.problem(where, "a red flag condition needs scoring: 2")
                    self.condition(rf["condition"], f"{where} option {value} red_flag")
                red_flag = RedFlag(
                    reason=self.text(rf.get("reason"), f"{where} option {value} red_flag reason"),
                    remedy=self.text(rf.get("remedy"), f"{where} option {value} red_flag remedy"),
                    condition=rf.get("condition"),
                )
            min_tier = option.get("min_tier")
            if min_tier is not None and min_tier not in FLOOR_TIERS:
                self.problem(where, f"option {value!r}: min_tier must be one of {FLOOR_TIERS}")
                min_tier = None
            exclusive = bool(option.get("exclusive", False))
            if exclusive and qtype != "multiple":
                self.problem(where, "only multiple-choice options can be exclusive")
            yield Option(
                value=value,
                label=self.text(label, f"{where} option {value}"),
                weight=weight,
                red_flag=red_flag,
                exclusive=exclusive,
                min_tier=min_tier,
            )

    def bands(self, raw: Any, limit: int, where: str):
        raw = raw or []
        if not raw:
            self.problem(where, "number questions need bands")
        previous = None
        for i, band in enumerate(raw):
            band = band or {}
            upto = self.decimal(band.get("upto"), where)
            if upto is None and i != len(raw) - 1:
                self.problem(where, "only the last band may omit 'upto'")
            if upto is not None and previous is not None and upto <= previous:
                self.problem(where, "band limits must increase")
            previous = upto
            weight = band.get("weight", 0)
            if not isinstance(weight, int) or isinstance(weight, bool) or not 0 <= weight <= limit:
                self.problem(where, f"band weight must be an integer 0…{limit}")
                weight = 0
            yield Band(upto=upto, weight=weight)

    def condition(self, raw: Any, where: str) -> None:
        if not isinstance(raw, dict) or len(raw) == 0:
            self.problem(where, "a condition must be a mapping")
            return
        if "all" in raw or "any" in raw:
            items = raw.get("all", raw.get("any"))
            if not isinstance(items, list) or not items:
                self.problem(where, "all/any take a non-empty list")
                return
            for item in items:
                self.condition(item, where)
            return
        if "not" in raw:
            self.condition(raw["not"], where)
            return
        if "intake" in raw:
            name = raw["intake"]
            if name not in INTAKE_FIELDS:
                self.problem(where, f"unknown intake field {name!r}")
                return
            allowed = INTAKE_FIELDS[name]
            if allowed is None:
                if not isinstance(raw.get("equals"), bool):
                    self.problem(where, f"{name} is yes/no: use equals: true|false")
            else:
                values = raw.get("any_of")
                if not isinstance(values, list) or not values:
                    self.problem(where, f"{name}: use any_of: [...]")
                elif set(values) - set(allowed):
                    self.problem(
                        where, f"{name}: unknown values {sorted(set(values) - set(allowed))}"
                    )
            return
        if "answer" in raw:
            code = raw["answer"]
            question = self.seen_codes.get(code)
            if question is None:
                self.problem(where, f"condition on {code!r}, which is not an earlier question")
                return
            values = raw.get("any_of")
            if not isinstance(values, list) or not values:
                self.problem(where, "answer conditions take any_of: [...]")
            elif question.type in CHOICE_TYPES:
                unknown = [v for v in values if question.option(str(v)) is None]
                if unknown:
                    self.problem(where, f"{code} has no option {unknown[0]!r}")
            else:
                self.problem(where, f"conditions can only test choice questions, not {code}")
            return
        self.problem(where, f"unknown condition {raw!r}")


def _answers_only(condition: Any) -> bool:
    """Whether a (non-empty) condition tests earlier answers only, never the intake."""
    if not isinstance(condition, dict) or not condition:
        return False
    if "all" in condition or "any" in condition:
        items = condition.get("all", condition.get("any"))
        return isinstance(items, list) and all(_answers_only(c) for c in items)
    if "not" in condition:
        return _answers_only(condition["not"])
    return "answer" in condition
