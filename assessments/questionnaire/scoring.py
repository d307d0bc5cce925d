"""Scoring: definition + intake + answers -> an explained result. Pure, exact arithmetic.

The formula (also in the README, so an auditor can recompute a result by hand):

For every *visible* question that scores into a dimension:
- a risk question adds its answer's weight to the dimension's raw impact R, and its
  largest possible weight to the maximum impact Rmax. An unanswered risk question counts
  at its maximum (an unknown risk is treated as a risk until it is answered);
- a mitigation question adds its answer's credit to M, and its largest credit to Mmax
  (unanswered: no credit).

Per dimension: residual = R x (1 - 1/2 x M/Mmax)   (M/Mmax = 0 when Mmax = 0)
               residual % = 100 x residual / Rmax   (0 when Rmax = 0)
Overall:       overall % = 100 x (sum of residuals) / (sum of Rmax)

Tier from the overall %: I Low below 20, II Moderate 20 to below 40, III High 40 to below
60, IV Very high 60 and above. A dimension whose residual % is 60 or more lifts the tier
to at least III. Any red-flag answer among the visible questions makes the result
Prohibited, whatever the score.
"""

from __future__ import annotations

from fractions import Fraction

from . import scoring_v2
from .definition import Definition
from .results import (
    TIERS,
    Contribution,
    DimensionScore,
    RedFlagHit,
    Result,
    Suggestion,
    tier_rank,
)
from .visibility import visible_codes

__all__ = ["TIERS", "Result", "score", "tier_for", "tier_rank"]

TIER_BANDS = ((Fraction(20), "I"), (Fraction(40), "II"), (Fraction(60), "III"))
DIMENSION_ESCALATION = Fraction(60)  # a dimension at or above this lifts the tier to III
MITIGATION_REACH = Fraction(1, 2)  # full mitigation removes half of a dimension's risk


def tier_for(overall_pct: Fraction, highest_dimension_pct: Fraction) -> str:
    tier = "IV"
    for upper, name in TIER_BANDS:
        if overall_pct < upper:
            tier = name
            break
    if highest_dimension_pct >= DIMENSION_ESCALATION and tier_rank(tier) < tier_rank("III"):
        tier = "III"
    return tier


def _normalised(definition: Definition, answers: dict) -> dict:
    """Answers that fit their questions; anything else counts as unanswered."""
    clean = {}
    for code, raw in answers.items():
        question = definition.questions.get(code)
        if question is None:
            continue
        try:
            value = question.normalise(raw)
        except ValueError:
            continue
        if value is not None:
            clean[code] = value
    return clean


def _score(definition: Definition, intake: dict, answers: dict) -> Result:
    visible = visible_codes(definition, intake, answers)
    sums = {d.code: [0, 0, 0, 0] for d in definition.dimensions}  # R, Rmax, M, Mmax
    contributions: list[Contribution] = []
    red_flags: list[RedFlagHit] = []
    missing: list[str] = []
    for code in visible:
        question = definition.questions[code]
        value = answers.get(code)
        if value is None and question.required:
            missing.append(code)
        if value is not None:
            for option in question.red_flags_of(value):
                red_flags.append(
                    RedFlagHit(
                        code=code,
                        value=option.value,
                        question=question,
                        reason=option.red_flag.reason,
                        remedy=option.red_flag.remedy,
                    )
                )
        if not question.scores:
            continue
        top = question.max_weight
        if question.mitigation:
            points = question.weight_of(value) if value is not None else 0
            sums[question.dimension][2] += points
            sums[question.dimension][3] += top
        else:
            points = question.weight_of(value) if value is not None else top
            sums[question.dimension][0] += points
            sums[question.dimension][1] += top
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
    dimensions = {}
    for code, (raw, raw_max, mit, mit_max) in sums.items():
        share = Fraction(mit, mit_max) if mit_max else Fraction(0)
        residual = raw * (1 - MITIGATION_REACH * share)
        pct = 100 * residual / raw_max if raw_max else Fraction(0)
        dimensions[code] = DimensionScore(code, raw, raw_max, mit, mit_max, residual, pct)
    total_max = sum(d.raw_max for d in dimensions.values())
    overall = (
        100 * sum((d.residual for d in dimensions.values()), Fraction(0)) / total_max
        if total_max
        else Fraction(0)
    )
    highest = max((d.residual_pct for d in dimensions.values()), default=Fraction(0))
    score_tier = tier_for(overall, highest)
    return Result(
        tier="prohibited" if red_flags else score_tier,
        score_tier=score_tier,
        overall_pct=overall,
        dimensions=dimensions,
        contributions=contributions,
        red_flags=red_flags,
        visible=visible,
        missing=missing,
    )


def score(definition: Definition, intake: dict, answers: dict, *, suggest: bool = True) -> Result:
    """Score an assessment with its definition's formula (``scoring: 1`` is the formula
    above, kept exactly for the assessments started on it; ``scoring: 2`` is in
    scoring_v2). Invalid or unknown answers count as unanswered."""
    clean = _normalised(definition, answers)
    scorer = scoring_v2.score_clean if definition.scoring >= 2 else _score
    result = scorer(definition, intake, clean)
    if suggest:
        result.suggestions = _suggestions(definition, intake, clean, result, scorer)
    return result


def _suggestions(definition: Definition, intake: dict, answers: dict, result: Result, scorer):
    """Visible mitigations below full credit, best first, with the result each would give.

    Stale answers of hidden questions are left out: a safeguard that reveals follow-up
    questions is judged with those follow-ups unanswered (at their maximum risk), so a
    suggestion never depends on answers the marketer cannot see."""
    suggestions = []
    visible = set(result.visible)
    answers = {code: value for code, value in answers.items() if code in visible}
    for code in result.visible:
        question = definition.questions[code]
        if not (question.scores and question.mitigation) or question.type == "number":
            continue
        current = question.weight_of(answers[code]) if code in answers else 0
        if current >= question.max_weight:
            continue
        if question.type == "multiple":
            best = [o.value for o in question.options if not o.exclusive and o.weight > 0]
            best_label_value = ",".join(best)
        else:
            top = max(question.options, key=lambda o: o.weight)
            best, best_label_value = top.value, top.value
        after = scorer(definition, intake, {**answers, code: best})
        if not _helps(question, after, result):
            continue
        suggestions.append(
            Suggestion(
                code=code,
                question=question,
                best_value=best_label_value,
                tier_after=after.score_tier,
                overall_pct_after=after.overall_pct,
            )
        )
    suggestions.sort(key=lambda s: (tier_rank(s.tier_after), s.overall_pct_after))
    return suggestions


def _helps(question, after: Result, before: Result) -> bool:
    """Scoring 1: the overall % falls. Scoring 2, whose overall % is the worst dimension's:
    the tier or the question's own dimension falls."""
    if after.overall_pct < before.overall_pct:
        return True
    if before.scoring < 2:
        return False
    dimension = question.dimension
    return tier_rank(after.score_tier) < tier_rank(before.score_tier) or (
        after.dimensions[dimension].residual_pct < before.dimensions[dimension].residual_pct
    )
