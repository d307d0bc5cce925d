"""Bilingual questionnaire texts in the page's language."""

from django import template
from django.utils import translation

register = template.Library()


@register.simple_tag
def localised(text) -> str:
    """A definition's {en, ar} text (``Text``) in the current language; anything else as is."""
    getter = getattr(text, "get", None)
    return getter(translation.get_language()) if callable(getter) else str(text)
