"""Carrying answers from one questionnaire version to another (pure)."""

from __future__ import annotations

from .definition import Definition
from .parts import AnswerError


def carry_answers(definition: Definition, answers: dict) -> tuple[dict, list[str]]:
    """The answers ``definition`` can take as they are (same code, a value among its
    choices), and the codes of those it cannot, sorted."""
    carried, dropped = {}, []
    for code, raw in answers.items():
        question = definition.questions.get(code)
        try:
            value = question.normalise(raw) if question is not None else None
        except AnswerError:
            value = None
        if value is None:
            dropped.append(code)
        else:
            carried[code] = value
    return carried, sorted(dropped)
