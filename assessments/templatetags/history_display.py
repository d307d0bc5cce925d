"""``{{ rows|grouped_history:full }}``: the campaign history's entries as the page shows them."""

from django import template

from .. import history

register = template.Library()


@register.filter
def grouped_history(rows, full=False):
    """The history's entries for the page (the latest open) or, ``full``, all open."""
    return history.history(rows, latest=None if full else history.LATEST_ENTRIES)
