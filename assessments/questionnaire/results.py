"""What scoring returns, whichever formula a definition uses: an explained result."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from .parts import Question

TIERS = ("I", "II", "III", "IV", "prohibited")


def tier_rank(tier: str) -> int:
    return TIERS.index(tier)


@dataclass(frozen=True)
class Contribution:
    code: str
    dimension: str
    kind: str  # "risk" | "mitigation"
    answer: Any
    points: int  # risk points, or mitigation credit
    max_points: int
    unanswered: bool


@dataclass(frozen=True)
class DimensionScore:
    code: str
    raw: int
    raw_max: int
    mitigation: int
    mitigation_max: int
    residual: Fraction
    residual_pct: Fraction

    def as_dict(self) -> dict:
        return {
            "raw": self.raw,
            "raw_max": self.raw_max,
            "mitigation": self.mitigation,
            "mitigation_max": self.mitigation_max,
            "residual": round(float(self.residual), 2),
            "residual_pct": round(float(self.residual_pct), 1),
        }


@dataclass(frozen=True)
class RedFlagHit:
    code: str
    value: str
    question: Question
    reason: Any
    remedy: Any


@dataclass(frozen=True)
class Suggestion:
    """A mitigation not yet (fully) in place, and what the result would be with it."""

    code: str
    question: Question
    best_value: str
    tier_after: str
    overall_pct_after: Fraction


@dataclass
class Result:
    tier: str
    score_tier: str  # the tier from the score alone, ignoring red flags
    overall_pct: Fraction
    dimensions: dict[str, DimensionScore]
    contributions: list[Contribution]
    red_flags: list[RedFlagHit]
    visible: list[str]
    missing: list[str]  # visible required questions without an answer
    suggestions: list[Suggestion] = field(default_factory=list)
    scoring: int = 1
    # scoring 2: why the tier is what it is, strongest first (see scoring_v2.Reason)
    reasons: list = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def prohibited(self) -> bool:
        return self.tier == "prohibited"

    def as_dict(self) -> dict:
        data = {
            "tier": self.tier,
            "score_tier": self.score_tier,
            "overall_pct": round(float(self.overall_pct), 1),
            "complete": self.complete,
            "missing": list(self.missing),
            "dimensions": {code: d.as_dict() for code, d in self.dimensions.items()},
            "red_flags": [
                {
                    "question": h.code,
                    "answer": h.value,
                    "reason": h.reason.en,
                    "remedy": h.remedy.en,
                }
                for h in self.red_flags
            ],
        }
        if self.scoring >= 2:
            data["scoring"] = self.scoring
            data["reasons"] = [reason.as_dict() for reason in self.reasons]
        return data
