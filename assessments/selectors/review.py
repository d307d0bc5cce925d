"""Reads of a campaign's review: versions, assignments, votes, decisions, conditions,
comments and history, as the campaign page and the report show them."""

from functools import cached_property

from django.core.cache import cache
from django.db.models import F
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import audit, permissions
from ..models import (
    Assignment,
    Campaign,
    CampaignStatus,
    Comment,
    Condition,
    ConditionStatus,
    Decision,
    EventKind,
    User,
    Vote,
    VoteDecision,
)
from .assessment import version_diff
from .campaigns import FRAGMENT_SECONDS, has

# Versions are read without their content (a snapshot of every answer): the review shows
# their numbers, tiers and fingerprints.
VERSION_CONTENT = ("version__content",)


def clearance(campaign: Campaign, *, conditions=None) -> dict:
    """May the campaign go live? Only when approved (with every condition verified) and
    the approval has not lapsed. ``conditions``, when the caller has them already, saves
    reading them."""
    version = (
        (campaign.latest_version_id, campaign.latest_version_number)
        if campaign.latest_version_id is not None
        else None
    )
    # Only the conditions of the approval in force count: those of the current version,
    # while the outcome is "approved with conditions".
    open_conditions = []
    if (
        version is not None
        and version[0] is not None
        and (campaign.status == CampaignStatus.APPROVED_WITH_CONDITIONS)
    ):
        if conditions is None:
            conditions = campaign.conditions.filter(version_id=version[0]).order_by("pk")
        open_conditions = [
            {"id": c.pk, "text": c.text, "status": c.status}
            for c in conditions
            if c.version_id == version[0] and c.status != ConditionStatus.VERIFIED
        ]
    approved = campaign.status in (
        CampaignStatus.APPROVED,
        CampaignStatus.APPROVED_WITH_CONDITIONS,
    )
    not_lapsed = (
        campaign.approval_expires_at is None or campaign.approval_expires_at > timezone.now()
    )
    # A severe open incident suspends the clearance until the chair lifts it.
    suspended_by = campaign.clearance_suspended_by_id
    return {
        "cleared": approved and not open_conditions and not_lapsed and suspended_by is None,
        "suspended_by_incident": suspended_by,
        "reason": _("Clearance suspended by incident %(id)s until the chair lifts it.")
        % {"id": suspended_by}
        if suspended_by
        else "",
        "status": campaign.status,
        "tier": campaign.tier or None,
        "approved_version": version[1] if approved and version else None,
        "expires_at": campaign.approval_expires_at.isoformat()
        if campaign.approval_expires_at
        else None,
        "open_conditions": open_conditions,
    }


def timeline_rows(campaign: Campaign, language: str, *, events=None, people=None) -> list[dict]:
    """The campaign's history, oldest first, with the people's names looked up once
    (``events`` and ``people`` when the caller has read them already)."""
    if events is None:
        events = list(audit.timeline(campaign))
    if people is None:
        people = User.objects.in_bulk(_event_people(events))
    rows = []
    for event in events:
        payload = event.payload or {}
        actor = people.get(event.actor_id)
        reviewer = people.get(payload.get("reviewer"))
        rows.append(
            {
                "seq": event.seq,
                "kind": event.kind,
                "label": EventKind(event.kind).label,
                "at_iso": event.created_at.isoformat(),
                "at_text": timezone.localtime(event.created_at).strftime("%Y-%m-%d %H:%M"),
                "actor": actor.display_name if actor else "",
                "actor_id": event.actor_id,
                "system": event.actor_id is None,
                "version": payload.get("version"),
                "reviewer": reviewer.display_name if reviewer else "",
                "detail": _event_detail(payload),
                "hash": event.hash,
            }
        )
    return rows


def _event_people(events) -> set[int]:
    return {e.actor_id for e in events if e.actor_id} | {
        e.payload.get("reviewer") for e in events if isinstance(e.payload.get("reviewer"), int)
    }


_EVENT_DETAIL_LABELS = (
    ("outcome", dict(CampaignStatus.choices)),
    ("proposed", dict(CampaignStatus.choices)),
    ("vote", dict(VoteDecision.choices)),
)  # lazy labels: translated when written


def _event_detail(payload: dict) -> str:
    """A short, translated reading of an event's outcome or vote."""
    for key, labels in _EVENT_DETAIL_LABELS:
        if payload.get(key) in labels:
            return str(labels[payload[key]])
    return ""


class ReviewRows:
    """The review part of the campaign page (and of the report). Each list is one query,
    with the versions and people it names joined, run only when something shows it: the
    fragments the page caches (keyed on ``cache_key``) read nothing on a hit. Read by
    attribute (templates) or by key (views)."""

    def __init__(self, campaign: Campaign, user: User, language: str):
        self.campaign, self.user, self.language = campaign, user, language

    def __getitem__(self, name: str):
        return getattr(self, name)

    @cached_property
    def cache_key(self) -> str:
        """What the cached fragments depend on: the campaign and its last audit event
        (every service that changes it records one), the language, the time zone dates are
        shown in, and whether the reader is on the board (board-only comments)."""
        campaign = self.campaign
        board = int(permissions.is_board(self.user))
        zone = timezone.get_current_timezone_name()
        return f"{campaign.pk}.{campaign.last_event_seq}.{self.language}.{zone}.{board}"

    @cached_property
    def actions(self) -> frozenset[str]:
        return permissions.available_actions(self.campaign, self.user)

    @property
    def submitted(self) -> bool:
        return self.campaign.latest_version_id is not None

    @property
    def current_number(self) -> int | None:
        return self.campaign.latest_version_number

    @property
    def my_pending(self) -> int | None:
        """The user's pending assignment on the current version (its id)."""
        return self.campaign.viewer_pending_id

    @cached_property
    def versions(self) -> list:
        if not has(self.campaign, "versions"):
            return []
        return list(self.campaign.versions.defer("content").order_by("number"))

    @property
    def current_version(self):
        return self.versions[-1] if self.versions else None

    def _of_versions(self, model, *related: str):
        """The campaign's rows of ``model`` with their version and ``related`` people."""
        if not has(self.campaign, "versions"):
            return model.objects.none()
        return (
            model.objects.filter(campaign=self.campaign)
            .select_related("version", *related)
            .defer(*VERSION_CONTENT)
        )

    @cached_property
    def assignments(self) -> list:
        return list(self._of_versions(Assignment, "reviewer").order_by("version__number", "pk"))

    @property
    def current_assignments(self) -> list:
        current = self.campaign.latest_version_id
        return [a for a in self.assignments if a.version_id == current]

    @cached_property
    def votes(self) -> list:
        return list(self._of_versions(Vote, "reviewer").order_by("signed_at"))

    @cached_property
    def decisions(self) -> list:
        return list(self._of_versions(Decision, "decided_by").order_by("created_at"))

    @cached_property
    def conditions(self) -> list:
        if not has(self.campaign, "conditions"):
            return []
        # With their version's number (the report names it); kept under the campaign's
        # last audit event like the fragments (deciding, fulfilling and verifying each
        # record one). Read without the campaign attached, so only the rows are pickled.
        rows = cache.get_or_set(
            f"campaign-conditions:{self.cache_key}",
            lambda: list(
                Condition.objects.filter(campaign_id=self.campaign.pk)
                .annotate(version_number=F("version__number"))
                .order_by("pk")
            ),
            FRAGMENT_SECONDS,
        )
        for row in rows:  # the Verify button: never for whoever fulfilled it
            row.verifiable = (
                "verify_conditions" in self.actions
                and row.status == "fulfilled"
                and permissions.may_verify(self.user, row)
            )
        return rows

    @cached_property
    def comments(self) -> list:
        if not has(self.campaign, "comments"):
            return []
        return list(
            Comment.objects.visible_to(self.user)
            .filter(campaign=self.campaign)
            .select_related("author")
            .order_by("created_at")
        )

    @cached_property
    def timeline(self) -> list[dict]:
        return timeline_rows(self.campaign, self.language)

    @cached_property
    def clearance(self) -> dict:
        awaiting = self.campaign.status == CampaignStatus.APPROVED_WITH_CONDITIONS
        return clearance(self.campaign, conditions=self.conditions if awaiting else None)

    cache_seconds = FRAGMENT_SECONDS


def review_context(campaign: Campaign, user: User, language: str) -> ReviewRows:
    """Everything the review part of the campaign page shows, read when shown (a fixed
    number of queries whatever the data size). ``campaign`` comes from ``campaign_for``."""
    return ReviewRows(campaign, user, language)


def version_comparison(campaign: Campaign, number: int, user: User, language: str) -> dict:
    """What changed from version ``number - 1`` to ``number`` (Http404 unless both exist),
    and the comments ``user`` may read on the older one."""
    newer = get_object_or_404(campaign.versions, number=number)
    older = get_object_or_404(campaign.versions, number=number - 1)
    comments = (
        Comment.objects.visible_to(user)
        .filter(campaign=campaign, version=older)
        .select_related("author")
        .order_by("created_at")
    )
    return {"diff": version_diff(older, newer, language), "comments": list(comments)}
