"""Keyset pages of the campaign list: opaque cursors, seeking forward and back, one page of rows."""

import base64
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connection
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from . import fragments
from .cleaning import unstorable
from .errors import ServiceError
from .listing import NULLABLE_SORT_FIELDS, SORTS
from .models import (
    CAMPAIGN_DETAIL_FIELDS,
    Campaign,
)

PAGE_SIZE = 50
COUNT_CAP = 10_000  # the list counts exactly up to here and says "more than" beyond
# A word search counts less far: a common word's matches are checked row by row (the
# trigram index narrows them little), and past a thousand the answer is to refine it.
SEARCH_COUNT_CAP = 1_000


def count_cap(filters: dict) -> int:
    """How far the list counts exactly with these (cleaned) filters."""
    return SEARCH_COUNT_CAP if filters.get("q") else COUNT_CAP


def _encode(values: list) -> str:
    raw = json.dumps(values, default=str, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


MAX_CURSOR_CHARS = 512


MAX_ID = 2**63 - 1  # bigint


class InvalidCursor(ServiceError):
    """A page link's cursor that this list did not make (edited by hand, or from another
    sort order)."""

    def __init__(self):
        super().__init__(
            _(
                "This page link is not valid (it may be from another sort order). Start again "
                "from the first page."
            ),
            field="after",
        )


def _decode(cursor: str, ordering: tuple[str, str]) -> list:
    """The ``[value, id]`` a cursor of ``ordering`` holds, typed (an aware datetime for the
    ``*_at`` fields), or ``InvalidCursor``: nothing from a tampered cursor reaches the
    database except as a value of the column's type."""
    if len(cursor) > MAX_CURSOR_CHARS:
        raise InvalidCursor
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, TypeError, RecursionError):
        raise InvalidCursor from None
    if not isinstance(values, list) or len(values) != 2:
        raise InvalidCursor
    value, pk = values
    if type(pk) is not int or not 0 < pk <= MAX_ID:
        raise InvalidCursor
    name = ordering[0].lstrip("-")
    if value is None:
        if name not in NULLABLE_SORT_FIELDS:
            raise InvalidCursor
        return [None, pk]
    if not isinstance(value, str) or unstorable(value):
        raise InvalidCursor
    if name.endswith("_at"):
        try:
            moment = datetime.fromisoformat(value)
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
            value = moment.astimezone(UTC)
        except (ValueError, OverflowError):
            raise InvalidCursor from None
    return [value, pk]


def _after(ordering: tuple[str, str], values: list, *, backwards: bool) -> Q:
    """Rows strictly after (or, ``backwards``, before) the cursor in ``ordering``, with
    NULLs of a nullable sort field last."""
    (first, _id) = ordering
    desc = first.startswith("-")
    name = first.lstrip("-")
    value, pk = values
    forward_desc = desc != backwards  # the comparison direction for this query
    op = "lt" if forward_desc else "gt"
    nullable = name in NULLABLE_SORT_FIELDS
    if value is None:
        # Among the NULLs (last going forward): only the id decides; going back, every
        # non-null row comes before them.
        same = Q(**{f"{name}__isnull": True, f"id__{op}": pk})
        return same | Q(**{f"{name}__isnull": False}) if backwards else same
    tail = Q(**{name: value, f"id__{op}": pk}) | Q(**{f"{name}__{op}": value})
    if nullable and not backwards:
        tail |= Q(**{f"{name}__isnull": True})
    return tail


def _seek(qs, ordering: tuple[str, str], cursor: list, *, backwards: bool):
    """Rows after the cursor. For the NOT NULL sort columns a row-value comparison,
    ``(column, id) < (value, id)``, which both databases answer from the (column, id)
    index; the nullable ones need the longer condition of ``_after``."""
    name = ordering[0].lstrip("-")
    value, pk = cursor
    if name in NULLABLE_SORT_FIELDS or value is None:
        return qs.filter(_after(ordering, cursor, backwards=backwards))
    if name.endswith("_at"):
        # As the database stores it (SQLite: naive UTC text).
        value = connection.ops.adapt_datetimefield_value(value)
    descending = ordering[0].startswith("-") != backwards
    table = Campaign._meta.db_table
    column = Campaign._meta.get_field(name).column
    op = "<" if descending else ">"
    return qs.extra(  # noqa: S610 - fixed identifiers; the values are parameters
        where=[f'("{table}"."{column}", "{table}"."id") {op} (%s, %s)'], params=[value, pk]
    )


def _order(ordering: tuple[str, str], *, backwards: bool) -> list:
    """ORDER BY for ``ordering`` (reversed when reading backwards). Nullable sort fields
    put NULLs last going forward; the others are NOT NULL and keep the plain order their
    index serves."""
    first, second = ordering
    name = first.lstrip("-")
    desc = first.startswith("-") != backwards
    nulls = {}
    if name in NULLABLE_SORT_FIELDS:
        nulls = {"nulls_first": True} if backwards else {"nulls_last": True}
    column = F(name).desc(**nulls) if desc else F(name).asc(**nulls)
    id_desc = second.startswith("-") != backwards
    return [column, F("id").desc() if id_desc else F("id").asc()]


def _cursor_of(campaign, ordering) -> str:
    """The cursor just past ``campaign`` (a model instance or a ``LIST_VALUES`` dict)."""
    name = ordering[0].lstrip("-")
    if isinstance(campaign, dict):
        value, pk = campaign[name], campaign["id"]
    else:
        value, pk = getattr(campaign, name), campaign.pk
    if isinstance(value, datetime):
        value = value.isoformat()
    return _encode([value, pk])


@dataclass
class Page:
    rows: list
    next_cursor: str | None
    prev_cursor: str | None
    count: int
    count_capped: bool


# What a row of the campaign list shows (plain values: a page of 50 model instances with
# their team and owner costs more than the page's queries).
LIST_VALUES = (
    "id",
    "name",
    "team__name",
    "owner__display_name",
    "owner__email",
    "status",
    "tier",
    "review_due_at",
    "updated_at",
    "created_at",
    "first_submitted_at",
)


def page_of(
    qs,
    *,
    sort: str,
    after: str = "",
    before: str = "",
    values: tuple[str, ...] = (),
    defer: tuple[str, ...] = CAMPAIGN_DETAIL_FIELDS,
    cap: int = COUNT_CAP,
    count_key: list | None = None,
) -> Page:
    """One page of ``qs`` in ``sort`` order, after or before a cursor (keyset pagination),
    and the number of rows (exact up to ``cap``). Rows are campaigns without the
    ``defer`` fields, or dicts of ``values`` when given (they must include the sort fields
    and ``id``). ``count_key`` (``listing.count_key``): the number is kept like a
    fragment, so the next pages and the next reader of the same list do not count again."""
    ordering = SORTS.get(sort or "updated", SORTS["updated"])[0]
    backwards = bool(before) and not after
    cursor = None
    if after or before:
        try:
            cursor = _decode(before if backwards else after, ordering)
        except InvalidCursor as exc:
            exc.field = "before" if backwards else "after"
            raise
    page_qs = qs
    if cursor is not None:
        page_qs = _seek(page_qs, ordering, cursor, backwards=backwards)
    page_qs = page_qs.order_by(*_order(ordering, backwards=backwards))
    if values:
        page_qs = page_qs.values(*values)
    else:
        page_qs = page_qs.select_related("team", "owner").defer(*defer)
    rows = list(page_qs[: PAGE_SIZE + 1])
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    if backwards:
        rows.reverse()
    has_next = more if not backwards else True
    has_prev = (cursor is not None and not backwards) or (backwards and more)

    def counted() -> int:
        return qs.order_by()[: cap + 1].count()

    count = (
        counted() if count_key is None else fragments.cached("count", [cap, *count_key], counted)
    )
    return Page(
        rows=rows,
        next_cursor=_cursor_of(rows[-1], ordering) if rows and has_next else None,
        prev_cursor=_cursor_of(rows[0], ordering) if rows and has_prev else None,
        count=min(count, cap),
        count_capped=count > cap,
    )
