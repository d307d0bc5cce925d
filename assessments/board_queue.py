"""The review queue: a board member's and the chair's work lists, read in one statement.

Every list is the most urgent ``QUEUE_LIMIT`` items (one more is read to know whether
there are more): a queryset ordered and limited on its own index. The lists the user
sees are one ``UNION ALL`` of them (one round trip); each part keeps its order and limit
in an ``id IN (...)`` subquery, which every database accepts inside a compound
statement. Every part returns the same columns::

    q_list, q_id, q_campaign, q_name, q_moment, q_number, q_text1, q_text2, q_text3

``q_moment`` is the timestamp the list is ordered by, ``q_number`` a version number;
the three texts hold what the list shows (see ``_parts``).
"""

from datetime import UTC, datetime

from django.db.models import CharField, F, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.text import Truncator

from . import permissions, workflow
from .listing import TIER_LABELS, campaign_url_prefix
from .models import (
    Assignment,
    AssignmentStatus,
    Campaign,
    CampaignStatus,
    Condition,
    Feedback,
    FeedbackCategory,
    FeedbackSeverity,
    FeedbackSource,
    TriageStatus,
    User,
    reporting_condition_text,
)

QUEUE_LIMIT = 10  # per list, most urgent first; "more" links to the filtered campaign list
FLAGGED_FEEDBACK_SHOWN = 3  # the newest open feedback items under each flagged campaign
COLUMNS = (
    "q_list",
    "q_id",
    "q_campaign",
    "q_name",
    "q_moment",
    "q_number",
    "q_text1",
    "q_text2",
    "q_text3",
)
_MINE = ("to_accept", "to_vote")
_CHAIR = ("recusals", "to_route", "to_confirm", "flagged", "flagged_feedback")
_BOARD = ("to_triage", "to_verify")
NAMES = (*_MINE, *_CHAIR, *_BOARD)


def _text(value: str = "") -> Value:
    return Value(value, output_field=CharField())


def _part(queryset, order: tuple[str, ...], limit: int | None, **columns):
    """``queryset``'s first ``limit`` rows in ``order`` as one part of the UNION, with
    ``columns`` (expressions) named as ``COLUMNS``."""
    model = queryset.model
    chosen = queryset.order_by(*order).values("pk")
    rows = model.objects.filter(pk__in=chosen[:limit] if limit else chosen).order_by()
    defaults = {
        "q_number": Cast(Value(None), IntegerField()),
        "q_text1": _text(),
        "q_text2": _text(),
        "q_text3": _text(),
    }
    annotations = {**defaults, **columns}
    return rows.annotate(**{name: annotations[name] for name in COLUMNS[1:]}).values(*COLUMNS[1:])


def _parts(user_id: int, limit: int) -> dict:
    """name -> (the part's queryset without its list number, how it is ordered: the
    moment newest first?, ties by id descending?)."""
    open_states = list(workflow.OPEN_REVIEW_STATES)
    due = (F("campaign__review_due_at").asc(nulls_last=True), "pk")
    mine = Assignment.objects.open().filter(reviewer_id=user_id)
    assignment = {
        "q_id": F("pk"),
        "q_campaign": F("campaign_id"),
        "q_name": F("campaign__name"),
        "q_moment": F("campaign__review_due_at"),
        "q_number": F("version__number"),
    }
    campaign = {
        "q_id": F("pk"),
        "q_campaign": F("pk"),
        "q_name": F("name"),
        "q_text1": F("team__name"),
        "q_text2": F("tier"),
    }
    by_due = (F("review_due_at").asc(nulls_last=True), "pk")
    flagged = Campaign.objects.filter(rereview_flagged_at__isnull=False)
    flagged_order = ("-rereview_flagged_at", "pk")
    new_feedback = Feedback.objects.filter(status=TriageStatus.NEW)
    newest_of_campaign = new_feedback.filter(campaign=OuterRef("campaign")).order_by(
        "-created_at", "-pk"
    )
    return {
        # Assignments of the user's waiting for acceptance, then for the vote.
        "to_accept": (
            _part(mine.filter(status=AssignmentStatus.PENDING), due, limit, **assignment),
            (False, False),
        ),
        "to_vote": (
            _part(
                mine.filter(
                    status=AssignmentStatus.ACCEPTED, campaign__status=CampaignStatus.IN_REVIEW
                ),
                due,
                limit,
                **assignment,
            ),
            (False, False),
        ),
        # Chair: recusals in open reviews, newest first; text1/2 the reviewer, text3 why.
        "recusals": (
            _part(
                Assignment.objects.filter(
                    status=AssignmentStatus.RECUSED, campaign__status__in=open_states
                ),
                ("-responded_at", "pk"),
                limit,
                q_id=F("pk"),
                q_campaign=F("campaign_id"),
                q_name=F("campaign__name"),
                q_moment=F("responded_at"),
                q_text1=F("reviewer__display_name"),
                q_text2=F("reviewer__email"),
                q_text3=F("recusal_reason"),
            ),
            (True, False),
        ),
        # Chair: submissions to route and decisions to confirm, by due date; text1 the
        # team, text2 the tier.
        "to_route": (
            _part(
                Campaign.objects.filter(status=CampaignStatus.SUBMITTED),
                by_due,
                limit,
                q_moment=F("review_due_at"),
                **campaign,
            ),
            (False, False),
        ),
        "to_confirm": (
            _part(
                Campaign.objects.filter(status=CampaignStatus.AWAITING_CONFIRMATION),
                by_due,
                limit,
                q_moment=F("review_due_at"),
                **campaign,
            ),
            (False, False),
        ),
        # Chair: campaigns flagged for re-review by feedback, most recently flagged first.
        "flagged": (
            _part(flagged, flagged_order, limit, q_moment=F("rereview_flagged_at"), **campaign),
            (True, False),
        ),
        # Chair: the newest open feedback of the flagged campaigns listed, a few each;
        # text1 severity, text2 category, text3 the text.
        "flagged_feedback": (
            _part(
                new_feedback.filter(
                    campaign__in=flagged.order_by(*flagged_order).values("pk")[: limit - 1],
                    pk__in=Subquery(newest_of_campaign.values("pk")[:FLAGGED_FEEDBACK_SHOWN]),
                ),
                ("-created_at", "-pk"),
                None,
                q_id=F("pk"),
                q_campaign=F("campaign_id"),
                q_name=_text(),
                q_moment=F("created_at"),
                q_text1=F("severity"),
                q_text2=F("category"),
                q_text3=F("text"),
            ),
            (True, True),
        ),
        # Board: new feedback, newest first; text1 source, text2 severity, text3 the text.
        "to_triage": (
            _part(
                new_feedback,
                ("-created_at", "-pk"),
                limit,
                q_id=F("pk"),
                q_campaign=F("campaign_id"),
                q_name=F("campaign__name"),
                q_moment=F("created_at"),
                q_text1=F("source"),
                q_text2=F("severity"),
                q_text3=F("text"),
            ),
            (True, True),
        ),
        # Board: fulfilled conditions waiting for verification, oldest first.
        "to_verify": (
            _part(
                Condition.objects.filter(awaiting_verification=True),
                ("fulfilled_at", "pk"),
                limit,
                q_id=F("pk"),
                q_campaign=F("campaign_id"),
                q_name=F("campaign__name"),
                q_moment=F("fulfilled_at"),
                q_number=F("report_every_days"),  # a reporting cadence, shown translated
                q_text3=F("text"),
            ),
            (False, False),
        ),
    }


def _moment(value) -> datetime | None:
    """A timestamp as the database gives it through a UNION: aware from PostgreSQL;
    naive or text in UTC from SQLite."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = value.replace(tzinfo=UTC)
    return value


# How each list is ordered (its moment newest first? ties by id descending?), as _parts.
_ORDER = {
    "to_accept": (False, False),
    "to_vote": (False, False),
    "recusals": (True, False),
    "to_route": (False, False),
    "to_confirm": (False, False),
    "flagged": (True, False),
    "flagged_feedback": (True, True),
    "to_triage": (True, True),
    "to_verify": (False, False),
}


def _read(user: User, names: tuple[str, ...]) -> dict[str, list[tuple]]:
    """The rows of these lists, in one statement (a ``UNION ALL`` of their querysets), each
    list in its order."""
    parts = _parts(user.pk, QUEUE_LIMIT + 1)
    querysets = [
        parts[name][0].annotate(q_list=Value(index)).values(*COLUMNS)
        for index, name in enumerate(names)
    ]
    rows = querysets[0].union(*querysets[1:], all=True).order_by().values_list(*COLUMNS)
    lists: dict[str, list[tuple]] = {name: [] for name in names}
    for which, pk, campaign_id, name, moment, number, text1, text2, text3 in rows:
        lists[names[which]].append(
            (pk, campaign_id, name, _moment(moment), number, text1, text2, text3)
        )
    for name, rows in lists.items():
        newest, id_desc = _ORDER[name]

        # A UNION promises no order: each list sorted again as its part ordered it (rows
        # without a moment last).
        def key(row, newest=newest, id_desc=id_desc):
            moment = row[3].timestamp() if row[3] is not None else 0.0
            return (row[3] is None, -moment if newest else moment, -row[0] if id_desc else row[0])

        rows.sort(key=key)
    return lists


def _due(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d") if moment else ""


def review_queue_for(user: User) -> dict:
    """The reviewer's and the chair's work lists, each the most urgent QUEUE_LIMIT items
    (with a flag when there are more), in one query. Items are plain rows with what the
    queue shows: links, names, due days, translated labels, clipped texts."""
    chair, board = permissions.is_chair(user), permissions.is_board(user)
    names = (*_MINE, *(_CHAIR if chair else ()), *(_BOARD if board else ()))
    lists = _read(user, names)
    detail = campaign_url_prefix()

    def url(pk: int, anchor: str) -> str:
        return f"{detail}{pk}/{anchor}"

    def head(name: str) -> tuple[list[tuple], bool]:
        rows = lists[name]
        return rows[:QUEUE_LIMIT], len(rows) > QUEUE_LIMIT

    def assignment_rows(name: str) -> list[dict]:
        return [
            {"url": url(r[1], "#review"), "name": r[2], "version": r[4], "due": _due(r[3])}
            for r in head(name)[0]
        ]

    queue = {
        "to_accept": assignment_rows("to_accept"),
        "to_vote": assignment_rows("to_vote"),
        "more_mine": head("to_accept")[1] or head("to_vote")[1],
        "chair": None,
    }
    severities = {key: str(label) for key, label in FeedbackSeverity.choices}
    if chair:
        tiers = {key: str(label) for key, label in TIER_LABELS.items()}
        categories = {key: str(label) for key, label in FeedbackCategory.choices}

        def campaign_rows(name: str, anchor: str) -> list[dict]:
            return [
                {
                    "pk": r[0],
                    "url": url(r[0], anchor),
                    "name": r[2],
                    "team": r[5],
                    "tier": r[6],
                    "tier_label": tiers.get(r[6], r[6]),
                }
                for r in head(name)[0]
            ]

        open_feedback: dict[int, list[dict]] = {}
        for r in lists["flagged_feedback"]:
            open_feedback.setdefault(r[1], []).append(
                {
                    "severity": severities.get(r[5], r[5]),
                    "category": categories.get(r[6], r[6]),
                    "text": Truncator(r[7]).chars(140),
                }
            )
        flagged = campaign_rows("flagged", "#feedback")
        for campaign in flagged:
            campaign["open_feedback"] = open_feedback.get(campaign["pk"], [])
        recusals, more_recusals = head("recusals")
        queue["chair"] = {
            "to_route": campaign_rows("to_route", "#review"),
            "more_to_route": head("to_route")[1],
            "to_confirm": campaign_rows("to_confirm", "#review"),
            "more_to_confirm": head("to_confirm")[1],
            "flagged": flagged,
            "more_flagged": head("flagged")[1],
            "recusals": [
                {
                    "url": url(r[1], "#review"),
                    "name": r[2],
                    "reviewer": r[5] or r[6],  # the display name, else the e-mail
                    "reason": r[7],
                }
                for r in recusals
            ],
            "more_recusals": more_recusals,
        }
    if board:
        sources = {key: str(label) for key, label in FeedbackSource.choices}
        triage, queue["more_to_triage"] = head("to_triage")
        queue["to_triage"] = [
            {
                "url": url(r[1], "#feedback"),
                "name": r[2],
                "source": sources.get(r[5], r[5]),
                "severity": severities.get(r[6], r[6]),
                "text": Truncator(r[7]).chars(120),
            }
            for r in triage
        ]
        verify, queue["more_to_verify"] = head("to_verify")
        queue["to_verify"] = [
            {
                "url": url(r[1], "#conditions"),
                "name": r[2],
                "text": reporting_condition_text(r[4]) if r[4] else r[7],
            }
            for r in verify
        ]
    return queue
