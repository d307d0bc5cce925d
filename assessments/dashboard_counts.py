"""The managers' dashboard counts: what each campaign contributes, kept current in the
transaction of every change.

A campaign's **facts** (``facts_of``) are a small, pure summary of what the dashboard
counts about it: its state, tier, team, channels, markets and months, its decisions with
their cycle times and reasons, its red flags and dimension scores, its feedback and the
time its reviewers took to vote. ``cells_of`` turns facts into counts, one per
(metric, channel, market, month, team, tier, key). A campaign counts once under every
channel and market it uses *and* under ``EVERY``, so a filter on one channel or market
reads exact numbers, and no filter reads the ``EVERY`` rows. Likewise every count but
the campaigns by state is also kept under the tier ``EVERY``: without a tier filter the
dashboard sums a team's one row instead of one per tier (the states chart shows the
tiers, so their counts have no such rows).

A service that changes a campaign calls ``refresh()`` (through
``services.read_models.read_models_refresh``) at the end of its own transaction: the
campaign's facts are rebuilt and the difference to the stored ones is applied to the counts
with one upsert, so the counts commit or roll back with the change. ``rebuild()`` computes
everything from scratch (for existing data and bulk loads) with the same two functions.
"""

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime

from django.db import connection, transaction

from . import fragments, workflow, working_calendar
from .bulk_load import bulk_insert, drop_indexes
from .models import (
    EVERY,
    Assignment,
    Campaign,
    CampaignFacts,
    CampaignStatus,
    CampaignVersion,
    DashboardCount,
    Decision,
    Feedback,
    Vote,
    effective_decisions,
    open_reviewer_ids,
)

# Metrics kept in DashboardCount, and what their key is.
STATE = "state"  # campaigns by creation month; key: current state
SUBMITTED = "submitted"  # campaigns by month of first submission; key: ""
REWORKED = "reworked"  # of those, the ones that ever got "changes requested"
DECISION = "decision"  # decisions by month; key: outcome
DECIDED = "decided"  # campaigns by month of a decision (once a month); key: ""
CYCLE = "cycle"  # decisions by month; key: whole days from submission to decision
REASON = "reason"  # campaigns rejected or sent back by month (once); key: "outcome:reason"
FLAG = "flag"  # campaigns by creation month; key: red-flag question code (latest version)
TOP_DIMENSION = "top_dim"  # campaigns by creation month; key: their highest-scoring dimension
DIMENSION_PCT = "dim_pct"  # per dimension: n campaigns, total of residual % × 10
FEEDBACK = "feedback"  # campaigns with feedback by month (once); key: category
VOTE_TIME = "vote_time"  # votes by month; key: reviewer id; total: seconds assignment → vote
VOTED = "voted"  # campaigns voted on by month (once); key: reviewer id
# For each metric counted once a month (REASON, FEEDBACK, VOTED), its "again" metric
# lets a range of months count each campaign once too (``add_once_a_month``).
AGAIN = {metric: f"{metric}_again" for metric in (REASON, FEEDBACK, VOTED)}
OPEN_WORK = "open_work"  # assignments waiting for their reviewer, by the campaign's due DAY

NOT_STATED = "not_stated"
OPEN_REVIEW = workflow.OPEN_REVIEW_STATES
CYCLE_CAP = 30  # longer cycles count as 30 days (a median above that reads "30+")
REASON_OUTCOMES = (CampaignStatus.REJECTED, CampaignStatus.CHANGES_REQUESTED)


def month_of(moment: datetime | date) -> str:
    return f"{moment.year:04d}-{moment.month:02d}-01"


# --- facts --------------------------------------------------------------------------------------


def facts_of(
    campaign: dict,
    *,
    latest_score: dict | None,
    current_version_id,
    decisions: list[dict],
    feedback: list[dict],
    votes: list[dict],
    assignments: list[dict] = (),
) -> dict:
    """What the dashboard counts about one campaign, from plain rows (pure).

    ``campaign``: id, team_id, tier, channels, markets, status, created_at,
    first_submitted_at. ``decisions``: id, version_id, kind, outcome, reasons, created_at,
    version_created_at. ``feedback``: category, created_at. ``votes``: reviewer_id,
    signed_at, assigned_at."""
    counted = effective_decisions(
        campaign_status=campaign["status"],
        current_version_id=current_version_id,
        decisions=decisions,
    )
    dimensions = {}
    flags = []
    if latest_score:
        dimensions = {
            code: round(d["residual_pct"] * 10)
            for code, d in sorted(latest_score.get("dimensions", {}).items())
        }
        flags = sorted({f["question"] for f in latest_score.get("red_flags", [])})
    top = ""
    if dimensions:
        top = max(sorted(dimensions), key=lambda code: dimensions[code])
    first = campaign["first_submitted_at"]
    waiting = open_reviewer_ids(
        campaign_status=campaign["status"],
        current_version_id=current_version_id,
        assignments=assignments,
        votes=votes,
    )
    due = campaign.get("review_due_at")
    return {
        "open": waiting,
        "due": working_calendar.local_day(due).isoformat() if due and waiting else None,
        "team": campaign["team_id"],
        "tier": campaign["tier"] or "",
        "channels": sorted(set(campaign["channels"])),
        "markets": sorted(set(campaign["markets"])),
        "status": campaign["status"],
        "created": month_of(campaign["created_at"]),
        "submitted": month_of(first) if first else None,
        "reworked": any(d["outcome"] == CampaignStatus.CHANGES_REQUESTED for d in decisions),
        "decisions": [
            [
                month_of(d["created_at"]),
                d["outcome"],
                min(CYCLE_CAP, max(0, (d["created_at"] - d["version_created_at"]).days)),
                sorted(set(d["reasons"] or [])) if d["outcome"] in REASON_OUTCOMES else [],
            ]
            for d in counted
        ],
        "flags": flags,
        "dimensions": dimensions,
        "top_dimension": top,
        "feedback": sorted([month_of(f["created_at"]), f["category"]] for f in feedback),
        "votes": sorted(
            [
                month_of(v["signed_at"]),
                v["reviewer_id"],
                max(0, int((v["signed_at"] - v["assigned_at"]).total_seconds())),
            ]
            for v in votes
            if v["assigned_at"] is not None
        ),
    }


def in_range_once(counts: Mapping[str, tuple[int, int]], again, start: date) -> dict[str, int]:
    """Campaigns by key over a range of months starting at ``start``, from the sums over
    the range of a metric counted by ``add_once_a_month`` (``counts``) and of its "again"
    metric (``again``): the months a campaign counts in, less the repeats whose earlier
    month is in the range too, leave one per campaign (the list's "in the range")."""
    out = {key: n for key, (n, _total) in counts.items()}
    first = month_of(start)
    for key, (n, _total) in again.items():
        key, _sep, earlier = key.rpartition("@")
        if earlier >= first and key in out:
            out[key] -= n
    return {key: n for key, n in out.items() if n}


def base_cells(facts: dict) -> Counter:
    """(metric, month, key) → [n, total] for one campaign, before the channel and market
    fan-out."""
    cells: Counter = Counter()
    totals: Counter = Counter()

    def add(metric, period, key, total=0):
        cells[(metric, period, str(key))] += 1
        totals[(metric, period, str(key))] += total

    def add_once_a_month(metric, months_by_key):
        """One count per key and month in which the campaign has the fact; and, under the
        "again" metric, one per month that follows an earlier such month, keyed
        "key@earlier month" (``in_range_once`` subtracts those to count a campaign once
        over any range of months, as the list filtered by that range shows it once)."""
        for key, months in months_by_key.items():
            months = sorted(set(months))
            for period in months:
                add(metric, period, key)
            for earlier, period in zip(months, months[1:], strict=False):
                add(AGAIN[metric], period, f"{key}@{earlier}")

    add(STATE, facts["created"], facts["status"])
    if facts["submitted"]:
        add(SUBMITTED, facts["submitted"], "")
        if facts["reworked"]:
            add(REWORKED, facts["submitted"], "")
    reasons_by_key = defaultdict(list)
    for period, outcome, days, reasons in facts["decisions"]:
        add(DECISION, period, outcome)
        add(CYCLE, period, days)
        if outcome in REASON_OUTCOMES:
            for reason in reasons or [NOT_STATED]:
                reasons_by_key[f"{outcome}:{reason}"].append(period)
    # The month series reads one month at a time, so it needs no "again" counts.
    for period in sorted({d[0] for d in facts["decisions"]}):
        add(DECIDED, period, "")
    add_once_a_month(REASON, reasons_by_key)
    for code in facts["flags"]:
        add(FLAG, facts["created"], code)
    if facts["top_dimension"]:
        add(TOP_DIMENSION, facts["created"], facts["top_dimension"])
    for code, pct10 in facts["dimensions"].items():
        add(DIMENSION_PCT, facts["created"], code, pct10)
    categories = defaultdict(list)
    for period, category in facts["feedback"]:
        categories[category].append(period)
    add_once_a_month(FEEDBACK, categories)
    voted = defaultdict(list)
    for period, reviewer, seconds in facts["votes"]:
        add(VOTE_TIME, period, reviewer, seconds)
        voted[str(reviewer)].append(period)
    add_once_a_month(VOTED, voted)
    for reviewer in facts.get("open", ()):
        add(OPEN_WORK, facts["due"] or facts["created"], reviewer)
    return Counter({k: (n, totals[k]) for k, n in cells.items()})


def fan_out(facts: dict) -> list[tuple[str, str, str]]:
    """The (channel, market) pairs a campaign counts under."""
    channels = [EVERY, *facts["channels"]]
    markets = [EVERY, *facts["markets"]]
    return [(c, m) for c in channels for m in markets]


def tiers_of(metric: str, tier: str) -> tuple[str, ...]:
    """The tiers a campaign of this tier counts under for this metric: its own, and
    ``EVERY`` except for the campaigns by state."""
    return (tier,) if metric == STATE else (tier, EVERY)


def cells_of(facts: dict | None) -> dict[tuple, tuple[int, int]]:
    """Full cell keys (metric, channel, market, period, team, tier, key) → (n, total)."""
    if not facts:
        return {}
    out = {}
    pairs = fan_out(facts)
    team = facts["team"]
    for (metric, period, key), value in base_cells(facts).items():
        for tier in tiers_of(metric, facts["tier"]):
            for channel, market in pairs:
                out[(metric, channel, market, period, team, tier, key)] = value
    return out


# --- loading rows ---------------------------------------------------------------------------

_CAMPAIGN_FIELDS = (
    "id",
    "team_id",
    "tier",
    "channels",
    "markets",
    "status",
    "created_at",
    "first_submitted_at",
    "review_due_at",
)


def _load(campaign_ids: list[int]) -> dict[int, dict]:
    """Facts of the given campaigns, in five queries whatever their number."""
    campaigns = {
        row["id"]: row
        for row in Campaign.objects.filter(pk__in=campaign_ids).values(*_CAMPAIGN_FIELDS)
    }
    latest: dict[int, dict] = {}
    for row in (
        CampaignVersion.objects.filter(campaign_id__in=campaign_ids)
        .order_by("campaign_id", "number")
        .values("id", "campaign_id", "content__score")
    ):
        latest[row["campaign_id"]] = row  # the last one wins
    decisions = defaultdict(list)
    for row in Decision.objects.filter(campaign_id__in=campaign_ids).values(
        "id",
        "campaign_id",
        "version_id",
        "kind",
        "outcome",
        "reasons",
        "created_at",
        "version__created_at",
    ):
        row["version_created_at"] = row.pop("version__created_at")
        decisions[row["campaign_id"]].append(row)
    feedback = defaultdict(list)
    for row in Feedback.objects.filter(campaign_id__in=campaign_ids).values(
        "campaign_id", "category", "created_at"
    ):
        feedback[row["campaign_id"]].append(row)
    votes = defaultdict(list)
    assigned = {}
    assignments = defaultdict(list)
    for row in (
        Assignment.objects.filter(campaign_id__in=campaign_ids)
        .order_by("created_at")
        .values("campaign_id", "version_id", "reviewer_id", "status", "created_at")
    ):
        assigned.setdefault((row["version_id"], row["reviewer_id"]), row["created_at"])
        assignments[row["campaign_id"]].append(row)
    for row in Vote.objects.filter(campaign_id__in=campaign_ids).values(
        "campaign_id", "version_id", "reviewer_id", "signed_at"
    ):
        row["assigned_at"] = assigned.get((row["version_id"], row["reviewer_id"]))
        votes[row["campaign_id"]].append(row)
    out = {}
    for pk, campaign in campaigns.items():
        version = latest.get(pk)
        out[pk] = facts_of(
            campaign,
            latest_score=version["content__score"] if version else None,
            current_version_id=version["id"] if version else None,
            decisions=decisions[pk],
            feedback=feedback[pk],
            votes=votes[pk],
            assignments=assignments[pk],
        )
    return out


# --- applying changes -----------------------------------------------------------------------

_COLUMNS = ("metric", "channel", "market", "period", "team_id", "tier", "key", "n", "total")


def _upsert(deltas: dict[tuple, tuple[int, int]]) -> None:
    """Add ``deltas`` to the counts: one INSERT … ON CONFLICT DO UPDATE (PostgreSQL and
    SQLite both have it), rows in key order so concurrent writers lock them in one order."""
    rows = [(*key, n, total) for key, (n, total) in sorted(deltas.items()) if n or total]
    if not rows:
        return
    table = DashboardCount._meta.db_table
    conflict = ", ".join(_COLUMNS[:7])
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 500):
            chunk = rows[start : start + 500]
            values = ", ".join(["(" + ", ".join(["%s"] * len(_COLUMNS)) + ")"] * len(chunk))
            params = [value for row in chunk for value in row]
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(_COLUMNS)}) VALUES {values} "  # noqa: S608
                f"ON CONFLICT ({conflict}) DO UPDATE SET "
                f"n = {table}.n + excluded.n, total = {table}.total + excluded.total",
                params,
            )


def _difference(old: dict, new: dict) -> dict:
    deltas = {}
    for key in old.keys() | new.keys():
        n0, t0 = old.get(key, (0, 0))
        n1, t1 = new.get(key, (0, 0))
        if (n1 - n0) or (t1 - t0):
            deltas[key] = (n1 - n0, t1 - t0)
    return deltas


def refresh(campaign_ids: Iterable[int]) -> None:
    """Rebuild the facts of these campaigns and apply the difference to the counts. Runs
    in the caller's transaction, after the change (the campaign rows are locked by it)."""
    ids = sorted(set(campaign_ids))
    if not ids:
        return
    fragments.bump()
    new_facts = _load(ids)
    stored = {
        row.campaign_id: row for row in CampaignFacts.objects.select_for_update().filter(pk__in=ids)
    }
    deltas: dict = {}
    changed, created = [], []
    for pk in ids:
        facts = new_facts.get(pk)
        row = stored.get(pk)
        old = row.data if row else None
        if facts == old:
            continue
        for key, value in _difference(cells_of(old), cells_of(facts)).items():
            n, t = deltas.get(key, (0, 0))
            deltas[key] = (n + value[0], t + value[1])
        if facts is None:
            continue
        if row is None:
            created.append(_facts_row(pk, facts))
        else:
            row.data, row.red_flags, row.top_dimension = (
                facts,
                facts["flags"],
                facts["top_dimension"],
            )
            changed.append(row)
    _upsert(deltas)
    if created:
        CampaignFacts.objects.bulk_create(created)
    if changed:
        CampaignFacts.objects.bulk_update(changed, ["data", "red_flags", "top_dimension"])


def _facts_row(pk: int, facts: dict) -> CampaignFacts:
    return CampaignFacts(
        campaign_id=pk, data=facts, red_flags=facts["flags"], top_dimension=facts["top_dimension"]
    )


def rebuild(
    *,
    batch: int = 5000,
    known: Mapping[int, dict] | None = None,
    counts: "Counts | None" = None,
) -> int:
    """Recompute every campaign's facts and all counts from the data (existing databases,
    bulk loads). ``known``: facts a bulk load already computed with ``facts_of`` from the
    rows it wrote, by campaign id (they are not read back); every other campaign's facts
    are loaded. ``counts``: a ``Counts`` that already holds the ``known`` facts (a bulk
    load adds them up while its rows are still being written). Returns the number of
    campaigns."""
    known = known or {}
    counted = counts is not None
    with transaction.atomic():
        fragments.bump()
        postgres = connection.vendor == "postgresql"
        restore: list[str] = []
        if postgres:
            # Empty both tables and load them without their indexes and constraints (the
            # facts' primary key stays): building them once afterwards is several times
            # faster than maintaining them and checking every row's team. (The tables are
            # locked until the rebuild commits.)
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # none may be pending here
                cursor.execute(f"TRUNCATE {CampaignFacts._meta.db_table}, {_TABLE}")
                tables = [CampaignFacts._meta.db_table, _TABLE]
                restore = drop_indexes(
                    cursor, indexes_of=tables, foreign_keys_of=tables, primary_keys_of=[_TABLE]
                )
            # The counts' partial indexes too (drop_indexes leaves partial indexes): Django
            # creates them again as the model defines them.
            with connection.schema_editor(atomic=False) as editor:
                for index in _PARTIAL_INDEXES:
                    editor.remove_index(DashboardCount, index)
        else:
            DashboardCount.objects.all().delete()
            CampaignFacts.objects.all().delete()
        ids = list(Campaign.objects.order_by("pk").values_list("pk", flat=True))
        counts = counts if counted else Counts()
        for start in range(0, len(ids), batch):
            chunk = ids[start : start + batch]
            facts = {pk: known[pk] for pk in chunk if pk in known}
            if len(facts) < len(chunk):
                facts.update(_load([pk for pk in chunk if pk not in known]))
            bulk_insert(
                CampaignFacts,
                ("campaign_id", "data", "red_flags", "top_dimension"),
                (
                    (pk, json.dumps(f), json.dumps(f["flags"]), f["top_dimension"])
                    for pk, f in facts.items()
                ),
                freeze=postgres,
            )
            for pk, f in facts.items():
                if not (counted and pk in known):
                    counts.add(f)
        bulk_insert(DashboardCount, _COLUMNS, counts.rows(), freeze=postgres)
        if postgres:
            with connection.cursor() as cursor:
                for statement in restore:
                    cursor.execute(statement)
            with connection.schema_editor(atomic=False) as editor:
                for index in _PARTIAL_INDEXES:
                    editor.add_index(DashboardCount, index)
    return len(ids)


# While counts are summed, a cell's (n, total) is one integer, n * 2**64 + total: adding
# two of them adds both parts (the total is a signed 64-bit column, so |total| < 2**63 and
# the split below is exact).
_SHIFT = 64
_HALF = 1 << (_SHIFT - 1)


class Counts:
    """All counts of a rebuild: campaigns with the same team, tier, channels and markets
    share their fan-out, so their base cells are added up per group (and metric) first,
    and each group's sums are added once to each (channel, market) pair it counts under."""

    def __init__(self):
        # (team, tier, channels, markets) -> metric -> (period, key) -> n * 2**64 + total
        self.groups: dict[tuple, dict[str, dict[tuple, int]]] = {}
        # metric -> (channel, market, tier, team) -> (period, key) -> the same, fanned out
        self.cells: dict[str, dict[tuple, dict[tuple, int]]] = defaultdict(
            lambda: defaultdict(dict)
        )

    def add(self, facts: dict) -> None:
        group_key = (
            facts["team"],
            facts["tier"],
            tuple(facts["channels"]),
            tuple(facts["markets"]),
        )
        group = self.groups.get(group_key)
        if group is None:
            group = self.groups[group_key] = defaultdict(dict)
        for (metric, period, key), (n, total) in base_cells(facts).items():
            cell = group[metric]
            cell[(period, key)] = cell.get((period, key), 0) + (n << _SHIFT) + total

    def spread(self) -> None:
        """Add the groups added so far to each (channel, market) pair they count under
        (``fan_out``; rows() does it for those added later, a bulk load calls it early)."""
        cells = self.cells
        while self.groups:
            (team, tier, channels, markets), group = self.groups.popitem()
            pairs = fan_out({"channels": channels, "markets": markets})
            for metric, entries in group.items():
                by_cell = cells[metric]
                for channel, market in pairs:
                    target = by_cell[(channel, market, tier, team)]
                    if not target:
                        target.update(entries)
                        continue
                    get = target.get
                    for key, value in entries.items():
                        target[key] = get(key, 0) + value

    def rows(self) -> Iterator[tuple]:
        """(metric, channel, market, period, team, tier, key, n, total) of every cell, in
        the order of the cell's unique index (metric, channel, market, tier, team, period,
        key): PostgreSQL builds that index from presorted rows several times faster. The
        order comes from sorting the keys of each metric's cells and each cell's own
        entries, not the millions of rows as one list; the rows are made as they are
        written (COPY reads them while the next ones are made). Once."""
        self.spread()
        cells = self.cells
        # The tier EVERY: each team's tiers added up (tiers_of), the states left out.
        for metric, by_cell in cells.items():
            if metric == STATE:
                continue
            every: dict[tuple, dict[tuple, int]] = defaultdict(dict)
            for (channel, market, _tier, team), entries in by_cell.items():
                target = every[(channel, market, EVERY, team)]
                get = target.get
                for key, value in entries.items():
                    target[key] = get(key, 0) + value
            by_cell.update(every)
        for metric in sorted(cells):
            by_cell = cells.pop(metric)
            for cell in sorted(by_cell):
                channel, market, tier, team = cell
                for (period, key), value in sorted(by_cell.pop(cell).items()):
                    n = (value + _HALF) >> _SHIFT
                    yield (
                        metric,
                        channel,
                        market,
                        period,
                        team,
                        tier,
                        key,
                        n,
                        value - (n << _SHIFT),
                    )


_TABLE = DashboardCount._meta.db_table
_PARTIAL_INDEXES = [index for index in DashboardCount._meta.indexes if index.condition is not None]
