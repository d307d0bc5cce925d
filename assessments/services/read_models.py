"""The read models a service brings up to date in its own transaction: the dashboard counts
(``dashboard_counts.refresh``) and the conditions' "waits for verification" flag
(``condition_verification.sync``).

A service calls ``read_models_refresh`` explicitly, after its last change and inside its
``transaction.atomic()`` block, for every campaign whose counted rows it changed (the campaign,
its versions, assignments, votes, decisions, feedback and conditions). The refresh then commits
or rolls back with the change, so the counts always equal a full ``rebuild``.
"""

from django.db import transaction

from .. import condition_verification, dashboard_counts, fragments
from ..models import Campaign


def read_models_refresh(*campaigns: Campaign | int) -> None:
    """Bring the dashboard counts and the conditions' flag up to date for ``campaigns``
    (rows or ids). Must run inside the service's transaction, after its changes."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("read_models_refresh() must run inside the service's transaction.")
    ids = sorted({c if isinstance(c, int) else c.pk for c in campaigns})
    dashboard_counts.refresh(ids)
    condition_verification.sync(ids)


def cached_lists_refresh() -> None:
    """For a change that moves no dashboard count but shows in a cached fragment (accepting
    an assignment leaves the reviewer's "to accept" list; triage leaves the chair's; training,
    the register, incidents, people and teams show in the dashboard's sections): the
    fragments are rebuilt once the transaction commits."""
    fragments.bump()
