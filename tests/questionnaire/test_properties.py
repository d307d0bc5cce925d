"""Properties of the scoring, checked by hypothesis on the sample and the shipped definition."""

from pathlib import Path

import pytest
import yaml
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from assessments.questionnaire import Definition, score
from assessments.questionnaire.definition import INTAKE_FIELDS
from assessments.questionnaire.scoring import tier_rank
from tests.questionnaire.sample import sample

SHIPPED = Path(__file__).resolve().parents[2] / "assessments" / "questionnaires"


def definitions():
    found = [("sample", Definition.from_data(sample()))]
    for path in sorted(SHIPPED.glob("*.yaml")):
        found.append((path.stem, Definition.from_data(yaml.safe_load(path.read_text("utf-8")))))
    return found


DEFINITIONS = definitions()


def intakes():
    fields = {}
    for name, values in INTAKE_FIELDS.items():
        if values is None:
            fields[name] = st.booleans()
        else:
            fields[name] = st.lists(st.sampled_from(values), unique=True)
    return st.fixed_dictionaries(fields)


def answer_for(question):
    if question.type == "multiple":
        plain = [o.value for o in question.options if not o.exclusive]
        exclusive = [[o.value] for o in question.options if o.exclusive]
        choices = (
            st.lists(st.sampled_from(plain), unique=True, min_size=1) if plain else st.nothing()
        )
        return choices | st.sampled_from(exclusive) if exclusive else choices
    if question.type in ("single", "yesno", "scale"):
        return st.sampled_from([o.value for o in question.options])
    if question.type == "number":
        low = int(question.min) if question.min is not None else 0
        high = int(question.max) if question.max is not None else 10**9
        return st.integers(min_value=low, max_value=high)
    return st.text(max_size=20)


def answers_for(definition):
    return st.fixed_dictionaries(
        {}, optional={q.code: answer_for(q) for q in definition.question_list}
    )


def choice_questions(definition, *, mitigation):
    return [
        q
        for q in definition.question_list
        if q.scores and q.mitigation is mitigation and q.type in ("single", "yesno", "scale")
    ]


def assert_not_lower(after, before):
    assert after.overall_pct >= before.overall_pct
    for code, dim in after.dimensions.items():
        assert dim.residual_pct >= before.dimensions[code].residual_pct, code
    assert tier_rank(after.tier) >= tier_rank(before.tier)


# No example database: the parametrised definitions would replay each other's examples.
PROFILE = settings(max_examples=80, deadline=None, database=None)


@pytest.mark.parametrize("name,definition", DEFINITIONS, ids=[n for n, _ in DEFINITIONS])
@PROFILE
@given(data=st.data())
def test_a_riskier_answer_never_lowers_the_score(name, definition, data):
    intake = data.draw(intakes())
    answers = data.draw(answers_for(definition))
    question = data.draw(st.sampled_from(choice_questions(definition, mitigation=False)))
    low, high = sorted(
        data.draw(st.lists(st.sampled_from(question.options), min_size=2, max_size=2)),
        key=lambda o: o.weight,
    )
    before = score(definition, intake, {**answers, question.code: low.value}, suggest=False)
    after = score(definition, intake, {**answers, question.code: high.value}, suggest=False)
    # The property is about the answer, not about a change of scope: when the other answer
    # shows or hides follow-up questions, the visible set differs and so does the maximum.
    assume(before.visible == after.visible)
    assert_not_lower(after, before)


@pytest.mark.parametrize("name,definition", DEFINITIONS, ids=[n for n, _ in DEFINITIONS])
@PROFILE
@given(data=st.data())
def test_adding_a_mitigation_never_raises_the_score(name, definition, data):
    intake = data.draw(intakes())
    answers = data.draw(answers_for(definition))
    question = data.draw(st.sampled_from(choice_questions(definition, mitigation=True)))
    weak, strong = sorted(
        data.draw(st.lists(st.sampled_from(question.options), min_size=2, max_size=2)),
        key=lambda o: o.weight,
    )
    without = {k: v for k, v in answers.items() if k != question.code}
    weaker = score(definition, intake, {**without, question.code: weak.value}, suggest=False)
    stronger = score(definition, intake, {**without, question.code: strong.value}, suggest=False)
    unanswered = score(definition, intake, without, suggest=False)
    assume(weaker.visible == stronger.visible == unanswered.visible)
    assert_not_lower(weaker, stronger)
    assert_not_lower(unanswered, weaker)


@pytest.mark.parametrize("name,definition", DEFINITIONS, ids=[n for n, _ in DEFINITIONS])
@PROFILE
@given(data=st.data())
def test_hidden_questions_never_change_the_result(name, definition, data):
    intake = data.draw(intakes())
    answers = data.draw(answers_for(definition))
    replacements = data.draw(answers_for(definition))  # drawn up front, whatever is hidden
    result = score(definition, intake, answers)
    hidden = [q.code for q in definition.question_list if q.code not in set(result.visible)]
    assume(hidden)
    changed = {code: value for code, value in answers.items() if code not in hidden}
    changed.update({code: replacements[code] for code in hidden if code in replacements})
    other = score(definition, intake, changed)
    assert other.visible == result.visible
    assert other.as_dict() == result.as_dict()
    assert [(s.code, s.tier_after) for s in other.suggestions] == [
        (s.code, s.tier_after) for s in result.suggestions
    ]
