"""Small pieces of text written the same way on every page, in the active language: lists
(channels, markets, techniques, roles, answers) joined with "، " in Arabic and ", " in
English, and version numbers ("v2" in English)."""

from collections.abc import Iterable

from django.utils import translation
from django.utils.translation import gettext, pgettext


def join_list(items: Iterable, language: str | None = None) -> str:
    """``items`` as text, joined with the list separator of ``language`` (the active
    language when None)."""
    if language is None:
        separator = pgettext("list separator", ", ")
    else:
        with translation.override(language):
            separator = pgettext("list separator", ", ")
    return separator.join(str(item) for item in items)


def version_label(number) -> str:
    """A version number as the pages write it ("v2")."""
    return gettext("v%(number)s") % {"number": number}


def quoted(text) -> str:
    """``text`` in the quotation marks of the active language (“ ” in English, « » in
    Arabic, as in the questionnaire)."""
    return pgettext("quotation", "“%(text)s”") % {"text": text}
