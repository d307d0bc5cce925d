from django import template
from django.utils.html import format_html

from .. import wording

register = template.Library()


@register.filter
def join_list(items) -> str:
    """``{{ roles|join_list }}``: the items joined with the active language's separator
    (escaped by the template like any value)."""
    return wording.join_list(items or [])


@register.filter
def version_label(number) -> str:
    """``{{ v.number|version_label }}``: "v2", or its Arabic."""
    return wording.version_label(number)


@register.filter
def quoted(text) -> str:
    """``{{ v.meaning|quoted }}``: the text in the active language's quotation marks."""
    return wording.quoted(text)


@register.filter
def ltr(value) -> str:
    """``{{ n|ltr }}``: a number or date kept left-to-right inside Arabic text (escaped)."""
    return format_html('<bdi class="ltr-value" dir="ltr">{}</bdi>', value)
