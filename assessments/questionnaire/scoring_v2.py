"""Scoring 2 (definitions with ``scoring: 2``): floors, no dilution, honesty pays.

Pure and exact (``Fraction``). The README's "Scoring" section has the same formula and a
worked example, so an auditor can recompute a result by hand.

Per dimension, over its *visible* questions:

1. Risk weights. A risk question weighs its answer's weight w (0…5); unanswered, its
   largest weight (an unknown risk is a risk). A follow-up safeguard that names it
   (``mitigates:``) lowers that one weight: w x (1 - 1/2 x credit/max credit). A risk
   follow-up marked ``unknown_if_hidden`` that an earlier answer hides ("not tested") counts
   at its largest weight: not looking never scores better than looking.
2. Dimension index X = P + min(2, (S - P) / 4), P the largest weight, S the sum. Adding a
   question with no risk (more channels, more markets, clean answers) changes neither P nor
   S: there is no denominator to dilute. X runs from 0 to 7.
3. Safeguards. K is the credit the dimension's *core* safeguards (asked of every campaign:
   no intake condition, shown before anything is answered) can give; M the credit they
   give. A safeguard asked only in some scope (a market, an earlier answer) gives no credit
   of its own, but
   its shortfall (max - credit; unanswered: max) is subtracted: clean scope never lowers the
   score and missing scope safeguards raise it. share = clamp((M - shortfalls) / K, 0, 1).
4. residual = X x (1 - 1/2 x share); residual % = 100 x residual / 7.

Tier: each dimension's band (I below 25 %, II below 50 %, III below 75 %, IV from 75 %);
the result takes the highest band, IV when three or more dimensions are at III or above,
and never less than a floor: an answer of weight 5 sets at least III, of weight 4 at least
II, an option's ``min_tier`` at least that tier (unanswered and hidden-unknown questions at
their worst option's floor). Any red flag makes the result Prohibited, whatever the score.
The overall % is the highest dimension's residual %.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from .definition import Definition
from .parts import Question
from .results import Contribution, DimensionScore, RedFlagHit, Result, tier_rank
from .visibility import evaluate, visible_codes

INDEX_PEAK_MAX = 5
BREADTH_CAP = Fraction(2)  # the rest of a dimension's risk adds at most two points
BREADTH_UNIT = Fraction(4)  # four further points of risk add one point
INDEX_MAX = INDEX_PEAK_MAX + BREADTH_CAP
MITIGATION_REACH = Fraction(1, 2)  # full safeguards remove half of a dimension's risk
BANDS = ((Fraction(25), "I"), (Fraction(50), "II"), (Fraction(75), "III"))
BREADTH_DIMENSIONS = 3  # this many dimensions at III or above make the result IV
WEIGHT_FLOORS = {5: "III", 4: "II"}


@dataclass(frozen=True)
class Reason:
    """One reason the tier is what it is: ``kind`` is "band" (a dimension's band),
    "breadth" (several dimensions high), "floor" (one answer) or "red_flag"."""

    kind: str
    tier: str
    code: str  # the dimension or the question
    detail: str = ""  # the answer's value, or the dimensions behind a breadth reason

    def as_dict(self) -> dict:
        return {"kind": self.kind, "tier": self.tier, "code": self.code, "detail": self.detail}


def band_of(pct: Fraction) -> str:
    for upper, name in BANDS:
        if pct < upper:
            return name
    return "IV"


def _condition_codes(condition: Any) -> set[str]:
    if not isinstance(condition, dict):
        return set()
    if "all" in condition or "any" in condition:
        codes = set()
        for item in condition.get("all", condition.get("any")):
            codes |= _condition_codes(item)
        return codes
    if "not" in condition:
        return _condition_codes(condition["not"])
    return {condition["answer"]} if "answer" in condition else set()


def _mentions_intake(condition: Any) -> bool:
    if not isinstance(condition, dict):
        return False
    if "all" in condition or "any" in condition:
        return any(_mentions_intake(c) for c in condition.get("all", condition.get("any")))
    if "not" in condition:
        return _mentions_intake(condition["not"])
    return "intake" in condition


def is_core(definition: Definition, question: Question) -> bool:
    """A safeguard asked of every campaign: its condition (and its section's) tests no
    intake field and holds before anything is answered, e.g. "unless no personal data is
    processed". Safeguards that only an intake field or an earlier answer opens are scope
    safeguards."""
    section = definition.section(question.section)
    conditions = [question.condition, section.condition if section else None]
    return all(
        condition is None or (not _mentions_intake(condition) and evaluate(condition, {}, {}))
        for condition in conditions
    )


def core_capacity(definition: Definition, dimension: str) -> int:
    """K: the credit a dimension's core safeguards can give. A property of the definition,
    so no intake or answer can change it."""
    return sum(
        q.max_weight
        for q in definition.question_list
        if q.scores
        and q.mitigation
        and q.dimension == dimension
        and q.mitigates is None
        and is_core(definition, q)
    )


def _floor_of_options(question: Question, options) -> tuple[str | None, str]:
    """The highest floor among ``options`` of a question, and the option that sets it."""
    best, value = None, ""
    for option in options:
        floors = [option.min_tier, WEIGHT_FLOORS.get(option.weight)]
        if question.mitigation:
            floors = [option.min_tier]
        for floor in floors:
            if floor and (best is None or tier_rank(floor) > tier_rank(best)):
                best, value = floor, option.value
    return best, value


def _floor(question: Question, value: Any) -> tuple[str | None, str]:
    """The floor an answer sets; unanswered (None): the worst option's."""
    if question.type == "number":
        weight = question.weight_of(value) if value is not None else question.max_weight
        floor = None if question.mitigation else WEIGHT_FLOORS.get(weight)
        return floor, "" if value is None else str(value)
    if question.type == "text":
        return None, ""
    if value is None:
        return _floor_of_options(question, question.options)
    chosen = value if isinstance(value, list) else [value]
    floor, option = _floor_of_options(question, [question.option(v) for v in chosen])
    if question.type == "multiple" and not question.mitigation:
        # weights of several chosen options add up: the sum's floor applies too
        total = WEIGHT_FLOORS.get(min(question.weight_of(value), 5))
        if total and (floor is None or tier_rank(total) > tier_rank(floor)):
            floor, option = total, ",".join(chosen)
    return floor, option


def _hidden_unknowns(definition: Definition, intake: dict, answers: dict, visible) -> list[str]:
    """``unknown_if_hidden`` questions hidden by an earlier answer (not by scope): their
    section is shown and every question their condition tests is visible."""
    shown = set(visible)
    seen = {code: answers[code] for code in visible if code in answers}
    codes = []
    for question in definition.question_list:
        if not question.unknown_if_hidden or question.code in shown:
            continue
        section = definition.section(question.section)
        if not evaluate(section.condition, intake, seen):
            continue
        if _condition_codes(question.condition) <= shown:
            codes.append(question.code)
    return codes


def _red_flags(question: Question, value: Any, intake: dict, seen: dict) -> list[RedFlagHit]:
    return [
        RedFlagHit(
            code=question.code,
            value=option.value,
            question=question,
            reason=option.red_flag.reason,
            remedy=option.red_flag.remedy,
        )
        for option in question.red_flags_of(value)
        if evaluate(option.red_flag.condition, intake, seen)
    ]


def score_clean(definition: Definition, intake: dict, answers: dict) -> Result:
    """Score normalised answers (see ``scoring.score``, which normalises and dispatches)."""
    visible = visible_codes(definition, intake, answers)
    seen = {code: answers[code] for code in visible if code in answers}
    weights: dict[str, Fraction] = {}  # risk question -> weight before its own safeguard
    tops: dict[str, int] = {}
    contributions: list[Contribution] = []
    red_flags: list[RedFlagHit] = []
    missing: list[str] = []
    floors: list[tuple[str, str, str]] = []  # (tier, question, value)
    credit = {d.code: 0 for d in definition.dimensions}
    shortfall = {d.code: 0 for d in definition.dimensions}
    follow_up: dict[str, list[tuple[int, int]]] = {}  # risk question -> [(credit, max)]

    def add_floor(question: Question, value: Any) -> None:
        floor, option = _floor(question, value)
        if floor:
            floors.append((floor, question.code, option))

    for code in visible:
        question = definition.questions[code]
        value = answers.get(code)
        if value is None and question.required:
            missing.append(code)
        if value is not None:
            red_flags.extend(_red_flags(question, value, intake, seen))
        if not question.scores:
            continue
        top = question.max_weight
        if value is not None:
            points = question.weight_of(value)
        else:
            points = 0 if question.mitigation else top
        if question.mitigation:
            if question.mitigates is not None:
                follow_up.setdefault(question.mitigates, []).append((points, top))
            elif is_core(definition, question):
                credit[question.dimension] += points
            else:
                shortfall[question.dimension] += top - points
        else:
            weights[code] = Fraction(min(points, INDEX_PEAK_MAX))  # several choices add up
            tops[code] = top
            add_floor(question, value)
        contributions.append(
            Contribution(
                code=code,
                dimension=question.dimension,
                kind="mitigation" if question.mitigation else "risk",
                answer=value,
                points=points,
                max_points=top,
                unanswered=value is None,
            )
        )
    for code in _hidden_unknowns(definition, intake, answers, visible):
        question = definition.questions[code]
        weights[code] = Fraction(min(question.max_weight, INDEX_PEAK_MAX))
        tops[code] = question.max_weight
        add_floor(question, None)
        contributions.append(
            Contribution(
                code=code,
                dimension=question.dimension,
                kind="risk",
                answer=None,
                points=question.max_weight,
                max_points=question.max_weight,
                unanswered=True,
            )
        )
    by_dimension: dict[str, list[Fraction]] = {d.code: [] for d in definition.dimensions}
    raw = {d.code: 0 for d in definition.dimensions}
    raw_max = {d.code: 0 for d in definition.dimensions}
    for code, weight in weights.items():
        question = definition.questions[code]
        for points, top in follow_up.get(code, []):
            if top:
                weight *= 1 - MITIGATION_REACH * Fraction(points, top)
        by_dimension[question.dimension].append(weight)
        raw[question.dimension] += int(weights[code])
        raw_max[question.dimension] += tops[code]
    dimensions = {}
    for dimension in definition.dimensions:
        d = dimension.code
        values = by_dimension[d]
        peak = max(values, default=Fraction(0))
        index = peak + min(BREADTH_CAP, (sum(values, Fraction(0)) - peak) / BREADTH_UNIT)
        capacity = core_capacity(definition, d)
        share = (
            min(Fraction(1), max(Fraction(0), Fraction(credit[d] - shortfall[d], capacity)))
            if capacity
            else Fraction(0)
        )
        residual = index * (1 - MITIGATION_REACH * share)
        dimensions[d] = DimensionScore(
            code=d,
            raw=raw[d],
            raw_max=raw_max[d],
            mitigation=credit[d] - shortfall[d],
            mitigation_max=capacity,
            residual=residual,
            residual_pct=100 * residual / INDEX_MAX,
        )
    score_tier, reasons = _tier(dimensions, floors)
    red_reasons = [Reason("red_flag", "prohibited", h.code, h.value) for h in red_flags]
    return Result(
        tier="prohibited" if red_flags else score_tier,
        score_tier=score_tier,
        overall_pct=max((d.residual_pct for d in dimensions.values()), default=Fraction(0)),
        dimensions=dimensions,
        contributions=contributions,
        red_flags=red_flags,
        visible=visible,
        missing=missing,
        scoring=2,
        reasons=red_reasons + reasons,
    )


def _tier(dimensions: dict[str, DimensionScore], floors) -> tuple[str, list[Reason]]:
    """The tier from the dimensions' bands, breadth and floors, with its reasons (those
    that reach the tier first)."""
    reasons = [
        Reason("band", band_of(d.residual_pct), code)
        for code, d in dimensions.items()
        if band_of(d.residual_pct) != "I"
    ]
    high = [code for code, d in dimensions.items() if tier_rank(band_of(d.residual_pct)) >= 2]
    if len(high) >= BREADTH_DIMENSIONS:
        reasons.append(Reason("breadth", "IV", high[0], ",".join(high)))
    seen = set()
    for floor, code, value in floors:
        if (code, floor) not in seen:
            seen.add((code, floor))
            reasons.append(Reason("floor", floor, code, value))
    tier = max((r.tier for r in reasons), key=tier_rank, default="I")
    reasons.sort(key=lambda r: -tier_rank(r.tier))
    return tier, reasons
