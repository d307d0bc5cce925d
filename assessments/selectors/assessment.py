"""Reads of questionnaires and of a campaign's assessment: the current questionnaire
version, scores (remembered per process by their inputs), the sections and the result
panel as pages show them."""

import functools
import re
from dataclasses import dataclass
from decimal import Decimal

from django.template.defaultfilters import floatformat
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from ..canonical import Named, canonical_sha256
from ..listing import TIER_LABELS
from ..models import Campaign, Questionnaire
from ..questionnaire import Definition, score, visible_codes
from ..questionnaire.carry import carry_answers
from ..wording import join_list

DEFAULT_QUESTIONNAIRE = "ai-marketing-impact"


def current_questionnaire(slug: str = DEFAULT_QUESTIONNAIRE) -> Questionnaire | None:
    """The newest version of the questionnaire, without its definition (``definition_of``
    parses it once per process, by checksum)."""
    return Questionnaire.objects.filter(slug=slug).defer("definition").order_by("-version").first()


def newer_questionnaire(campaign: Campaign) -> Questionnaire | None:
    """The newest version of the campaign's questionnaire, when it is newer than the
    version the assessment is on (one query)."""
    current = campaign.assessment.questionnaire
    newest = current_questionnaire(current.slug)
    return newest if newest is not None and newest.version > current.version else None


def result_under(campaign: Campaign, questionnaire: Questionnaire, language: str) -> dict:
    """Read-only: what the campaign's answers would score under another version, carried
    as a move would carry them (so the board knows which approvals to revisit)."""
    definition = definition_of(questionnaire)
    carried, dropped = carry_answers(definition, campaign.assessment.answers)
    result = score(definition, campaign.intake(), carried, suggest=False)
    return {
        "questionnaire": questionnaire,
        "dropped": dropped,
        **result_view(result, definition, carried, language, drivers=5, suggestions=0),
    }


@functools.lru_cache(maxsize=512)
def _score(inputs: Named):
    return score(*inputs.inputs)


def campaign_result(campaign: Campaign):
    """The live score of the campaign's assessment. Scoring is a pure function of the
    questionnaire version, the intake and the answers, so results are remembered under
    the SHA-256 of exactly those inputs: a changed answer is another key."""
    assessment = campaign.assessment
    intake = campaign.intake()
    key = canonical_sha256(
        {"q": assessment.questionnaire.checksum, "i": intake, "a": assessment.answers}
    )
    definition = definition_of(assessment.questionnaire)
    return _score(Named(key, definition, intake, assessment.answers))


@functools.lru_cache(maxsize=64)
def _definition(version: Named) -> Definition:
    (questionnaire,) = version.inputs
    return Definition.from_data(questionnaire.definition)  # may be a deferred field


def definition_of(questionnaire: Questionnaire) -> Definition:
    """The parsed definition. A version's content never changes (its checksum names it),
    so it is parsed once."""
    return _definition(Named(questionnaire.checksum, questionnaire))


def display_answer(question, value, language: str) -> str:
    if value is None or value == [] or value == "":
        return ""
    if question.type in ("single", "yesno", "scale"):
        option = question.option(value)
        return option.label.get(language) if option else str(value)
    if question.type == "multiple":
        return join_list(
            (question.option(v).label.get(language) for v in value if question.option(v)),
            language,
        )
    if question.type == "number":
        shown = _grouped(value)
        return f"{shown} {question.unit.get(language)}" if question.unit else shown
    return str(value)


def _grouped(value) -> str:
    """A number as people read it: 250,000 (the language's separators, see
    ethicsreview/formats)."""
    if isinstance(value, str) and _PLAIN_NUMBER.fullmatch(value):
        value = Decimal(value)
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return str(value)
    return number_format(value, force_grouping=True)


_PLAIN_NUMBER = re.compile(r"-?\d{1,30}(\.\d{1,30})?")


@dataclass
class SectionView:
    code: str
    title: str
    intro: str
    questions: list  # of QuestionView
    required: int
    answered_required: int

    @property
    def done(self) -> bool:
        return self.answered_required == self.required


@dataclass
class QuestionView:
    question: object
    code: str
    text: str
    help: str
    value: object
    display: str
    required: bool
    options: list  # (value, label)
    unit: str = ""
    current: object = None  # what the form shows: the typed value after an error
    error: str = ""


def assessment_sections(
    definition, intake: dict, answers: dict, language: str
) -> list[SectionView]:
    """The visible sections and questions, in order, with answers for display."""
    visible = set(visible_codes(definition, intake, answers))
    sections = []
    for section in definition.sections:
        questions = []
        for question in section.questions:
            if question.code not in visible:
                continue
            value = answers.get(question.code)
            questions.append(
                QuestionView(
                    question=question,
                    code=question.code,
                    text=question.text.get(language),
                    help=question.help.get(language),
                    value=value,
                    display=display_answer(question, value, language),
                    required=question.required,
                    options=[(o.value, o.label.get(language)) for o in question.options],
                    unit=question.unit.get(language) if question.unit else "",
                    current=value,
                )
            )
        if questions:
            required = [q for q in questions if q.required]
            sections.append(
                SectionView(
                    code=section.code,
                    title=section.title.get(language),
                    intro=section.intro.get(language) if section.intro else "",
                    questions=questions,
                    required=len(required),
                    answered_required=sum(1 for q in required if q.value not in (None, "", [])),
                )
            )
    return sections


def result_view(
    result, definition, answers: dict, language: str, *, drivers: int = 8, suggestions: int = 6
) -> dict:
    """Everything the result panel shows, with texts in ``language``."""
    dimension_rows = [
        {
            "code": d.code,
            "title": d.title.get(language),
            "score": result.dimensions[d.code],
            "pct": float(result.dimensions[d.code].residual_pct),
            "pct_text": floatformat(float(result.dimensions[d.code].residual_pct), 1),
        }
        for d in definition.dimensions
    ]
    risk = sorted(
        (c for c in result.contributions if c.kind == "risk" and c.points > 0),
        key=lambda c: (-c.points, c.code),
    )
    driver_rows = []
    for contribution in risk[:drivers]:
        question = definition.questions[contribution.code]
        driver_rows.append(
            {
                "code": contribution.code,
                "text": question.text.get(language),
                "display": display_answer(question, answers.get(contribution.code), language)
                if not contribution.unanswered
                else "",
                "points": contribution.points,
                "max_points": contribution.max_points,
            }
        )
    suggestion_rows = []
    for suggestion in result.suggestions[:suggestions]:
        question = suggestion.question
        best = (
            suggestion.best_value.split(",")
            if question.type == "multiple"
            else suggestion.best_value
        )
        suggestion_rows.append(
            {
                "code": suggestion.code,
                "text": question.text.get(language),
                "best": display_answer(question, best, language),
                "tier_after": suggestion.tier_after,
                "tier_label": TIER_LABELS.get(suggestion.tier_after, suggestion.tier_after),
                "pct_after": float(suggestion.overall_pct_after),
                "pct_after_text": floatformat(float(suggestion.overall_pct_after), 1),
            }
        )
    flags = [
        {
            "code": hit.code,
            "text": hit.question.text.get(language),
            "answer": display_answer(hit.question, hit.value, language),
            "reason": hit.reason.get(language),
            "remedy": hit.remedy.get(language),
        }
        for hit in result.red_flags
    ]
    titles = {d.code: d.title.get(language) for d in definition.dimensions}
    reasons = [
        _reason_text(reason, titles, definition, language)
        for reason in result.reasons
        if reason.kind != "red_flag"
    ]
    # Percentages as the floatformat filter writes them (localized), once here.
    return {
        "reasons": reasons,
        "result": result,
        "overall_pct_text": floatformat(result.overall_pct, 1),
        "dimension_rows": dimension_rows,
        "drivers": driver_rows,
        "suggestions": suggestion_rows,
        "red_flags": flags,
        "more_suggestions": max(0, len(result.suggestions) - suggestions),
    }


def _reason_text(reason, titles: dict, definition, language: str) -> str:
    """One reason for a scoring 2 tier, as a sentence."""
    label = TIER_LABELS.get(reason.tier, reason.tier)
    if reason.kind == "band":
        return _("%(dimension)s is in band %(tier)s.") % {
            "dimension": titles.get(reason.code, reason.code),
            "tier": label,
        }
    if reason.kind == "breadth":
        return _("Three or more dimensions are high or very high: %(tier)s.") % {"tier": label}
    question = definition.questions[reason.code]
    return _("The answer to “%(question)s” sets at least %(tier)s.") % {
        "question": question.text.get(language),
        "tier": label,
    }


def version_diff(older, newer, language: str) -> dict:
    """What changed between two submitted versions: intake fields, answers (with the
    question text), and the score before and after."""
    definition = definition_of(newer.questionnaire)
    old, new = older.content, newer.content
    intake_changes = [
        {"field": name, "before": old["intake"].get(name), "after": new["intake"].get(name)}
        for name in sorted(set(old["intake"]) | set(new["intake"]))
        if old["intake"].get(name) != new["intake"].get(name)
    ]
    answer_changes = []
    for code in sorted(set(old["answers"]) | set(new["answers"])):
        before, after = old["answers"].get(code), new["answers"].get(code)
        if before == after:
            continue
        question = definition.questions.get(code)
        answer_changes.append(
            {
                "code": code,
                "text": question.text.get(language) if question else code,
                "before": display_answer(question, before, language) if question else before,
                "after": display_answer(question, after, language) if question else after,
            }
        )
    return {
        "older": older,
        "newer": newer,
        "intake": intake_changes,
        "answers": answer_changes,
        "score_before": old["score"],
        "score_after": new["score"],
    }


CONSULTATION_QUESTION = "oversight.stakeholders"


def consultation_record(campaign: Campaign, definition, language: str) -> str:
    """Who was consulted before submission, from the assessment's answer."""
    question = definition.questions.get(CONSULTATION_QUESTION)
    if question is None:
        return ""
    return display_answer(question, campaign.assessment.answers.get(question.code), language)
