"""The campaign workflow: states, the one table of allowed transitions, the voting rule.

Services call ``transition()`` to learn the next state or get a ``WorkflowError`` that
views turn into a message. Nothing else decides whether a state change is allowed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import NamedTuple

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .errors import ServiceError
from .models import CampaignStatus as S
from .models import VoteDecision as V


class WorkflowError(ServiceError):
    """A transition that is not allowed from the current state. Nothing changed."""


class Transition(NamedTuple):
    sources: frozenset[str]  # the states the action may start from
    targets: frozenset[str]  # the states it may lead to (the service picks one when several)


# Outcomes a decision can have, and the states they lead to.
OUTCOMES = {
    V.APPROVE: S.APPROVED,
    V.APPROVE_WITH_CONDITIONS: S.APPROVED_WITH_CONDITIONS,
    V.REQUEST_CHANGES: S.CHANGES_REQUESTED,
    V.REJECT: S.REJECTED,
}
# What the votes, the chair's confirmation or an overrule may set.
DECISION_OUTCOMES = frozenset(OUTCOMES.values())

TRANSITIONS: dict[str, Transition] = {
    "submit": Transition(
        frozenset({S.DRAFT, S.CHANGES_REQUESTED, S.REREVIEW_REQUESTED}), frozenset({S.SUBMITTED})
    ),
    "start_review": Transition(frozenset({S.SUBMITTED}), frozenset({S.IN_REVIEW})),
    # The votes decide, or propose an outcome the chair confirms (tiers with chair_confirms).
    "decide": Transition(frozenset({S.IN_REVIEW}), DECISION_OUTCOMES | {S.AWAITING_CONFIRMATION}),
    "confirm": Transition(frozenset({S.AWAITING_CONFIRMATION}), DECISION_OUTCOMES),
    "overrule": Transition(
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
        DECISION_OUTCOMES,
    ),
    "withdraw": Transition(
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
        frozenset({S.WITHDRAWN}),
    ),
    "expire": Transition(
        frozenset({S.APPROVED, S.APPROVED_WITH_CONDITIONS}), frozenset({S.EXPIRED})
    ),
    "request_rereview": Transition(
        frozenset({S.APPROVED, S.APPROVED_WITH_CONDITIONS, S.EXPIRED}),
        frozenset({S.REREVIEW_REQUESTED}),
    ),
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
    return status in TRANSITIONS[action].sources


def require(action: str, status: str) -> None:
    """``WorkflowError`` unless ``action`` may start from ``status``."""
    if action not in TRANSITIONS:
        raise WorkflowError(_("Unknown action."))
    if status not in TRANSITIONS[action].sources:
        raise WorkflowError(
            _("You cannot %(action)s a campaign that is “%(status)s”.")
            % {"action": ACTION_LABELS[action], "status": S(status).label}
        )


def transition(action: str, status: str, target: str | None = None) -> str:
    """The state ``action`` leads to from ``status``: its only target, or ``target`` (which
    must be one of the action's targets) for actions with several; else ``WorkflowError``."""
    require(action, status)
    targets = TRANSITIONS[action].targets
    if target is None:
        if len(targets) != 1:
            raise WorkflowError(_("This action needs an outcome."))
        (target,) = targets
    if target not in targets:
        raise WorkflowError(_("This action cannot lead to that state."))
    return target


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
    """``start`` plus ``days`` working days of the board's calendar (weekend, public
    holidays and closure days skipped; ``assessments.working_calendar``)."""
    from . import working_calendar

    return working_calendar.add_working_days(start, days)


def add_months(start: datetime, months: int) -> datetime:
    month = start.month - 1 + months
    year = start.year + month // 12
    month = month % 12 + 1
    day = min(start.day, _days_in_month(year, month))
    return start.replace(year=year, month=month, day=day)


def _days_in_month(year: int, month: int) -> int:
    following = date(year + (month == 12), month % 12 + 1, 1)
    return (following - timedelta(days=1)).day
