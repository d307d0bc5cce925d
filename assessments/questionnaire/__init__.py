"""Questionnaire definitions and scoring: pure Python over plain data, no database.

``definition`` parses and validates a definition (from YAML/JSON data), ``conditions``
decides which questions are visible, ``scoring`` turns definition + intake + answers into
an explained result.
"""

from .definition import AnswerError, Definition, DefinitionError, Question
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
