"""Scoring 2 against its documented formula (numbers worked out by hand), and the shipped
v2 questionnaire against the failures issue #17 found in v1."""

from fractions import Fraction
from pathlib import Path

import pytest
import yaml

from assessments.questionnaire import Definition, DefinitionError, score
from assessments.questionnaire.scoring_v2 import core_capacity
from tests.questionnaire.clean import NO_SCOPE, clean_answers
from tests.questionnaire.sample import INTAKE, sample, sample_v2

SAMPLE = Definition.from_data(sample_v2())
FOLDER = Path(__file__).resolve().parents[2] / "assessments" / "questionnaires"
V1 = Definition.from_data(
    yaml.safe_load((FOLDER / "ai-marketing-impact-v1.yaml").read_text("utf-8"))
)
V2 = Definition.from_data(yaml.safe_load((FOLDER / "ai-marketing-impact.yaml").read_text("utf-8")))

ANSWERS = {
    "privacy.basis": "legitimate",  # risk 2
    "privacy.special": "yes",  # risk 4 (a floor of II); reveals privacy.explicit
    "privacy.explicit": "yes",  # a scope safeguard at full credit: shortfall 0
    "privacy.dpia": "3",  # core safeguard: credit 2 of 3
    "fairness.proxies": ["postcode"],  # risk 2
    "fairness.reach": 50000,  # band <= 100000: risk 1
    "fairness.tested": "no",  # core safeguard: credit 0 of 3
}


def test_worked_example():
    """The README's example: the same answers as the v1 example, scored with scoring 2."""
    result = score(SAMPLE, INTAKE, ANSWERS)
    privacy = result.dimensions["privacy"]
    # P = 4, S = 6: X = 4 + min(2, (6 - 4) / 4) = 9/2; share = (2 - 0) / 3
    # residual = 9/2 x (1 - 1/2 x 2/3) = 3; 3 / 7 = 42.9 % -> band II
    assert privacy.residual == 3
    assert privacy.residual_pct == Fraction(300, 7)
    assert (privacy.mitigation, privacy.mitigation_max) == (2, 3)
    fairness = result.dimensions["fairness"]
    # P = 2, S = 3: X = 2 + 1/4 = 9/4; no credit; 9/4 / 7 = 32.1 % -> band II
    assert fairness.residual == Fraction(9, 4)
    assert fairness.residual_pct == Fraction(225, 7)
    assert result.overall_pct == Fraction(300, 7)  # the highest dimension
    assert result.tier == "II"
    kinds = {(r.kind, r.code, r.tier) for r in result.reasons}
    assert ("floor", "privacy.special", "II") in kinds
    assert ("band", "privacy", "II") in kinds
    assert result.as_dict()["scoring"] == 2


def test_v1_definitions_keep_the_v1_formula():
    v1 = Definition.from_data(sample())
    assert v1.scoring == 1
    result = score(v1, INTAKE, ANSWERS)
    assert result.overall_pct == Fraction(130, 3) and result.tier == "III"
    assert "scoring" not in result.as_dict()


def test_a_missing_scope_safeguard_counts_against_and_a_present_one_changes_nothing():
    full = score(SAMPLE, INTAKE, ANSWERS)
    weak = score(SAMPLE, INTAKE, {**ANSWERS, "privacy.explicit": "no"})
    # shortfall 3: share = (2 - 3) / 3 -> 0; residual = 9/2
    assert weak.dimensions["privacy"].residual == Fraction(9, 2)
    assert weak.dimensions["privacy"].mitigation == -1
    assert full.dimensions["privacy"].residual < weak.dimensions["privacy"].residual


def test_core_capacity_is_a_property_of_the_definition():
    assert core_capacity(SAMPLE, "privacy") == 3  # dpia; explicit and gpc are scope safeguards
    assert core_capacity(SAMPLE, "fairness") == 3


def test_scoring_2_keys_are_refused_in_a_scoring_1_definition():
    data = sample()
    data["sections"][0]["questions"][0]["options"][0]["min_tier"] = "III"
    with pytest.raises(DefinitionError, match="need scoring: 2"):
        Definition.from_data(data)


def test_scoring_2_needs_bilingual_references_and_valid_keys():
    data = sample_v2()
    data["sections"][0]["questions"][0]["reference"] = "GDPR Art. 6"
    data["sections"][0]["questions"][0]["options"][0]["min_tier"] = "V"
    data["sections"][0]["questions"][1]["unknown_if_hidden"] = True  # not shown by an answer
    data["sections"][0]["questions"][2]["mitigates"] = "fairness.proxies"  # not earlier
    with pytest.raises(DefinitionError) as caught:
        Definition.from_data(data)
    text = "; ".join(caught.value.problems)
    assert "reference needs {en: ..., ar: ...}" in text
    assert "min_tier must be one of" in text
    assert "unknown_if_hidden is for risk questions" in text
    assert "mitigates names an earlier risk question" in text


# --- the shipped v2 questionnaire --------------------------------------------------------

EU = {**NO_SCOPE, "markets": ["eu"]}
BASE = {"privacy.lawful_basis": "consent"}

UNLAWFUL_ALONE = [
    ("fairness.proxies", "known_proxies", {}),
    ("fairness.audience_exclusion", "essential_offer_excluded", {}),
    ("channel.email_consent", "purchased_list", {"channels": ["email"]}),
    ("channel.influencer_disclosure", "not_disclosed", {"channels": ["influencer"]}),
    ("transparency.bot_identification", "human_persona", {"channels": ["chat"]}),
    ("privacy.children_data", "parental_consent_profiling", {"reaches_minors": True}),
    ("fairness.disparate_pricing", "known_disparity", {"ai_techniques": ["dynamic_pricing"]}),
    ("channel.search_practices", ["hidden_instructions"], {"channels": ["search"]}),
    ("privacy.purpose_profiling", "marketing_only", {}),
    ("privacy.tracking_consent", "before_consent", {"channels": ["display"]}),
    ("authenticity.endorsement_honesty", "not_their_views", {"channels": ["influencer"]}),
]


@pytest.mark.parametrize(
    "code,value,scope", UNLAWFUL_ALONE, ids=[c for c, _v, _s in UNLAWFUL_ALONE]
)
def test_each_unlawful_answer_alone_is_a_red_flag_in_v2_and_was_not_in_v1(code, value, scope):
    intake = {**EU, **scope}
    clean = clean_answers(V2, intake, BASE)
    assert score(V2, intake, clean).tier == "I"
    flagged = score(V2, intake, clean_answers(V2, intake, {**BASE, code: value}))
    assert flagged.tier == "prohibited"
    assert [h.code for h in flagged.red_flags] == [code]
    if code in V1.questions:
        v1_clean = clean_answers(V1, intake, BASE)
        assert score(V1, intake, {**v1_clean, code: value}).tier == "I"


def test_a_red_flag_that_depends_on_the_market_applies_only_there():
    answers = {**BASE, "channel.email_consent": "purchased_list"}
    for markets, tier in ((["eu"], "prohibited"), (["gulf"], "prohibited"), (["us_other"], "III")):
        intake = {**NO_SCOPE, "markets": markets, "channels": ["email"]}
        assert score(V2, intake, clean_answers(V2, intake, answers)).tier == tier, markets


def test_clean_scope_does_not_dilute():
    narrow = score(
        V2, EU, clean_answers(V2, EU, {**BASE, "privacy.data_minimisation": "all_available"})
    )
    wide_intake = {
        **EU,
        "markets": ["eu", "uk", "us_ca", "us_other", "gulf"],
        "channels": ["social", "search", "email", "display"],
    }
    wide = score(
        V2,
        wide_intake,
        clean_answers(V2, wide_intake, {**BASE, "privacy.data_minimisation": "all_available"}),
    )
    assert len(wide.visible) > len(narrow.visible)
    assert wide.tier == narrow.tier == "II"  # data minimisation "all available": a floor of II
    assert wide.overall_pct == narrow.overall_pct


def test_one_dimension_at_its_worst_is_tier_iv():
    worst = {
        "manipulation.dark_patterns": ["hidden_costs", "hard_to_cancel", "nagging"],
        "manipulation.urgency": "generated_unverified",
        "manipulation.emotional_profiling": "individual_inference",
        "manipulation.claims_substantiation": "none",
    }
    result = score(V2, EU, clean_answers(V2, EU, {**BASE, **worst}))
    assert result.tier == "IV"
    assert result.dimensions["manipulation"].residual_pct >= 75
    others = [d for c, d in result.dimensions.items() if c != "manipulation"]
    assert all(d.residual_pct < 25 for d in others)


def test_testing_for_bias_never_scores_worse_than_not_testing():
    intake = EU
    untested = score(
        V2, intake, clean_answers(V2, intake, {**BASE, "fairness.bias_tested": "not_tested"})
    )
    assert "fairness.bias_findings" in {c.code for c in untested.contributions}  # charged unknown
    for findings in ("no_material_disparity", "minor_disparity", "material_disparity"):
        for action in ("fixed_retested", "none"):
            answers = {
                **BASE,
                "fairness.bias_tested": "tested_internal",
                "fairness.bias_findings": findings,
                "fairness.corrective_actions": action,
            }
            tested = score(V2, intake, clean_answers(V2, intake, answers))
            assert (
                tested.dimensions["fairness"].residual_pct
                <= untested.dimensions["fairness"].residual_pct
            )
            assert tested.overall_pct <= untested.overall_pct
    fixed = score(
        V2,
        intake,
        clean_answers(
            V2,
            intake,
            {
                **BASE,
                "fairness.bias_tested": "tested_independent",
                "fairness.bias_findings": "material_disparity",
                "fairness.corrective_actions": "fixed_retested",
            },
        ),
    )
    clean = score(V2, intake, clean_answers(V2, intake, BASE))
    # found and fixed never scores better than nothing found
    assert fixed.dimensions["fairness"].residual_pct >= clean.dimensions["fairness"].residual_pct


def test_no_personal_data_hides_the_privacy_questions():
    none = score(V2, EU, {"privacy.lawful_basis": "no_personal_data"})
    assert [c for c in none.visible if c.startswith("privacy.")] == ["privacy.lawful_basis"]


def test_honest_likeness_answer_is_no_longer_a_red_flag():
    answers = {**BASE, "authenticity.impersonation": "consented_likeness_disclosed"}
    assert score(V2, EU, clean_answers(V2, EU, answers)).tier == "I"


def test_every_v2_reference_is_bilingual_and_the_overreaching_citations_are_gone():
    for question in V2.question_list:
        assert question.reference.en and question.reference.ar, question.code
        assert question.reference.ar != question.reference.en, question.code
    assert "Art. 50" not in V2.questions["transparency.ai_disclosure"].reference.en.split("(")[0]
    assert "biometric data only" in V2.questions["manipulation.emotional_profiling"].reference.en
    assert (
        "government and businesses only" in V2.questions["authenticity.impersonation"].reference.en
    )
    assert "provider's duty" in V2.questions["oversight.vendor_accountability"].reference.en
    gulf = " ".join(q.reference.en for q in V2.question_list)
    for law in (
        "Saudi PDPL",
        "UAE PDPL",
        "Qatar Law 13/2016",
        "Bahrain Law 30/2018",
        "UAE Federal Decree-Law 55/2023",
        "Saudi GCAM",
    ):
        assert law in gulf, law
