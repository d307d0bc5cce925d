import pytest

from assessments.questionnaire import AnswerError, Definition, DefinitionError, visible_codes
from tests.questionnaire.sample import INTAKE, sample


def test_sample_parses_with_every_question_indexed():
    definition = Definition.from_data(sample())
    assert [s.code for s in definition.sections] == ["privacy", "fairness", "children"]
    assert len(definition.questions) == 10
    assert definition.questions["privacy.basis"].text.get("ar").startswith("ع ")


@pytest.mark.parametrize(
    "mutate,expected",
    [
        (lambda d: d["sections"][0]["questions"][0].update(type="essay"), "type must be one of"),
        (lambda d: d["sections"][0]["questions"][0].update(dimension="nope"), "dimension 'nope'"),
        (lambda d: d["sections"][0]["questions"][0].pop("reference"), "needs a reference"),
        (lambda d: d["sections"][0]["questions"][0]["text"].pop("ar"), "needs Arabic text"),
        (
            lambda d: d["sections"][0]["questions"][1].update(code="privacy.basis"),
            "duplicate question code",
        ),
        (
            lambda d: d["sections"][0]["questions"][0]["options"][0].update(weight=9),
            "weight must be an integer 0…5",
        ),
        (
            lambda d: d["sections"][0]["questions"][2]["options"][0].update(weight=4),
            "weight must be an integer 0…3",
        ),
        (
            lambda d: d["sections"][0]["questions"][2].update(
                condition={"answer": "fairness.tested", "any_of": ["yes"]}
            ),
            "not an earlier question",
        ),
        (
            lambda d: d["sections"][0]["questions"][2].update(
                condition={"answer": "privacy.special", "any_of": ["maybe"]}
            ),
            "has no option 'maybe'",
        ),
        (
            lambda d: d["sections"][0]["questions"][4].update(
                condition={"intake": "markets", "any_of": ["mars"]}
            ),
            "unknown values",
        ),
        (
            lambda d: d["sections"][0]["questions"][4].update(
                condition={"intake": "colour", "any_of": ["x"]}
            ),
            "unknown intake field",
        ),
        (
            lambda d: d["sections"][0]["questions"][1]["options"].pop(),
            "exactly the options yes and no",
        ),
    ],
)
def test_bad_definitions_are_refused_with_the_problem_named(mutate, expected):
    data = sample()
    mutate(data)
    with pytest.raises(DefinitionError) as exc:
        Definition.from_data(data)
    assert any(expected in p for p in exc.value.problems), exc.value.problems


def test_all_problems_are_reported_at_once():
    data = sample()
    data["sections"][0]["questions"][0].pop("reference")
    data["sections"][1]["questions"][0].update(dimension="nope")
    with pytest.raises(DefinitionError) as exc:
        Definition.from_data(data)
    assert len(exc.value.problems) >= 2


@pytest.mark.parametrize(
    "code,raw,expected",
    [
        ("privacy.basis", "consent", "consent"),
        ("privacy.basis", "", None),
        ("fairness.proxies", ["interests", "postcode"], ["postcode", "interests"]),
        ("fairness.proxies", [], None),
        ("fairness.reach", "12,500", 12500),
        ("fairness.reach", " 7.5 ", 7.5),
        ("fairness.notes", "  hi  ", "hi"),
        ("fairness.notes", "   ", None),
    ],
)
def test_answers_are_normalised(code, raw, expected):
    question = Definition.from_data(sample()).questions[code]
    assert question.normalise(raw) == expected


@pytest.mark.parametrize(
    "code,raw,message",
    [
        ("privacy.basis", "maybe", "not one of the choices"),
        ("fairness.proxies", ["none", "postcode"], "cannot be combined"),
        ("fairness.reach", "lots", "Enter a number"),
        ("fairness.reach", "-1", "Enter 0 or more"),
        ("fairness.reach", "NaN", "Enter a number"),
        ("fairness.notes", "x" * 101, "under 100 characters"),
    ],
)
def test_bad_answers_name_the_problem(code, raw, message):
    question = Definition.from_data(sample()).questions[code]
    with pytest.raises(AnswerError) as exc:
        question.normalise(raw)
    assert exc.value.code == code
    assert message in exc.value.message


def test_visibility_follows_intake_and_earlier_answers():
    definition = Definition.from_data(sample())
    base = visible_codes(definition, INTAKE, {})
    assert "privacy.explicit" not in base
    assert "privacy.gpc" not in base
    assert "children.profiling" not in base
    shown = visible_codes(
        definition,
        {**INTAKE, "markets": ["us_ca"], "reaches_minors": True},
        {"privacy.special": "yes"},
    )
    assert {"privacy.explicit", "privacy.gpc", "children.profiling"} <= set(shown)
