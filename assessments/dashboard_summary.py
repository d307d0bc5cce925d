"""What the dashboard reads from the counts ``dashboard`` keeps: ``read`` returns a
``Summary`` for one channel, market, team and tier, in one statement."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db import connection

from .dashboard_counts import (
    AGAIN,
    CYCLE,
    DECIDED,
    DIMENSION_PCT,
    FEEDBACK,
    FLAG,
    OPEN_WORK,
    REASON,
    REWORKED,
    STATE,
    SUBMITTED,
    TOP_DIMENSION,
    VOTE_TIME,
    VOTED,
)
from .models import EVERY, IN_REVIEW_STATES, DashboardCount, Team, User

# Every counted decision adds one DECISION and one CYCLE cell with the same month
# (``base_cells``), so a month's decisions are the sum of its cycle-time histogram: the
# dashboard reads CYCLE only (tests/dashboard/test_figures.py checks the equality).
# DECIDED counts the campaigns decided in a month, as the list of that month shows them.
SERIES_METRICS = (SUBMITTED, REWORKED, CYCLE, DECIDED)
RANKED_METRICS = (
    FLAG,
    TOP_DIMENSION,
    DIMENSION_PCT,
    REASON,
    FEEDBACK,
    VOTE_TIME,
    VOTED,
    *AGAIN.values(),
)


@dataclass
class Summary:
    """What the dashboard reads (``read``), for one channel, market, team and tier."""

    # (state, team id, tier, campaigns created in the period)
    states: list[tuple[str, int, str, int]] = field(default_factory=list)
    in_review: int = 0  # campaigns in an open review now, whenever created
    # (metric, first day of the month) -> key -> n, for the months of the period
    series: dict[tuple[str, date], dict[str, int]] = field(default_factory=dict)
    # metric -> key -> (n, total) over the period
    ranked: dict[str, dict[str, tuple[int, int]]] = field(default_factory=dict)
    decided_this_month: int = 0  # campaigns
    # reviewer id (the key) -> (open assignments, of which overdue)
    open_work: dict[str, tuple[int, int]] = field(default_factory=dict)
    teams: list[tuple[int, str]] = field(default_factory=list)  # (id, name) by name
    counted: dict[str, int] = field(default_factory=dict)  # also_count's numbers
    people: dict[int, str] = field(default_factory=dict)  # the reviewers' names, by id


def read(
    *,
    channel: str,
    market: str,
    team_id: int | None,
    tier: str | None,
    start: date,
    end: date,
    this_month: date,
    today: date,
    also_count: dict | None = None,
) -> Summary:
    """Everything the dashboard reads, in one statement: from the counts, campaigns by
    state (created in the period) and in review now, the monthly series, the rankings
    over the period, decisions this month and the reviewers' open work (``today`` splits
    it into on time and overdue); the teams; the names of the reviewers in the rankings
    and the open work; and the number of rows of each queryset in ``also_count`` (name
    -> queryset). ``tier`` "" means "not scored yet"; None, any tier."""
    table = DashboardCount._meta.db_table
    day = connection.ops.adapt_datefield_value
    scope, scope_params = "channel = %s AND market = %s", [channel, market]
    if team_id is not None:
        scope += " AND team_id = %s"
        scope_params.append(team_id)
    # The campaigns by state have a row per tier only; every other count has one for
    # every tier too (tiers_of), read when no tier is asked for.
    states_scope, states_params = scope, list(scope_params)
    if tier is not None:
        states_scope += " AND tier = %s"
        states_params.append(tier)
    scope += " AND tier = %s"
    scope_params.append(EVERY if tier is None else tier)
    period = "period >= %s AND period <= %s"
    span = [day(start), day(end)]

    def among(values) -> str:
        return ", ".join(["%s"] * len(values))

    parts: list[tuple[str, list]] = []

    def add(columns: str, where: str, group: str, params: list, *, states=False) -> None:
        # Only fixed text goes into the statement; every value is a parameter.
        where = f"{where} AND {states_scope if states else scope}"
        sql = f"SELECT {columns} FROM {table} WHERE {where}"  # noqa: S608
        parts.append((f"{sql} GROUP BY {group}" if group else sql, params))

    # One row shape for all parts: (part, metric, key, team_id, tier, period, n, total);
    # the first two give the types of the columns the later ones leave NULL.
    summed = "CAST(SUM(n) AS BIGINT)"
    add(
        f"'s', metric, key, team_id, tier, NULL, {summed}, 0",
        f"metric = %s AND {period}",
        "metric, key, team_id, tier",
        [STATE, *span, *states_params],
        states=True,
    )
    add(
        f"'m', metric, key, NULL, NULL, period, {summed}, 0",
        f"metric IN ({among(SERIES_METRICS)}) AND {period}",
        "metric, period, key",
        [*SERIES_METRICS, *span, *scope_params],
    )
    # The rankings and the open work are also where the reviewers come from: named below.
    ranked_sql = (
        f"SELECT metric, key, {summed} AS n, CAST(SUM(total) AS BIGINT) AS total "  # noqa: S608
        f"FROM {table} WHERE metric IN ({among(RANKED_METRICS)}) AND {period} AND {scope} "
        "GROUP BY metric, key"
    )
    work_sql = (
        f"SELECT key, {summed} AS n, CAST(SUM(n) FILTER (WHERE period < %s) AS BIGINT) AS late "  # noqa: S608
        f"FROM {table} WHERE metric = %s AND {scope} GROUP BY key"
    )
    with_params = [*RANKED_METRICS, *span, *scope_params, day(today), OPEN_WORK, *scope_params]
    parts.append(("SELECT 'r', metric, key, NULL, NULL, NULL, n, total FROM ranked", []))
    parts.append(("SELECT 'w', '', key, NULL, NULL, NULL, n, late FROM work", []))
    add(  # campaigns in review now, whenever created: index-only on dashboardcount_in_review
        f"'n', '', '', NULL, NULL, NULL, {summed}, 0",
        f"metric = %s AND key IN ({among(IN_REVIEW_STATES)})",
        "",
        [STATE, *IN_REVIEW_STATES, *states_params],
        states=True,
    )
    in_period = start <= this_month <= end
    if not in_period:  # otherwise the monthly series has them
        add(
            f"'d', metric, '', NULL, NULL, NULL, {summed}, 0",
            "metric = %s AND period = %s",
            "metric",
            [DECIDED, day(this_month), *scope_params],
        )
    # The teams in name order (the database's collation, like ORDER BY name).
    teams = Team._meta.db_table
    parts.append(
        (
            f"SELECT 't', NULL, name, id, NULL, NULL, ROW_NUMBER() OVER (ORDER BY name), 0 "  # noqa: S608
            f"FROM {teams}",
            [],
        )
    )
    for name, queryset in (also_count or {}).items():
        counted, counted_params = queryset.order_by().values("pk").query.sql_with_params()
        parts.append(
            (
                "SELECT 'c', %s, '', NULL, NULL, NULL, "  # noqa: S608 - compiled by the ORM
                f"(SELECT COUNT(*) FROM ({counted}) counted), 0",
                [name, *counted_params],
            )
        )
    # The reviewers' names: their ids are the keys of VOTE_TIME and OPEN_WORK (always
    # digits: base_cells writes str(reviewer id)).
    people = User._meta.db_table
    parts.append(
        (
            f"SELECT 'u', email, display_name, id, NULL, NULL, 0, 0 FROM {people} "  # noqa: S608
            "WHERE id IN (SELECT CAST(key AS BIGINT) FROM ranked WHERE metric = %s "
            "UNION SELECT CAST(key AS BIGINT) FROM work WHERE n > 0)",
            [VOTE_TIME],
        )
    )
    sql = f"WITH ranked AS ({ranked_sql}), work AS ({work_sql}) " + " UNION ALL ".join(
        sql for sql, _params in parts
    )
    params = [*with_params, *(value for _sql, values in parts for value in values)]
    summary = Summary()
    series: dict[tuple[str, date], dict[str, int]] = defaultdict(dict)
    ranked: dict[str, dict[str, tuple[int, int]]] = defaultdict(dict)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    for part, metric, key, team, tier_, month, n, total in rows:
        if part == "s":
            summary.states.append((key, team, tier_, n))
        elif part == "n":
            summary.in_review = n or 0
        elif part == "m":
            if isinstance(month, str):  # SQLite gives dates as text
                month = date.fromisoformat(month)
            series[(metric, month)][key] = n
        elif part == "r":
            ranked[metric][key] = (n, total)
        elif part == "w":
            summary.open_work[key] = (n, total or 0)
        elif part == "t":
            summary.teams.append((n, team, key))
        elif part == "c":
            summary.counted[metric] = n
        elif part == "u":
            summary.people[team] = key or metric  # the display name, else the e-mail
        else:
            summary.decided_this_month = n
    if in_period:
        summary.decided_this_month = series.get((DECIDED, this_month), {}).get("", 0)
    summary.series, summary.ranked = dict(series), dict(ranked)
    summary.teams = [(pk, name) for _order, pk, name in sorted(summary.teams)]
    return summary
