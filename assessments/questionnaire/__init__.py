"""Questionnaire definitions and scoring: pure Python over plain data, no database.

``parts`` are a definition's sections, questions and dimensions (a question checks its own
answers); ``definition`` parses and validates a definition (from YAML/JSON data);
``visibility`` decides which questions are visible; ``scoring`` turns definition + intake +
answers into an explained result.
"""

from .definition import Definition, DefinitionError
from .parts import AnswerError, Question
from .scoring import TIERS, Result, score
from .visibility import visible_codes

__all__ = [
    "TIERS",
    "AnswerError",
    "Definition",
    "DefinitionError",
    "Question",
    "Result",
    "score",
    "visible_codes",
]
