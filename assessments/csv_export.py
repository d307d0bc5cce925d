"""The campaign list as CSV, streamed, with cells that spreadsheets cannot run as formulas."""

import csv
from datetime import UTC

from django.utils.translation import gettext_lazy as _

from .listing import SORTS
from .models import (
    CampaignStatus,
)
from .paging import _order

CSV_COLUMNS = [
    ("id", _("ID")),
    ("name", _("Campaign")),
    ("team", _("Team")),
    ("owner", _("Owner")),
    ("status", _("State")),
    ("tier", _("Tier")),
    ("channels", _("Channels")),
    ("markets", _("Markets")),
    ("created", _("Created (UTC)")),
    ("first_submitted", _("First submitted (UTC)")),
    ("decided", _("Decided (UTC)")),
    ("due", _("Decision due (UTC)")),
    ("expires", _("Approval expires (UTC)")),
]


class _Echo:
    def write(self, value):
        return value


def _iso(value) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M") if value else ""


def _safe(text: str) -> str:
    """Spreadsheet programs run cells that start with = + - @ as formulas."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_rows(qs, *, sort: str):
    """The CSV lines of ``qs`` (header first), read from the database in chunks so the
    whole list is never in memory."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([str(label) for _key, label in CSV_COLUMNS])
    statuses = dict(CampaignStatus.choices)
    ordering = SORTS.get(sort or "updated", SORTS["updated"])[0]
    rows = (
        qs.order_by(*_order(ordering, backwards=False))
        .values_list(
            "id",
            "name",
            "team__name",
            "owner__display_name",
            "status",
            "tier",
            "channels",
            "markets",
            "created_at",
            "first_submitted_at",
            "decided_at",
            "review_due_at",
            "approval_expires_at",
        )
        .iterator(chunk_size=2000)
    )
    for row in rows:
        (pk, name, team, owner, status, tier, channels, markets, *moments) = row
        yield writer.writerow(
            [
                pk,
                _safe(name),
                _safe(team),
                _safe(owner),
                str(statuses.get(status, status)),
                tier,
                " ".join(channels),
                " ".join(markets),
                *(_iso(m) for m in moments),
            ]
        )
