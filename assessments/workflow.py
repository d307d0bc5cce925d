"""The campaign workflow: states, the one table of allowed transitions, the voting rule.

Services call ``transition()`` to learn the next state or get a ``WorkflowError`` that
views turn into a message. Nothing else decides whether a state change is allowed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .errors import ServiceError
from .models import CampaignStatus as S
from .models import VoteDecision as V


class WorkflowError(ServiceError):
    """A transition that is not allowed from the current state. Nothing changed."""


# action -> (states it may start from, state it leads to; None = decided by the service)
TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    "submit": (frozenset({S.DRAFT, S.CHANGES_REQUESTED, S.REREVIEW_REQUESTED}), S.SUBMITTED),
    "start_review": (frozenset({S.SUBMITTED}), S.IN_REVIEW),
    "decide": (
        frozenset({S.IN_REVIEW}),
        None,  # approved / approved with conditions / changes requested / rejected / awaiting
    ),
    "confirm": (frozenset({S.AWAITING_CONFIRMATION}), None),
    "overrule": (
        frozenset(
            {
                S.IN_REVIEW,
                S.AWAITING_CONFIRMATION,
                S.CHANGES_REQUESTED,
                S.APPROVED,
                S.APPROVED_WITH_CONDITIONS,
                S.REJECTED,
            }
        ),
        None,
    ),
    "withdraw": (
        frozenset(
            {
                S.DRAFT,
                S.SUBMITTED,
                S.IN_REVIEW,
                S.AWAITING_CONFIRMATION,
                S.CHANGES_REQUESTED,
                S.REREVIEW_REQUESTED,
            }
        ),
        S.WITHDRAWN,
    ),
    "expire": (frozenset({S.APPROVED, S.APPROVED_WITH_CONDITIONS}), S.EXPIRED),
    "request_rereview": (
        frozenset({S.APPROVED, S.APPROVED_WITH_CONDITIONS, S.EXPIRED}),
        S.REREVIEW_REQUESTED,
    ),
}

# Outcomes a decision can have, and the states they lead to.
OUTCOMES = {
    V.APPROVE: S.APPROVED,
    V.APPROVE_WITH_CONDITIONS: S.APPROVED_WITH_CONDITIONS,
    V.REQUEST_CHANGES: S.CHANGES_REQUESTED,
    V.REJECT: S.REJECTED,
}
# Default routing per tier (administrators override them as RoutingRule rows):
# tier -> (reviewers, specialist among them, chair confirms, due in working days, valid months)
DEFAULT_ROUTES = {
    "I": (1, False, False, 3, 12),
    "II": (2, False, False, 5, 12),
    "III": (3, True, False, 10, 6),
    "IV": (4, True, True, 15, 3),
}
APPROVED_STATES = frozenset({S.APPROVED, S.APPROVED_WITH_CONDITIONS})
EDITABLE_STATES = frozenset({S.DRAFT, S.CHANGES_REQUESTED, S.REREVIEW_REQUESTED})
OPEN_REVIEW_STATES = frozenset({S.SUBMITTED, S.IN_REVIEW, S.AWAITING_CONFIRMATION})

ACTION_LABELS = {
    "submit": gettext_lazy("submit"),
    "start_review": gettext_lazy("start the review"),
    "decide": gettext_lazy("decide"),
    "confirm": gettext_lazy("confirm the outcome"),
    "overrule": gettext_lazy("overrule"),
    "withdraw": gettext_lazy("withdraw"),
    "expire": gettext_lazy("expire the approval"),
    "request_rereview": gettext_lazy("request a re-review"),
}


def allowed(action: str, status: str) -> bool:
    sources, _target = TRANSITIONS[action]
    return status in sources


def transition(action: str, status: str, target: str | None = None) -> str:
    """The state ``action`` leads to from ``status`` (``target`` for actions whose result
    the service decides), or ``WorkflowError``."""
    if action not in TRANSITIONS:
        raise WorkflowError(_("Unknown action."))
    sources, fixed = TRANSITIONS[action]
    if status not in sources:
        raise WorkflowError(
            _("You cannot %(action)s a campaign that is “%(status)s”.")
            % {"action": ACTION_LABELS[action], "status": S(status).label}
        )
    result = fixed or target
    if result is None:
        raise WorkflowError(_("This action needs an outcome."))
    return result


def outcome_of(decisions: Iterable[str]) -> str:
    """The voting rule: any reject → rejected; else any request for changes → changes
    requested; else any conditions → approved with conditions; else approved."""
    decisions = set(decisions)
    if not decisions:
        raise ValueError("no votes")
    for vote in (V.REJECT, V.REQUEST_CHANGES, V.APPROVE_WITH_CONDITIONS):
        if vote in decisions:
            return OUTCOMES[vote]
    return S.APPROVED


def add_working_days(start: datetime, days: int) -> datetime:
    """``start`` plus ``days`` working days (Monday to Friday)."""
    current = start
    added = 0
    while added < days:
        current += timedelta(days=1)
        if current.weekday() < 5:
            added += 1
    return current


def add_months(start: datetime, months: int) -> datetime:
    month = start.month - 1 + months
    year = start.year + month // 12
    month = month % 12 + 1
    day = min(start.day, _days_in_month(year, month))
    return start.replace(year=year, month=month, day=day)


def _days_in_month(year: int, month: int) -> int:
    following = date(year + (month == 12), month % 12 + 1, 1)
    return (following - timedelta(days=1)).day
