"""Reads of the guidelines library: search, the library page, and which guidelines govern a
question, a result or a campaign (``Guideline.objects.linked_to`` is the one matching rule).
Writes are in ``services.guidelines``."""

import unicodedata
from dataclasses import dataclass

from django.db.models import Prefetch
from django.urls import reverse

from . import selectors
from .models import (
    Campaign,
    Guideline,
    GuidelineAcknowledgement,
    GuidelineLink,
    GuidelineTopic,
    GuidelineVersion,
)

MAX_QUERY = 200
# Arabic letters written in several ways that a reader types as one.
_ARABIC_FOLDS = str.maketrans(
    {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ـ": None}
)


def fold(text: str) -> str:
    """``text`` for matching: case-folded, without accents, Arabic vowel marks or tatweel,
    and with the Arabic letter variants above made one."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().translate(_ARABIC_FOLDS).split())


def search_text_of(version: GuidelineVersion) -> str:
    return fold(" ".join([version.title_en, version.title_ar, version.body_en, version.body_ar]))


@dataclass(frozen=True)
class Entry:
    """A guideline as a list shows it: its current title in the reader's language (or the
    other one, ``fallback``), with the language it is written in for ``lang``."""

    pk: int
    title: str
    lang: str
    fallback: bool
    number: int
    url: str
    topic: str = ""


def entry(guideline: Guideline, language: str) -> Entry:
    version = guideline.current
    title, lang = version.title(language)
    return Entry(
        pk=guideline.pk,
        title=title,
        lang=lang,
        fallback=not (language or "en").startswith(lang),
        number=version.number,
        url=reverse("guideline_detail", args=[guideline.pk]),
        topic=guideline.topic.name(language),
    )


def _listed(queryset):
    return (
        queryset.published()
        .select_related("current", "topic")
        .defer("search_text", "current__body_en", "current__body_ar")
        .order_by("topic__name_en", "pk")
    )


def library(language: str, query: str = "") -> list[tuple[str, list[Entry]]]:
    """The library grouped by topic, filtered by ``query`` (every word must match)."""
    guidelines = _listed(Guideline.objects.all())
    for word in fold(query[:MAX_QUERY]).split():
        guidelines = guidelines.filter(search_text__contains=word)
    groups: dict[int, tuple[str, list[Entry]]] = {}
    for guideline in guidelines:
        name = guideline.topic.name(language)
        groups.setdefault(guideline.topic_id, (name, []))[1].append(entry(guideline, language))
    return sorted(groups.values(), key=lambda group: group[0].casefold())


def guideline_page(pk: int):
    """The guideline with its versions (newest first, without their bodies) and links."""
    return (
        Guideline.objects.published()
        .select_related("current", "current__author", "topic")
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=GuidelineVersion.objects.select_related("author")
                .defer("body_en", "body_ar")
                .order_by("-number"),
            ),
            "links",
        )
        .filter(pk=pk)
        .first()
    )


def topics():
    return GuidelineTopic.objects.all()


def by_question(codes, language: str) -> dict[str, list[Entry]]:
    """For the wizard: each question code's guidelines (linked by code)."""
    codes = list(codes)
    links = GuidelineLink.objects.filter(kind="question", code__in=codes).values_list(
        "code", "guideline_id"
    )
    per_code: dict[str, list[int]] = {}
    for code, guideline_id in links:
        per_code.setdefault(code, []).append(guideline_id)
    wanted = {pk for pks in per_code.values() for pk in pks}
    if not wanted:
        return {}
    found = {g.pk: entry(g, language) for g in _listed(Guideline.objects.filter(pk__in=wanted))}
    return {
        code: [found[pk] for pk in sorted(pks) if pk in found] for code, pks in per_code.items()
    }


def behind_result(definition, drivers, red_flags, language: str) -> list[Entry]:
    """For the result page: the guidelines behind the shown drivers and red flags, matched by
    their question codes and those questions' dimensions."""
    codes = {row["code"] for row in drivers} | {row["code"] for row in red_flags}
    dimensions = {definition.questions[c].dimension for c in codes if c in definition.questions}
    linked = Guideline.objects.linked_to(codes=codes, dimensions=dimensions - {None})
    return [entry(g, language) for g in _listed(linked)]


def visible_scope(campaign: Campaign) -> tuple[set[str], set[str]]:
    """The question codes visible in the campaign's assessment, and their dimensions."""
    result = selectors.campaign_result(campaign)
    questions = selectors.definition_of(campaign.assessment.questionnaire).questions
    codes = set(result.visible)
    dimensions = {questions[c].dimension for c in codes if c in questions} - {None}
    return codes, dimensions


def governing(campaign: Campaign):
    """The guidelines that apply to ``campaign``: linked to a question visible in its
    assessment, or to the dimension of one."""
    codes, dimensions = visible_scope(campaign)
    return Guideline.objects.linked_to(codes=codes, dimensions=dimensions)


def pending_acknowledgements(campaign: Campaign, person) -> list[GuidelineVersion]:
    """The current versions governing ``campaign`` that ``person`` has not acknowledged."""
    acknowledged = GuidelineAcknowledgement.objects.filter(person=person).values("version_id")
    return list(
        GuidelineVersion.objects.filter(pk__in=governing(campaign).values("current_id"))
        .exclude(pk__in=acknowledged)
        .order_by("guideline_id")
    )
