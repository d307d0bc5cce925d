"""``{{ text|markdown }}``: board-written Markdown as sanitised HTML (``assessments.rich_text``)."""

from django import template

from .. import rich_text

register = template.Library()


@register.filter(name="markdown")
def markdown(text: str):
    return rich_text.render(text)
