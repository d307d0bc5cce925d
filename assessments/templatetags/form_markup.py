"""``{{ form|crispy_static }}``: ``{{ form|crispy }}`` for forms whose empty markup is
the same on every page.

The campaign page shows up to six empty forms (vote, respond, confirm, overrule, comment,
feedback); rendering each through crispy's and Django's widget templates costs more than
the page's queries. An unbound form's markup depends only on its fields (labels, help
texts, choices, widgets) and the language, so it is rendered once per distinct form and
kept; a bound form (one with the user's input and errors) is always rendered afresh.
"""

import functools

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form
from django import forms, template
from django.utils.translation import get_language

from ..canonical import Named

register = template.Library()


def _key(form) -> tuple | None:
    """What the empty form's markup depends on, or None when it may depend on more
    (model choices are read from the database, so those forms are never kept)."""
    parts = [type(form), form.prefix, form.auto_id, get_language()]
    for name, field in form.fields.items():
        if isinstance(field, forms.ModelChoiceField) or callable(field.initial):
            return None
        choices = getattr(field, "choices", ())
        parts.append(
            (
                name,
                type(field),
                type(field.widget),
                str(field.label),
                str(field.help_text),
                field.required,
                field.disabled,
                repr(field.initial),
                repr(form.initial.get(name)),
                tuple((str(value), str(label)) for value, label in choices),
                tuple(sorted((k, str(v)) for k, v in field.widget.attrs.items())),
            )
        )
    return tuple(parts)


@register.filter
def crispy_static(form):
    if form.is_bound:
        return as_crispy_form(form)
    key = _key(form)
    if key is None:
        return as_crispy_form(form)
    return _render(Named(key, form))


@functools.lru_cache(maxsize=512)  # distinct empty forms (per class, language and choices)
def _render(form: Named) -> str:
    return as_crispy_form(*form.inputs)
