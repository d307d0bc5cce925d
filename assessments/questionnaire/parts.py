"""The parts of a questionnaire definition: texts in both languages, questions with their
options, bands and red flags, sections and risk dimensions. A question checks and
normalises its own answers (``Question.normalise``); ``definition`` builds these parts
from data and checks how they fit together."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from ..cleaning import unstorable

QUESTION_TYPES = ("single", "multiple", "yesno", "scale", "text", "number")
CHOICE_TYPES = ("single", "multiple", "yesno", "scale")
MAX_RISK_WEIGHT = 5
MAX_MITIGATION_WEIGHT = 3
FLOOR_TIERS = ("II", "III", "IV")  # what an option's min_tier may say
# Numeric answers beyond this (either sign) are refused: they are typos or attacks, and a
# 10**100000 would cost seconds to convert and could not be written as JSON.
NUMBER_LIMIT = Decimal(10) ** 15


class AnswerError(ValueError):
    """An answer does not fit its question. ``code`` names the question."""

    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Text:
    en: str
    ar: str

    def get(self, language: str | None) -> str:
        if language and language.startswith("ar") and self.ar:
            return self.ar
        return self.en

    def __str__(self) -> str:
        return self.en


@dataclass(frozen=True)
class RedFlag:
    reason: Text
    remedy: Text
    condition: Any = None  # scoring 2: the flag applies only where this holds (e.g. markets)


@dataclass(frozen=True)
class Option:
    value: str
    label: Text
    weight: int
    red_flag: RedFlag | None = None
    exclusive: bool = False
    min_tier: str | None = None  # scoring 2: choosing this sets the lowest possible tier


@dataclass(frozen=True)
class Band:
    upto: Decimal | None
    weight: int


@dataclass(frozen=True)
class Question:
    code: str
    section: str
    type: str
    text: Text
    help: Text
    reference: Text  # the law's name may stay Latin; its explanation is translated
    dimension: str | None
    mitigation: bool = False
    required: bool = True
    condition: Any = None
    options: tuple[Option, ...] = ()
    bands: tuple[Band, ...] = ()
    min: Decimal | None = None
    max: Decimal | None = None
    unit: Text | None = None
    max_length: int = 2000
    # scoring 2: a risk follow-up hidden by an earlier answer ("not tested") counts at its
    # worst, so not looking never scores better than looking.
    unknown_if_hidden: bool = False
    # scoring 2: a follow-up safeguard that lowers this one risk question's weight instead of
    # crediting the whole dimension.
    mitigates: str | None = None

    @property
    def scores(self) -> bool:
        return self.type != "text" and self.dimension is not None

    def option(self, value: str) -> Option | None:
        return next((o for o in self.options if o.value == value), None)

    @property
    def max_weight(self) -> int:
        """The largest number of points (risk) or credit (mitigation) any answer gives."""
        if self.type == "number":
            return max((b.weight for b in self.bands), default=0)
        if self.type == "multiple":
            combinable = sum(o.weight for o in self.options if not o.exclusive)
            exclusive = max((o.weight for o in self.options if o.exclusive), default=0)
            return max(combinable, exclusive)
        if self.type == "text":
            return 0
        return max((o.weight for o in self.options), default=0)

    def weight_of(self, value: Any) -> int:
        """Points (risk) or credit (mitigation) of a *normalised* answer."""
        if self.type == "number":
            number = Decimal(str(value))
            for band in self.bands:
                if band.upto is None or number <= band.upto:
                    return band.weight
            return 0
        if self.type == "multiple":
            return sum(self.option(v).weight for v in value)
        if self.type == "text":
            return 0
        return self.option(value).weight

    def red_flags_of(self, value: Any) -> list[Option]:
        if self.type == "multiple":
            chosen = [self.option(v) for v in value]
        elif self.type in CHOICE_TYPES:
            chosen = [self.option(value)]
        else:
            chosen = []
        return [o for o in chosen if o is not None and o.red_flag is not None]

    def normalise(self, raw: Any) -> Any:
        """The stored form of an answer, or None for "not answered".

        Raises ``AnswerError`` with a message naming what is wrong.
        """
        if raw is None:
            return None
        if self.type == "multiple":
            if not isinstance(raw, str | list | tuple):
                raise AnswerError(self.code, _("Choose from the list."))
            values = [raw] if isinstance(raw, str) else list(raw)
            values = [str(v) for v in values if str(v) != ""]
            if not values:
                return None
            unknown = [v for v in values if self.option(v) is None]
            if unknown:
                raise AnswerError(
                    self.code, _("“%(value)s” is not one of the choices.") % {"value": unknown[0]}
                )
            ordered = [o.value for o in self.options if o.value in set(values)]
            if len(ordered) > 1 and any(self.option(v).exclusive for v in ordered):
                raise AnswerError(
                    self.code, _("“None of these” cannot be combined with other choices.")
                )
            return ordered
        if self.type in CHOICE_TYPES:
            value = str(raw)
            if value == "":
                return None
            if self.option(value) is None:
                raise AnswerError(
                    self.code, _("“%(value)s” is not one of the choices.") % {"value": value}
                )
            return value
        if self.type == "text":
            if not isinstance(raw, str):
                raise AnswerError(self.code, _("Enter text."))
            value = raw.strip()
            if unstorable(value):
                raise AnswerError(
                    self.code, _("Remove the null or invalid characters from this text.")
                )
            if len(value) > self.max_length:
                raise AnswerError(
                    self.code,
                    _("Keep this under %(max)s characters (it has %(length)s).")
                    % {"max": self.max_length, "length": len(value)},
                )
            return value or None
        # number
        if isinstance(raw, bool):
            raise AnswerError(self.code, _("Enter a number."))
        text = str(raw).strip().replace(",", "")
        if text == "":
            return None
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise AnswerError(self.code, _("Enter a number.")) from None
        if not number.is_finite():
            raise AnswerError(self.code, _("Enter a number."))
        if abs(number) > NUMBER_LIMIT:
            raise AnswerError(self.code, _("Enter a number between -10¹⁵ and 10¹⁵."))
        if self.min is not None and number < self.min:
            raise AnswerError(self.code, _("Enter %(min)s or more.") % {"min": self.min})
        if self.max is not None and number > self.max:
            raise AnswerError(self.code, _("Enter %(max)s or less.") % {"max": self.max})
        return int(number) if number == number.to_integral_value() else float(number)


@dataclass(frozen=True)
class Section:
    code: str
    title: Text
    intro: Text | None
    condition: Any
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Dimension:
    code: str
    title: Text
