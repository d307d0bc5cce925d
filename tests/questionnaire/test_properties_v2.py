"""Properties of scoring 2 (hypothesis), over changes that DO change which questions are
visible: safeguards and honest disclosure never raise the score, clean scope never lowers
it, hidden answers never count (test_properties.py checks that for every definition), red
flags always win and floors always hold."""

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from assessments.questionnaire import Definition, score
from assessments.questionnaire.definition import INTAKE_FIELDS
from assessments.questionnaire.scoring import tier_rank
from assessments.questionnaire.visibility import evaluate
from tests.questionnaire.clean import clean_answers
from tests.questionnaire.sample import sample_v2
from tests.questionnaire.test_properties import answers_for, assert_not_lower, intakes

SHIPPED = Path(__file__).resolve().parents[2] / "assessments" / "questionnaires"


def definitions():
    found = [("sample_v2", Definition.from_data(sample_v2()))]
    for path in sorted(SHIPPED.glob("*.yaml")):
        definition = Definition.from_data(yaml.safe_load(path.read_text("utf-8")))
        if definition.scoring >= 2:
            found.append((path.stem, definition))
    return found


DEFINITIONS = definitions()
IDS = [name for name, _ in DEFINITIONS]
PROFILE = settings(max_examples=120, deadline=None, database=None)


def draw_answers(data, definition, intake, keep=()):
    """Random answers, or (half the time) a clean campaign with a few random answers: the
    interesting failures hide near clean campaigns, where one change shows."""
    answers = data.draw(answers_for(definition))
    if data.draw(st.booleans()):
        return answers
    codes = sorted(answers)
    chosen = set(data.draw(st.lists(st.sampled_from(codes), max_size=5))) if codes else set()
    chosen |= {code for code in keep if code in answers}
    return clean_answers(definition, intake, {c: answers[c] for c in chosen})


def follow_ups(definition, code):
    """Questions an answer to ``code`` shows, and the safeguards of those."""
    shown = {
        q.code
        for q in definition.question_list
        if isinstance(q.condition, dict) and q.condition.get("answer") == code
    }
    return sorted(shown | {q.code for q in definition.question_list if q.mitigates in shown})


def test_the_shipped_default_is_scored_with_scoring_2():
    assert "ai-marketing-impact" in IDS


def safeguards(definition):
    return [
        q
        for q in definition.question_list
        if q.scores and q.mitigation and q.type in ("single", "yesno", "scale")
    ]


def weaker_first(options):
    # equal credit: the one with a red flag (none on safeguards in scoring 2) is weaker
    return sorted(options, key=lambda o: (o.weight, o.red_flag is None))


@pytest.mark.parametrize("name,definition", DEFINITIONS, ids=IDS)
@PROFILE
@given(data=st.data())
def test_a_stronger_safeguard_never_scores_worse_even_when_it_reveals_questions(
    name, definition, data
):
    """Honesty pays: testing, disclosing or documenting never scores worse than not doing
    so, whatever the follow-up questions it reveals are answered."""
    intake = data.draw(intakes())
    question = data.draw(st.sampled_from(safeguards(definition)))
    answers = draw_answers(data, definition, intake, keep=follow_ups(definition, question.code))
    weak, strong = weaker_first(
        data.draw(st.lists(st.sampled_from(question.options), min_size=2, max_size=2))
    )
    without = {k: v for k, v in answers.items() if k != question.code}
    weaker = score(definition, intake, {**without, question.code: weak.value}, suggest=False)
    stronger = score(definition, intake, {**without, question.code: strong.value}, suggest=False)
    unanswered = score(definition, intake, without, suggest=False)
    assert_not_lower(weaker, stronger)
    assert_not_lower(unanswered, weaker)


def gates(definition):
    """Safeguards whose answer shows or hides other questions (e.g. "was bias tested?")."""
    tested = {
        str(q.condition.get("answer"))
        for q in definition.question_list
        if isinstance(q.condition, dict) and "answer" in q.condition
    }
    return [q for q in safeguards(definition) if q.code in tested]


GATED = [(name, d) for name, d in DEFINITIONS if gates(d)]


def test_the_shipped_bias_test_is_a_gate():
    shipped = dict(DEFINITIONS)["ai-marketing-impact"]
    assert "fairness.bias_tested" in {q.code for q in gates(shipped)}
    assert shipped.questions["fairness.bias_findings"].unknown_if_hidden


@pytest.mark.parametrize("name,definition", GATED, ids=[n for n, _ in GATED])
@PROFILE
@given(data=st.data())
def test_honest_disclosure_never_scores_worse(name, definition, data):
    """The same property, aimed at the safeguards that reveal follow-up questions."""
    intake = data.draw(intakes())
    question = data.draw(st.sampled_from(gates(definition)))
    answers = draw_answers(data, definition, intake, keep=follow_ups(definition, question.code))
    weak, strong = weaker_first(
        data.draw(st.lists(st.sampled_from(question.options), min_size=2, max_size=2))
    )
    weaker = score(definition, intake, {**answers, question.code: weak.value}, suggest=False)
    stronger = score(definition, intake, {**answers, question.code: strong.value}, suggest=False)
    assert_not_lower(weaker, stronger)


def wider(intake, extra):
    out = dict(intake)
    for name, values in INTAKE_FIELDS.items():
        if values is None:
            out[name] = bool(intake[name] or extra[name])
        else:
            out[name] = sorted(set(intake[name]) | set(extra[name]))
    return out


@pytest.mark.parametrize("name,definition", DEFINITIONS, ids=IDS)
@PROFILE
@given(data=st.data())
def test_more_scope_never_lowers_the_score(name, definition, data):
    """No dilution: declaring more channels, markets, techniques, data or audiences (with
    any answers to the questions that become visible) never lowers the score or tier."""
    intake = data.draw(intakes())
    extra = data.draw(intakes())
    answers = draw_answers(data, definition, intake)
    answers = {**data.draw(answers_for(definition)), **answers}  # the wider scope's too
    narrow = score(definition, intake, answers, suggest=False)
    wide = score(definition, wider(intake, extra), answers, suggest=False)
    assert set(narrow.visible) <= set(wide.visible)
    assert_not_lower(wide, narrow)


@pytest.mark.parametrize("name,definition", DEFINITIONS, ids=IDS)
@PROFILE
@given(data=st.data())
def test_a_red_flag_always_wins(name, definition, data):
    intake = data.draw(intakes())
    answers = data.draw(answers_for(definition))
    flagged = [
        (q, o)
        for q in definition.question_list
        if q.type in ("single", "yesno", "scale")
        for o in q.options
        if o.red_flag
    ]
    question, option = data.draw(st.sampled_from(flagged))
    result = score(definition, intake, {**answers, question.code: option.value}, suggest=False)
    seen = {c: answers[c] for c in result.visible if c in answers}
    applies = question.code in result.visible and evaluate(option.red_flag.condition, intake, seen)
    if applies:
        assert result.tier == "prohibited"
        assert question.code in {h.code for h in result.red_flags}
    assert (result.tier == "prohibited") is bool(result.red_flags)


@pytest.mark.parametrize("name,definition", DEFINITIONS, ids=IDS)
@PROFILE
@given(data=st.data())
def test_floors_always_hold(name, definition, data):
    intake = data.draw(intakes())
    answers = data.draw(answers_for(definition))
    result = score(definition, intake, answers, suggest=False)
    for reason in result.reasons:
        if reason.kind != "red_flag":
            assert tier_rank(result.score_tier) >= tier_rank(reason.tier), reason
    for code in result.visible:
        question = definition.questions[code]
        value = answers.get(code)
        if question.mitigation or question.type not in ("single", "yesno", "scale"):
            continue
        option = question.option(str(value)) if value is not None else None
        if option is not None and option.min_tier:
            assert tier_rank(result.score_tier) >= tier_rank(option.min_tier)
        if option is not None and option.weight == 5:
            assert tier_rank(result.score_tier) >= tier_rank("III")
