"""The review queue: a board member's and the chair's work lists, read in one statement.

Every list is the most urgent ``QUEUE_LIMIT`` items (one more is read to know whether
there are more). The lists are parts of one ``UNION ALL`` written here in plain SQL:
each part is ordered and limited on its own index, and the whole queue costs one round
trip and no query building per request (the ORM's compilation of these nine joined,
filtered and ordered lists cost more than PostgreSQL took to run them). The statement's
text depends only on which lists the user sees, so it is built once per process; every
value is a parameter.

Every part returns the same columns::

    list, id, campaign_id, name, moment, number, text1, text2, text3

``moment`` is the timestamp the list is ordered by, ``number`` a version number; the
three texts hold what the list shows (see ``_PARTS``).
"""

from datetime import UTC, datetime
from functools import cache
from html import escape

from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from . import permissions, workflow
from .listing import TIER_LABELS, campaign_url_prefix
from .models import (
    Assignment,
    Campaign,
    CampaignStatus,
    CampaignVersion,
    Condition,
    Feedback,
    FeedbackCategory,
    FeedbackSeverity,
    FeedbackSource,
    Team,
    TriageStatus,
    User,
    Vote,
)
from .wording import version_label

QUEUE_LIMIT = 10  # per list, most urgent first; "more" links to the filtered campaign list
FLAGGED_FEEDBACK_SHOWN = 3  # the newest open feedback items under each flagged campaign
OPEN = sorted(workflow.OPEN_REVIEW_STATES)


def _tables() -> dict[str, str]:
    return {
        "assignment": Assignment._meta.db_table,
        "campaign": Campaign._meta.db_table,
        "version": CampaignVersion._meta.db_table,
        "vote": Vote._meta.db_table,
        "user": User._meta.db_table,
        "team": Team._meta.db_table,
        "feedback": Feedback._meta.db_table,
        "condition": Condition._meta.db_table,
    }


def _in(values) -> str:
    return ", ".join(["%s"] * len(values))


class _Slot(str):
    """A parameter filled in per request (the others are constants)."""


USER, LIMIT, SHOWN = _Slot("user"), _Slot("limit"), _Slot("shown")

# name -> (SQL of the part, its parameters), each ordered as the page lists it, on an
# index. In the SQL, {table} names a table, {open} the open states' slots, {no_number}
# the empty version number; USER is the user's id, LIMIT QUEUE_LIMIT + 1, SHOWN
# QUEUE_LIMIT.
_PARTS = {
    # Assignments of the user's on a campaign's latest version, waiting for acceptance.
    "to_accept": (
        "SELECT a.id, a.campaign_id, c.name, c.review_due_at AS moment, v.number AS number, "
        "'' AS text1, '' AS text2, '' AS text3 "
        "FROM {assignment} a JOIN {campaign} c ON c.id = a.campaign_id "
        "JOIN {version} v ON v.id = a.version_id "
        "WHERE a.reviewer_id = %s AND a.status = %s AND c.status IN ({open}) "
        "AND NOT EXISTS (SELECT 1 FROM {version} n "
        "WHERE n.campaign_id = a.campaign_id AND n.number > v.number) "
        "ORDER BY c.review_due_at ASC NULLS LAST, a.id LIMIT %s",
        [USER, "pending", *OPEN, LIMIT],
    ),
    # Accepted, on a campaign in review, and not voted on yet.
    "to_vote": (
        "SELECT a.id, a.campaign_id, c.name, c.review_due_at AS moment, v.number AS number, "
        "'' AS text1, '' AS text2, '' AS text3 "
        "FROM {assignment} a JOIN {campaign} c ON c.id = a.campaign_id "
        "JOIN {version} v ON v.id = a.version_id "
        "WHERE a.reviewer_id = %s AND a.status = %s AND c.status = %s "
        "AND NOT EXISTS (SELECT 1 FROM {version} n "
        "WHERE n.campaign_id = a.campaign_id AND n.number > v.number) "
        "AND NOT EXISTS (SELECT 1 FROM {vote} w "
        "WHERE w.version_id = a.version_id AND w.reviewer_id = %s) "
        "ORDER BY c.review_due_at ASC NULLS LAST, a.id LIMIT %s",
        [USER, "accepted", CampaignStatus.IN_REVIEW, USER, LIMIT],
    ),
    # Chair: recusals in open reviews, newest first; text1/2 the reviewer, text3 the reason.
    "recusals": (
        "SELECT a.id, a.campaign_id, c.name, a.responded_at AS moment, {no_number}, "
        "u.display_name AS text1, u.email AS text2, a.recusal_reason AS text3 "
        "FROM {assignment} a JOIN {campaign} c ON c.id = a.campaign_id "
        "JOIN {user} u ON u.id = a.reviewer_id "
        "WHERE a.status = %s AND c.status IN ({open}) "
        "ORDER BY a.responded_at DESC, a.id LIMIT %s",
        ["recused", *OPEN, LIMIT],
    ),
    # Chair: submissions to route and decisions to confirm, by due date; text1 the team,
    # text2 the tier.
    "to_route": (
        "SELECT c.id, c.id AS campaign_id, c.name, c.review_due_at AS moment, {no_number}, "
        "t.name AS text1, c.tier AS text2, '' AS text3 "
        "FROM {campaign} c JOIN {team} t ON t.id = c.team_id WHERE c.status = %s "
        "ORDER BY c.review_due_at ASC NULLS LAST, c.id LIMIT %s",
        [CampaignStatus.SUBMITTED, LIMIT],
    ),
    "to_confirm": (
        "SELECT c.id, c.id AS campaign_id, c.name, c.review_due_at AS moment, {no_number}, "
        "t.name AS text1, c.tier AS text2, '' AS text3 "
        "FROM {campaign} c JOIN {team} t ON t.id = c.team_id WHERE c.status = %s "
        "ORDER BY c.review_due_at ASC NULLS LAST, c.id LIMIT %s",
        [CampaignStatus.AWAITING_CONFIRMATION, LIMIT],
    ),
    # Chair: campaigns flagged for re-review by feedback, most recently flagged first.
    "flagged": (
        "SELECT c.id, c.id AS campaign_id, c.name, c.rereview_flagged_at AS moment, {no_number}, "
        "t.name AS text1, c.tier AS text2, '' AS text3 "
        "FROM {campaign} c JOIN {team} t ON t.id = c.team_id "
        "WHERE c.rereview_flagged_at IS NOT NULL "
        "ORDER BY c.rereview_flagged_at DESC, c.id LIMIT %s",
        [LIMIT],
    ),
    # Chair: the newest open feedback of the flagged campaigns listed, a few each;
    # text1 severity, text2 category, text3 the text.
    "flagged_feedback": (
        "SELECT id, campaign_id, '' AS name, created_at AS moment, {no_number}, "
        "severity AS text1, category AS text2, text AS text3 FROM ("
        "SELECT f.*, ROW_NUMBER() OVER ("
        "PARTITION BY f.campaign_id ORDER BY f.created_at DESC, f.id DESC) AS nth "
        "FROM {feedback} f WHERE f.status = %s AND f.campaign_id IN ("
        "SELECT id FROM {campaign} WHERE rereview_flagged_at IS NOT NULL "
        "ORDER BY rereview_flagged_at DESC, id LIMIT %s)) newest WHERE nth <= %s",
        [TriageStatus.NEW, SHOWN, FLAGGED_FEEDBACK_SHOWN],
    ),
    # Board: new feedback, newest first; text1 source, text2 severity, text3 the text.
    "to_triage": (
        "SELECT f.id, f.campaign_id, c.name, f.created_at AS moment, {no_number}, "
        "f.source AS text1, f.severity AS text2, f.text AS text3 "
        "FROM {feedback} f JOIN {campaign} c ON c.id = f.campaign_id WHERE f.status = %s "
        "ORDER BY f.created_at DESC, f.id DESC LIMIT %s",
        [TriageStatus.NEW, LIMIT],
    ),
    # Board: fulfilled conditions waiting for verification, oldest first; text3 the text.
    "to_verify": (
        "SELECT k.id, k.campaign_id, c.name, k.fulfilled_at AS moment, {no_number}, "
        "'' AS text1, '' AS text2, k.text AS text3 "
        "FROM {condition} k JOIN {campaign} c ON c.id = k.campaign_id "
        "WHERE k.awaiting_verification = %s ORDER BY k.fulfilled_at, k.id LIMIT %s",
        [True, LIMIT],
    ),
}
_MINE = ("to_accept", "to_vote")
_CHAIR = ("recusals", "to_route", "to_confirm", "flagged", "flagged_feedback")
_BOARD = ("to_triage", "to_verify")


@cache
def _statement(names: tuple[str, ...]) -> tuple[str, tuple]:
    """The UNION ALL of these parts and its parameter slots (built once per process)."""
    tables = _tables()
    parts, slots = [], []
    for i, name in enumerate(names):
        sql, part_slots = _PARTS[name]
        # Fixed text and table names only; every value is a parameter. The subquery
        # keeps each part's ORDER BY and LIMIT (a UNION's parts cannot have their own).
        part = sql.format(**tables, open=_in(OPEN), no_number="CAST(NULL AS INTEGER) AS number")
        parts.append(f"SELECT {i} AS list, part.* FROM ({part}) part")  # noqa: S608
        slots.extend(part_slots)
    return " UNION ALL ".join(parts), tuple(slots)


def _moment(value) -> datetime | None:
    """A timestamp as the database gives it: aware from PostgreSQL; naive or text in UTC
    from SQLite."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = value.replace(tzinfo=UTC)
    return value


def _rows(cursor, names, lists) -> None:
    for which, pk, campaign_id, name, moment, number, text1, text2, text3 in cursor.fetchall():
        lists[names[which]].append(
            (pk, campaign_id, name, _moment(moment), number, text1, text2, text3)
        )


def _read(user: User, names: tuple[str, ...]) -> dict[str, list[tuple]]:
    values = {USER: user.pk, LIMIT: QUEUE_LIMIT + 1, SHOWN: QUEUE_LIMIT}
    lists: dict[str, list[tuple]] = {name: [] for name in names}
    with connection.cursor() as cursor:
        sql, slots = _statement(names)
        cursor.execute(sql, [values[s] if isinstance(s, _Slot) else s for s in slots])
        _rows(cursor, names, lists)
    return lists


# How each part orders its rows (the moment newest first? ties: the id descending?).
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


def _order(name: str, rows: list[tuple]) -> list[tuple]:
    """A UNION promises no order: each list sorted again as its part ordered it (rows
    without a moment last; the ordered moments are never empty in practice)."""
    newest, id_desc = _ORDER[name]

    def key(row):
        moment = row[3].timestamp() if row[3] is not None else 0.0
        return (row[3] is None, -moment if newest else moment, -row[0] if id_desc else row[0])

    return sorted(rows, key=key)


def _due(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d") if moment else ""


def review_queue_for(user: User) -> dict:
    """The reviewer's and the chair's work lists, each the most urgent QUEUE_LIMIT items
    (with a flag when there are more), in one query. Items are plain rows with what the
    queue shows: links, names, due days, translated labels, clipped texts."""
    chair, board = permissions.is_chair(user), permissions.is_board(user)
    names = (*_MINE, *(_CHAIR if chair else ()), *(_BOARD if board else ()))
    lists = {name: _order(name, rows) for name, rows in _read(user, names).items()}
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
            {"url": url(r[1], "#conditions"), "name": r[2], "text": r[7]} for r in verify
        ]
    return queue


def items_html(queue: dict, due_label: str) -> dict[str, SafeString]:
    """The ``<li>`` items of each list on the queue page, built here with escaping (some
    eighty items through template variables cost more than reading them); the markup is
    the page's (review_queue.html puts them in their lists). ``due_label`` is the
    translated "due"."""

    def link(item) -> str:
        return f'<a href="{escape(item["url"])}">{escape(item["name"])}</a>'

    def assignment(a) -> str:
        due = f" · {escape(due_label)} {escape(a['due'])}" if a["due"] else ""
        return f"<li>{link(a)} · {escape(version_label(a['version']))}{due}</li>"

    def tier(c) -> str:
        code = escape(c["tier"])
        return (
            f'<span class="badge tier-badge tier-{code}" data-testid="tier-badge" '
            f'data-tier="{code}">{escape(c["tier_label"])}</span>'
        )

    def feedback(f) -> str:
        return f"<li>{escape(f['severity'])} · {escape(f['category'])}: {escape(f['text'])}</li>"

    builders = {
        "to_accept": (queue["to_accept"], assignment),
        "to_vote": (queue["to_vote"], assignment),
    }
    if queue.get("to_triage") is not None:
        builders["to_triage"] = (
            queue["to_triage"],
            lambda f: (
                f'<li class="mb-1">{link(f)} · {escape(f["source"])} · '
                f"{escape(f['severity'])}: {escape(f['text'])}</li>"
            ),
        )
        builders["to_verify"] = (
            queue["to_verify"],
            lambda c: f"<li>{link(c)}: {escape(c['text'])}</li>",
        )
    chair = queue["chair"]
    if chair:
        builders["to_route"] = (
            chair["to_route"],
            lambda c: f"<li>{link(c)} · {escape(c['team'])} · {tier(c)}</li>",
        )
        builders["to_confirm"] = (chair["to_confirm"], lambda c: f"<li>{link(c)}</li>")
        builders["flagged"] = (
            chair["flagged"],
            lambda c: (
                f'<li class="mb-2">{link(c)} · {escape(c["team"])}<ul>'
                + "".join(feedback(f) for f in c["open_feedback"])
                + "</ul></li>"
            ),
        )
        builders["recusals"] = (
            chair["recusals"],
            lambda a: f"<li>{link(a)}: {escape(a['reviewer'])} — {escape(a['reason'])}</li>",
        )
    # Every value is escaped above; the rest is fixed markup.
    return {
        name: mark_safe("".join(build(item) for item in items))  # noqa: S308
        for name, (items, build) in builders.items()
    }
