"""What the generator plans for a campaign before it writes it: its versions, reviews,
assignments and votes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from assessments.models import CampaignStatus as S
from assessments.models import (
    Team,
)

from .people import _Person
from .pool import _Entry


class _VoteStub:
    """A cast vote, as far as this module (and ``decision_reasons``) reads it."""

    __slots__ = ("id", "reviewer", "decision", "reasons", "conditions")

    def __init__(self, id, reviewer, decision, reasons, conditions):
        self.id = id
        self.reviewer = reviewer
        self.decision = decision
        self.reasons = reasons
        self.conditions = conditions


@dataclass(slots=True)
class _AssignmentPlan:
    """One reviewer asked to review a version; times are offsets from its submission."""

    reviewer: _Person
    kind: str  # "chair" (assigned by a chair), "carried" (voted on the last version), "replacement"
    created: timedelta
    assigned_by: _Person | None = None
    recuse_at: timedelta | None = None
    accept_at: timedelta | None = None
    vote_at: timedelta | None = None
    vote: str = ""
    replaces: int | None = None


@dataclass(slots=True)
class _ReviewPlan:
    rule: object
    assignments: list[_AssignmentPlan]
    staffed_at: timedelta | None  # when the panel is complete and the review starts
    decide_at: timedelta  # just after the last vote
    confirm_at: timedelta | None  # the chair's confirmation (tiers that need it)

    @property
    def end(self) -> timedelta:
        return self.confirm_at or self.decide_at

    @property
    def voters(self) -> list[_Person]:
        return [a.reviewer for a in self.assignments if a.recuse_at is None]


@dataclass(slots=True)
class _Plan:
    """A campaign's drafting and its versions' reviews, planned before it is placed in time."""

    entries: list[_Entry]
    draft: list[tuple[timedelta, list[str], str]]  # answer saves: offset, codes, section
    first_span: timedelta  # creation -> first submission
    reviews: list[_ReviewPlan]
    reworks: list[tuple[timedelta, timedelta]]  # decision -> revised answers -> resubmission

    @property
    def lead(self) -> timedelta:
        """Creation -> submission of the last version."""
        span = self.first_span
        for review, (rework, resubmit) in zip(self.reviews, self.reworks, strict=False):
            span += review.end + rework + resubmit
        return span


@dataclass(slots=True)
class _Version:
    id: int
    number: int
    entry: _Entry
    fingerprint: str
    tier: str
    created_at: datetime
    votes: list[_VoteStub] = field(default_factory=list)
    decision_id: int | None = None  # the decision applied, which its conditions carry


class _C:
    """One campaign being generated: the fields of its row, filled in as its history runs."""

    __slots__ = (
        "id",
        "team",
        "owner",
        "profile",
        "entry",
        "name",
        "objective",
        "description",
        "audiences",
        "flight_start",
        "flight_end",
        "export_json",
        "status",
        "tier",
        "submitted_at",
        "first_submitted_at",
        "review_due_at",
        "decided_at",
        "approval_expires_at",
        "rereview_flagged_at",
        "created_at",
        "updated_at",
        "answers_at",
        "last_section",
        "versions",
        "notice_at",
        "latest",
    )

    def __init__(self, team: Team, owner: _Person):
        self.id = 0
        self.team = team
        self.owner = owner
        self.status = S.DRAFT
        self.tier = ""
        self.submitted_at = self.first_submitted_at = self.review_due_at = None
        self.decided_at = self.approval_expires_at = self.rereview_flagged_at = None
        self.updated_at = self.notice_at = None
        self.last_section = ""
        self.versions: list[_Version] = []

    def touch(self, moment: datetime) -> None:
        if self.updated_at is None or moment > self.updated_at:
            self.updated_at = moment
