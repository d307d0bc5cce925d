"""Scoring against the documented formula, with numbers worked out by hand."""

from fractions import Fraction

from assessments.questionnaire import Definition, score
from assessments.questionnaire.scoring import tier_for
from tests.questionnaire.sample import INTAKE, sample

DEFINITION = Definition.from_data(sample())

ANSWERS = {
    "privacy.basis": "legitimate",  # risk 2 of 5
    "privacy.special": "yes",  # risk 4 of 4; reveals privacy.explicit
    "privacy.explicit": "yes",  # credit 3 of 3
    "privacy.dpia": "3",  # credit 2 of 3
    "fairness.proxies": ["postcode"],  # risk 2 of 3
    "fairness.reach": 50000,  # band <= 100000: risk 1 of 3
    "fairness.tested": "no",  # credit 0 of 3
}


def test_worked_example():
    result = score(DEFINITION, INTAKE, ANSWERS)
    privacy = result.dimensions["privacy"]
    # R = 2 + 4 = 6, Rmax = 5 + 4 = 9; M = 3 + 2 = 5, Mmax = 3 + 3 = 6
    assert (privacy.raw, privacy.raw_max, privacy.mitigation, privacy.mitigation_max) == (
        6,
        9,
        5,
        6,
    )
    # residual = 6 x (1 - 1/2 x 5/6) = 6 x 7/12 = 3.5 ; 3.5 / 9 = 38.9 %
    assert privacy.residual == Fraction(7, 2)
    assert privacy.residual_pct == Fraction(350, 9)
    fairness = result.dimensions["fairness"]
    # R = 2 + 1 = 3, Rmax = 3 + 3 = 6; M = 0 of 3 -> residual 3 ; 50 %
    assert (fairness.raw, fairness.raw_max, fairness.mitigation, fairness.mitigation_max) == (
        3,
        6,
        0,
        3,
    )
    assert fairness.residual_pct == 50
    # overall = (3.5 + 3) / (9 + 6) = 6.5 / 15 = 43.3 % -> III
    assert result.overall_pct == Fraction(130, 3)
    assert result.tier == "III"
    assert result.complete
    assert result.red_flags == []


def test_unanswered_risk_counts_at_its_maximum_and_is_missing():
    result = score(DEFINITION, INTAKE, {})
    privacy = result.dimensions["privacy"]
    assert privacy.raw == privacy.raw_max == 9
    assert not result.complete
    assert "privacy.basis" in result.missing
    assert "fairness.notes" not in result.missing  # optional text


def test_red_flag_makes_it_prohibited_with_reason_and_remedy():
    result = score(DEFINITION, INTAKE, {**ANSWERS, "privacy.basis": "none"})
    assert result.tier == "prohibited"
    assert result.score_tier in {"III", "IV"}
    [flag] = result.red_flags
    assert flag.code == "privacy.basis"
    assert flag.reason.en == "none is prohibited"
    assert flag.remedy.get("ar") == "ع stop none"


def test_hidden_red_flag_is_ignored():
    answers = {**ANSWERS, "children.profiling": "yes"}
    assert score(DEFINITION, INTAKE, answers).tier == "III"
    assert score(DEFINITION, {**INTAKE, "reaches_minors": True}, answers).tier == "prohibited"


def test_stale_hidden_answer_is_kept_but_ignored():
    hidden = {**ANSWERS, "privacy.special": "no"}  # hides privacy.explicit, its answer stays
    result = score(DEFINITION, INTAKE, hidden)
    assert "privacy.explicit" not in result.visible
    assert result.dimensions["privacy"].mitigation == 2  # only the DPIA credit


def test_suggestions_name_missing_mitigations_and_the_tier_they_reach():
    result = score(DEFINITION, INTAKE, ANSWERS)
    by_code = {s.code: s for s in result.suggestions}
    assert set(by_code) == {"fairness.tested", "privacy.dpia"}
    tested = by_code["fairness.tested"]
    # fairness residual 3 x (1 - 1/2) = 1.5 -> overall (3.5 + 1.5) / 15 = 33.3 % -> II
    assert tested.best_value == "yes"
    assert tested.overall_pct_after == Fraction(100, 3)
    assert tested.tier_after == "II"
    assert result.suggestions[0].code == "fairness.tested"


def test_dimension_escalation_lifts_to_iii():
    assert tier_for(Fraction(10), Fraction(59)) == "I"
    assert tier_for(Fraction(10), Fraction(60)) == "III"
    assert tier_for(Fraction(45), Fraction(0)) == "III"
    assert tier_for(Fraction(60), Fraction(0)) == "IV"
    assert tier_for(Fraction(19), Fraction(0)) == "I"
    assert tier_for(Fraction(20), Fraction(0)) == "II"


def test_invalid_or_unknown_answers_count_as_unanswered():
    result = score(DEFINITION, INTAKE, {**ANSWERS, "privacy.basis": "bogus", "no.such": "x"})
    assert "privacy.basis" in result.missing
    assert result.dimensions["privacy"].raw == 5 + 4


def test_contributions_explain_each_answer():
    result = score(DEFINITION, INTAKE, ANSWERS)
    by_code = {c.code: c for c in result.contributions}
    assert by_code["fairness.reach"].points == 1
    assert by_code["fairness.reach"].max_points == 3
    assert by_code["privacy.explicit"].kind == "mitigation"
    assert "fairness.notes" not in by_code  # text does not score
