"""Campaign search: the normalised text a campaign is found by, and the filter for ``?q=``.

Each campaign keeps ``search_text``: its name, description, team and owner (name and
e-mail), normalised as ``normalise`` says. The query is normalised the same way, so the
comparison is a plain substring test. On PostgreSQL a GIN trigram index on the column
(migration 0024) answers it; other databases scan the column. The services that change
one of the parts rewrite the column (``services.search_text``).
"""

import unicodedata

from django.db.models import Q

MAX_TERMS = 10  # words of a query that count; the form already limits it to 100 characters

# Unicode categories removed: combining marks (accents, Arabic harakat, hamza above and
# below once decomposed), format characters (bidi controls, zero-width joiners), controls
# (NUL), surrogates and private use.
_DROPPED_CATEGORIES = frozenset({"Mn", "Me", "Cf", "Cc", "Cs", "Co"})
# Arabic letters written interchangeably in search queries (as Lucene's ArabicNormalizer
# folds them): alef wasla to alef, alef maksura to yeh, teh marbuta to heh; tatweel goes.
_ARABIC_FOLDS = str.maketrans({"\u0671": "\u0627", "\u0649": "\u064a", "\u0629": "\u0647"})
_TATWEEL = "\u0640"
_ASCII_CONTROLS = dict.fromkeys(c for c in [*range(0x20), 0x7F] if not chr(c).isspace())


def normalise(text: str) -> str:
    """``text`` without accents, diacritics, invisible characters and case, its
    compatibility forms unfolded (NFKD) and its whitespace collapsed: "Résumé" and
    "RESUME" both become "resume", "مُنْتَج" becomes "منتج"."""
    if text.isascii():  # the common case, without per-character work
        return " ".join(text.translate(_ASCII_CONTROLS).lower().split())
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = "".join(
        ch
        for ch in decomposed
        if ch.isspace() or (ch != _TATWEEL and unicodedata.category(ch) not in _DROPPED_CATEGORIES)
    )
    return " ".join(kept.translate(_ARABIC_FOLDS).split())


def document(*, name: str, description: str, team_name: str, owner_name: str, owner_email: str):
    """The ``search_text`` of a campaign with these parts. Parts are joined by a space,
    which a query term never holds, so no term matches across two parts."""
    parts = (name, team_name, owner_name, owner_email, description)
    return " ".join(normalise(part) for part in parts if part)


def document_of(campaign) -> str:
    """``document`` of a campaign instance (reads its team and owner)."""
    return document(
        name=campaign.name,
        description=campaign.description,
        team_name=campaign.team.name,
        owner_name=campaign.owner.display_name,
        owner_email=campaign.owner.email,
    )


def terms(query: str) -> list[str]:
    """The normalised words of a query (at most ``MAX_TERMS``)."""
    return normalise(query).split()[:MAX_TERMS]


def matching(query: str) -> Q:
    """Campaigns whose ``search_text`` holds every word of ``query``. ``contains`` escapes
    ``%``, ``_`` and ``\\`` (they match themselves) and is a case-sensitive ``LIKE`` on
    PostgreSQL, which the trigram index serves; both sides are already case-folded."""
    condition = Q()
    for term in terms(query):
        condition &= Q(search_text__contains=term)
    return condition
