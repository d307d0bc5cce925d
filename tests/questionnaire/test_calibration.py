"""The calibration suite: campaigns from the public enforcement record, each scored against
the questionnaire version it names, must land on the tier the regulator's outcome implies.

Each file in calibration/ is an export (questionnaire, version, intake, answers) plus a
``calibration`` block citing its source. A case may only change together with the
questionnaire or the scoring, never by editing its expected tier alone. The README's table
is this suite's table (``calibration_table``)."""

import json
from functools import cache
from pathlib import Path

import pytest
import yaml

from assessments.questionnaire import Definition, score
from assessments.questionnaire.carry import carry_answers
from assessments.questionnaire.definition import INTAKE_FIELDS, intake_problems

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
FOLDER = ROOT / "assessments" / "questionnaires"
CASES = sorted((HERE / "calibration").glob("*.json"))
# The versions as load_questionnaires numbers them on a fresh database: v1 first.
VERSIONS = {1: "ai-marketing-impact-v1.yaml", 2: "ai-marketing-impact.yaml"}


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


@cache
def definition(version):
    text = (FOLDER / VERSIONS[version]).read_text(encoding="utf-8")
    return Definition.from_data(yaml.safe_load(text))


def scored(case):
    intake = {name: case["intake"].get(name) for name in INTAKE_FIELDS}
    return score(definition(case["version"]), intake, case["answers"], suggest=False)


def calibration_table() -> str:
    rows = [
        "| # | Campaign | Source | Regulator's outcome implies | v2 tier | Decided by |",
        "|---|---|---|---|---|---|",
    ]
    for path in CASES:
        case = load(path)
        meta = case["calibration"]
        result = scored(case)
        top = result.reasons[0] if result.reasons else None
        by = f"{top.kind.replace('_', ' ')}: {top.code}" if top else "score"
        rows.append(
            f"| {path.stem[:2]} | {meta['case']} | {meta['source']} | {meta['expected_tier']} "
            f"| {result.tier} | {by} |"
        )
    return "\n".join(rows)


def test_the_suite_is_large_and_drawn_from_the_named_authorities():
    assert len(CASES) >= 30
    authorities = " ".join(load(p)["calibration"]["authority"] for p in CASES)
    for name in ("CNIL", "ICO", "EDPB", "FTC", "CPPA", "ASA", "SDAIA", "AI Act"):
        assert name in authorities, name
    tiers = {load(p)["calibration"]["expected_tier"] for p in CASES}
    assert {"I", "II", "III", "prohibited"} <= tiers  # not only red flags


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_each_case_scores_the_tier_its_source_implies(path):
    case = load(path)
    meta = case["calibration"]
    assert meta["source"] and meta["outcome"] and meta["case"]
    assert case["questionnaire"] == "ai-marketing-impact"
    version = definition(case["version"])
    # every answer is one the questionnaire can take: a typo must not pass as "unanswered"
    assert version.answer_problems(case["answers"]) == []
    assert intake_problems(case["intake"]) == []
    result = scored(case)
    assert result.complete, result.missing
    assert result.tier == meta["expected_tier"], [r.as_dict() for r in result.reasons]


def test_the_readme_shows_this_table():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert calibration_table() in readme


def version_1_summary() -> str:
    """How version 1 scores the same campaigns (answers carried as a move carries them)."""
    matched = unlawful = unlawful_at_i = 0
    for path in CASES:
        case = load(path)
        intake = {name: case["intake"].get(name) for name in INTAKE_FIELDS}
        carried, _dropped = carry_answers(definition(1), case["answers"])
        tier = score(definition(1), intake, carried, suggest=False).tier
        expected = case["calibration"]["expected_tier"]
        matched += tier == expected
        unlawful += expected == "prohibited"
        unlawful_at_i += expected == "prohibited" and tier == "I"
    return (
        f"Version 1 scores {matched} of the {len(CASES)} cases as their sources imply; "
        f"{unlawful_at_i} of the {unlawful} unlawful campaigns come out at tier I."
    )


def test_the_readme_states_what_version_1_said():
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert version_1_summary() in readme
