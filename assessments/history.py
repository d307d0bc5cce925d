"""How the campaign page shows its history: runs of "Answers saved" by one person read as
one entry ("Answers saved ×12, 10:02–10:40"), and only the latest entries are open. The
audit log itself is untouched; this only groups the rows ``selectors.timeline_rows`` reads."""

from dataclasses import dataclass

from .models import EventKind

# Kinds whose consecutive events by the same person are one entry.
GROUPED_KINDS = frozenset({EventKind.ANSWERS_SAVED.value})
# Entries shown open on the campaign page; the earlier ones are behind "Show all".
LATEST_ENTRIES = 10


def group_rows(rows: list[dict]) -> list[dict]:
    """``rows`` (oldest first) with each run of grouped events by one person merged into
    its last row, which gains ``count``, ``first_at_text``/``first_at_iso`` and
    ``last_at_text`` (the end of the span, without its date when it is the same day)."""
    entries: list[dict] = []
    for row in rows:
        last = entries[-1] if entries else None
        if (
            last is not None
            and row["kind"] in GROUPED_KINDS
            and last["kind"] == row["kind"]
            and last.get("actor_id") == row.get("actor_id")
            and last.get("version") == row.get("version")
        ):
            first = last.get("first_at_text", last["at_text"])
            entries[-1] = {
                **row,
                "count": last.get("count", 1) + 1,
                "first_at_text": first,
                "first_at_iso": last.get("first_at_iso", last["at_iso"]),
                # The same day once: "2026-12-05 10:02–10:40".
                "last_at_text": row["at_text"][-5:]
                if first[:-5] == row["at_text"][:-5]
                else row["at_text"],
            }
        else:
            entries.append(row)
    return entries


@dataclass(frozen=True)
class History:
    earlier: list[dict]  # behind "Show all", oldest first
    latest: list[dict]  # open, oldest first
    events: int  # audit events behind all the entries

    @property
    def entries(self) -> int:
        return len(self.earlier) + len(self.latest)


def history(rows: list[dict], *, latest: int | None = LATEST_ENTRIES) -> History:
    """The grouped entries split into the earlier ones and the ``latest`` (all open when
    ``latest`` is None, as in the printed report)."""
    entries = group_rows(rows)
    cut = 0 if latest is None else max(len(entries) - latest, 0)
    return History(earlier=entries[:cut], latest=entries[cut:], events=len(rows))
