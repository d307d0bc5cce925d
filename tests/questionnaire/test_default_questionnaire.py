"""The shipped "AI marketing impact assessment" meets the bar the product promises."""

from collections import Counter
from pathlib import Path

import pytest
import yaml

from assessments import intake
from assessments.questionnaire import Definition, score
from assessments.questionnaire.definition import INTAKE_FIELDS

PATH = (
    Path(__file__).resolve().parents[2]
    / "assessments"
    / "questionnaires"
    / "ai-marketing-impact.yaml"
)


@pytest.fixture(scope="module")
def definition():
    return Definition.from_data(yaml.safe_load(PATH.read_text(encoding="utf-8")))


def test_intake_vocabulary_matches_what_conditions_may_test():
    for name, choices in intake.LIST_FIELDS.items():
        assert tuple(v for v, _label in choices) == INTAKE_FIELDS[name]
    for name in intake.BOOL_FIELDS:
        assert INTAKE_FIELDS[name] is None


def test_size_and_dimensions(definition):
    questions = definition.question_list
    assert definition.slug == "ai-marketing-impact"
    assert len(questions) >= 45
    assert [d.code for d in definition.dimensions] == [
        "privacy",
        "fairness",
        "transparency",
        "oversight",
        "authenticity",
        "manipulation",
        "channel",
    ]
    per_dimension = Counter(q.dimension for q in questions if q.scores)
    assert all(per_dimension[d.code] >= 4 for d in definition.dimensions), per_dimension


def test_every_question_is_bilingual_and_cites_its_reference(definition):
    for question in definition.question_list:
        assert question.reference, question.code
        assert question.text.en and question.text.ar, question.code
        assert question.help.en and question.help.ar, question.code
        for option in question.options:
            assert option.label.en and option.label.ar, (question.code, option.value)


def test_mitigations_and_red_flags(definition):
    questions = definition.question_list
    assert sum(q.mitigation for q in questions) >= 15
    flags = [(q.code, o) for q in questions for o in q.options if o.red_flag]
    assert len(flags) >= 8
    for code, option in flags:
        assert option.red_flag.reason.en and option.red_flag.reason.ar, code
        assert option.red_flag.remedy.en and option.red_flag.remedy.ar, code


def test_every_question_type_is_used(definition):
    assert {q.type for q in definition.question_list} == {
        "single",
        "multiple",
        "yesno",
        "scale",
        "text",
        "number",
    }


def test_conditions_follow_the_intake(definition):
    base = {name: [] for name in intake.LIST_FIELDS} | {
        "reaches_minors": False,
        "reaches_vulnerable": False,
    }
    narrow = score(definition, {**base, "markets": ["gulf"]}, {}).visible
    wide = score(
        definition,
        {
            **base,
            "markets": ["eu", "us_ca"],
            "reaches_minors": True,
            "reaches_vulnerable": True,
            "data_categories": ["special_category", "children"],
            "data_sources": ["purchased", "scraped"],
            "ai_techniques": [v for v, _l in intake.AI_TECHNIQUES],
            "channels": [v for v, _l in intake.CHANNELS],
        },
        {},
    ).visible
    assert set(narrow) < set(wide)
    assert len(wide) - len(narrow) >= 8


def test_every_dimension_always_has_something_at_stake(definition):
    base = {name: [] for name in intake.LIST_FIELDS} | {
        "reaches_minors": False,
        "reaches_vulnerable": False,
    }
    result = score(definition, base, {})
    assert all(d.raw_max > 0 for d in result.dimensions.values())
