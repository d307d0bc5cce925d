"""What the managers' dashboard shows, read from the summary counts the services keep
(``assessments.dashboard``) plus four small queries for what depends on the clock
(overdue reviews, approvals about to expire, open serious feedback, reviewers' open
work). A fixed number of queries whatever the number of campaigns."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from django.db.models import Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from . import charts, listing, workflow
from . import dashboard as counts
from .models import (
    EVERY,
    CampaignStatus,
    DashboardCount,
    FeedbackCategory,
    ReviewReason,
    Team,
    User,
)
from .questionnaire import Definition
from .workflow import add_months


def month_start(day: date) -> date:
    return day.replace(day=1)


@dataclass
class Period:
    start: date  # first day of the first month
    end: date  # first day of the last month

    def months(self) -> list[date]:
        out, month = [], self.start
        while month <= self.end:
            out.append(month)
            month = add_months(month, 1)
        return out

    @property
    def start_param(self) -> str:
        return self.start.strftime("%Y-%m")

    @property
    def end_param(self) -> str:
        return self.end.strftime("%Y-%m")


def period_of(filters: dict, today: date) -> Period:
    end = month_start(filters.get("end") or today)
    start = month_start(filters["start"]) if filters.get("start") else add_months(end, -11)
    return Period(start=start, end=end)


def median_from_histogram(histogram: dict[int, int]) -> float | None:
    """The median of values given as value → how many (the mean of the two middle ones
    for an even count)."""
    total = sum(histogram.values())
    if not total:
        return None
    middle = [(total - 1) // 2, total // 2]
    found, seen = [], 0
    for value in sorted(histogram):
        count = histogram[value]
        while middle and middle[0] < seen + count:
            found.append(value)
            middle.pop(0)
        seen += count
    return sum(found) / len(found)


class Links:
    """URLs of the campaign list behind a figure: the dashboard's filters plus the
    figure's own."""

    def __init__(self, base: dict):
        self.base = {k: v for k, v in base.items() if v not in (None, "")}
        self.url = reverse("campaign_list")

    def __call__(self, **extra) -> str:
        params = {**self.base}
        for key, value in extra.items():
            if value is None:
                params.pop(key, None)
            else:
                params[key] = value
        return f"{self.url}?{urlencode(params)}"


def dashboard_data(filters: dict, *, definition: Definition | None, language: str, now=None):
    now = now or timezone.now()
    today = now.date()
    period = period_of(filters, today)
    team = filters.get("team")
    tier = filters.get("tier") or ""
    rollup_tier = "" if tier == listing.NO_TIER else tier
    base = Q(channel=filters.get("channel") or EVERY, market=filters.get("market") or EVERY)
    if team:
        base &= Q(team=team)
    if tier:
        base &= Q(tier=rollup_tier)
    in_period = Q(period__gte=period.start, period__lte=period.end)
    rows = DashboardCount.objects.filter(base)

    # 1. Campaigns created in the period, by state, team and tier.
    by_state = defaultdict(int)
    by_team_tier = defaultdict(lambda: defaultdict(int))
    for row in (
        rows.filter(in_period, metric=counts.STATE)
        .values("key", "team_id", "tier")
        .annotate(n=Sum("n"))
    ):
        by_state[row["key"]] += row["n"]
        by_team_tier[row["team_id"]][row["tier"]] += row["n"]
    # 2. Month by month.
    series = defaultdict(lambda: defaultdict(int))  # (metric, month) → key → n
    for row in (
        rows.filter(
            in_period,
            metric__in=[counts.SUBMITTED, counts.REWORKED, counts.DECISION, counts.CYCLE],
        )
        .values("metric", "period", "key")
        .annotate(n=Sum("n"))
    ):
        series[(row["metric"], row["period"])][row["key"]] += row["n"]
    # 3. Rankings over the period.
    ranked = defaultdict(dict)  # metric → key → (n, total)
    for row in (
        rows.filter(
            in_period,
            metric__in=[
                counts.FLAG,
                counts.TOP_DIMENSION,
                counts.DIMENSION_PCT,
                counts.REASON,
                counts.FEEDBACK,
                counts.VOTE_TIME,
            ],
        )
        .values("metric", "key")
        .annotate(n=Sum("n"), total=Sum("total"))
    ):
        ranked[row["metric"]][row["key"]] = (row["n"], row["total"])
    # 4. Now: campaigns in review (whenever created) and decisions this month.
    current = {
        row["metric"]: row["n"]
        for row in rows.filter(
            Q(metric=counts.STATE, key__in=list(workflow.OPEN_REVIEW_STATES))
            | Q(metric=counts.DECISION, period=month_start(today))
        )
        .values("metric")
        .annotate(n=Sum("n"))
    }

    # The clock-dependent figures, from the campaigns themselves (small, indexed sets).
    scope = {k: v for k in ("team", "tier", "channel", "market") if (v := filters.get(k))}
    campaigns = listing.apply_filters(listing.Campaign.objects.all(), scope, now=now)
    overdue = listing.apply_filters(campaigns, {"overdue": True}, now=now).count()
    expiring = listing.apply_filters(campaigns, {"expiring": True}, now=now).count()
    serious_items = listing.open_serious_feedback()
    if scope:  # only then narrow to the filtered campaigns (a semi-join on all is waste)
        serious_items = serious_items.filter(campaign__in=campaigns)
    serious = serious_items.count()
    # Reviewers' open work, from the counts: keyed by reviewer, dated by the due day.
    today = listing.start_of_day(now).date()
    workload = {
        int(row["key"]): row
        for row in rows.filter(metric=counts.OPEN_WORK)
        .values("key")
        .annotate(open=Sum("n"), overdue=Sum("n", filter=Q(period__lt=today)))
        if row["open"]
    }
    vote_times = ranked[counts.VOTE_TIME]
    # Always one query (an empty id list would skip it and make the count data-dependent).
    reviewer_ids = set(workload) | {int(k) for k in vote_times if k.isdigit()}
    people = {u.pk: u for u in User.objects.filter(pk__in=sorted(reviewer_ids) or [0])}
    teams = list(Team.objects.order_by("name"))

    link = Links(
        {
            "team": team.pk if team else None,
            "tier": tier or None,
            "channel": filters.get("channel"),
            "market": filters.get("market"),
        }
    )
    in_range = {"from": period.start_param, "to": period.end_param}
    statuses = dict(CampaignStatus.choices)

    # Headline figures.
    submitted = sum(series[(counts.SUBMITTED, m)][""] for m in period.months())
    reworked = sum(series[(counts.REWORKED, m)][""] for m in period.months())
    cycle_all = defaultdict(int)
    for month in period.months():
        for days, n in series[(counts.CYCLE, month)].items():
            cycle_all[int(days)] += n
    median_days = median_from_histogram(cycle_all)
    this_month = today.strftime("%Y-%m")
    headline = [
        {
            "code": "in_review",
            "label": _("Campaigns in review"),
            "value": current.get(counts.STATE, 0),
            "url": link(state=listing.OPEN_STATES),
        },
        {
            "code": "overdue",
            "label": _("Overdue reviews"),
            "value": overdue,
            "url": link(state=listing.OPEN_STATES, overdue=1),
            "alert": overdue > 0,
        },
        {
            "code": "decided_month",
            "label": _("Decisions this month"),
            "value": current.get(counts.DECISION, 0),
            "url": link(on="decided", **{"from": this_month, "to": this_month}),
        },
        {
            "code": "median_days",
            "label": _("Median days from submission to decision"),
            "value": median_days,
            "url": link(on="decided", **in_range),
            "hint": _("decisions in the period"),
        },
        {
            "code": "rework",
            "label": _("Rework rate"),
            "value": round(100 * reworked / submitted, 1) if submitted else None,
            "suffix": "%",
            "url": link(on="submitted", reworked=1, **in_range),
            "hint": _(
                "%(reworked)s of %(submitted)s first submitted in the period got changes requested"
            )
            % {"reworked": reworked, "submitted": submitted},
        },
        {
            "code": "expiring",
            "label": _("Approvals expiring in 30 days"),
            "value": expiring,
            "url": link(expiring=1),
        },
        {
            "code": "serious",
            "label": _("Open serious feedback"),
            "value": serious,
            "url": link(serious=1),
            "alert": serious > 0,
        },
    ]

    # Charts' data (rendered by the view into SVG).
    state_rows = [
        {
            "key": key,
            "label": str(statuses[key]),
            "n": by_state[key],
            "url": link(state=key, **in_range),
        }
        for key in CampaignStatus.values
        if by_state.get(key)
    ]
    team_names = {t.pk: t.name for t in teams}
    tier_mix = [
        {
            "team": team_names.get(team_id, str(team_id)),
            "team_id": team_id,
            "tiers": [
                {
                    "tier": t or "–",
                    "n": tiers.get(t, 0),
                    "url": link(team=team_id, tier=t or listing.NO_TIER, **in_range),
                }
                for t in ["", *listing.TIERS]
            ],
        }
        for team_id, tiers in sorted(
            by_team_tier.items(), key=lambda item: team_names.get(item[0], "")
        )
        if sum(tiers.values())
    ]
    monthly = []
    for month in period.months():
        key = month.strftime("%Y-%m")
        cycle = {int(d): n for d, n in series[(counts.CYCLE, month)].items()}
        monthly.append(
            {
                "month": month,
                "submitted": series[(counts.SUBMITTED, month)][""],
                "decided": sum(series[(counts.DECISION, month)].values()),
                "median_days": median_from_histogram(cycle),
                "submitted_url": link(on="submitted", **{"from": key, "to": key}),
                "decided_url": link(on="decided", **{"from": key, "to": key}),
            }
        )
    questions = definition.questions if definition else {}
    dimension_titles = (
        {d.code: d.title.get(language) for d in definition.dimensions} if definition else {}
    )
    flags = sorted(ranked[counts.FLAG].items(), key=lambda item: (-item[1][0], item[0]))[:10]
    flag_rows = [
        {
            "code": code,
            "label": questions[code].text.get(language) if code in questions else code,
            "n": n,
            "url": link(flag=code, **in_range),
        }
        for code, (n, _total) in flags
    ]
    pct = ranked[counts.DIMENSION_PCT]
    dimension_rows = sorted(
        (
            {
                "code": code,
                "label": dimension_titles.get(code, code),
                "n": ranked[counts.TOP_DIMENSION].get(code, (0, 0))[0],
                "avg_pct": round(total / n / 10, 1) if n else None,
                "url": link(dimension=code, **in_range),
            }
            for code, (n, total) in pct.items()
        ),
        key=lambda row: (-(row["avg_pct"] or 0), row["code"]),
    )
    reasons = defaultdict(dict)
    for key, (n, _total) in ranked[counts.REASON].items():
        outcome, _sep, reason = key.partition(":")
        reasons[reason][outcome] = n
    reason_labels = {**dict(ReviewReason.choices), counts.NOT_STATED: _("not stated")}
    reason_rows = sorted(
        (
            {
                "code": reason,
                "label": str(reason_labels.get(reason, reason)),
                "segments": [
                    {
                        "outcome": outcome,
                        "label": str(statuses[outcome]),
                        "n": by_outcome.get(outcome, 0),
                        "url": link(on="decided", outcome=outcome, reason=reason, **in_range),
                    }
                    for outcome in counts.REASON_OUTCOMES
                ],
                "n": sum(by_outcome.values()),
            }
            for reason, by_outcome in reasons.items()
        ),
        key=lambda row: (-row["n"], row["code"]),
    )
    categories = dict(FeedbackCategory.choices)
    feedback_rows = [
        {
            "code": code,
            "label": str(categories.get(code, code)),
            "n": ranked[counts.FEEDBACK].get(code, (0, 0))[0],
            "url": link(on="feedback", category=code, **in_range),
        }
        for code in FeedbackCategory.values
        if ranked[counts.FEEDBACK].get(code, (0, 0))[0]
    ]
    workload_rows = []
    for pk in reviewer_ids:
        person = people.get(pk)
        votes, seconds = vote_times.get(str(pk), (0, 0))
        open_row = workload.get(pk, {})
        open_row = {"open": open_row.get("open") or 0, "overdue": open_row.get("overdue") or 0}
        workload_rows.append(
            {
                "id": pk,
                "name": (person.display_name or person.email) if person else str(pk),
                "open": open_row.get("open", 0),
                "overdue": open_row.get("overdue", 0),
                "votes": votes,
                "avg_days": round(seconds / votes / 86400, 1) if votes else None,
                "open_url": link(pending=1, reviewer=pk),
                "overdue_url": link(pending=1, reviewer=pk, overdue=1),
                "votes_url": link(on="voted", reviewer=pk, **in_range),
            }
        )
    workload_rows.sort(key=lambda row: (-row["open"], -row["votes"], row["name"]))
    return {
        "period": period,
        "headline": headline,
        "states": state_rows,
        "created_total": sum(by_state.values()),
        "tier_mix": tier_mix,
        "monthly": monthly,
        "flags": flag_rows,
        "dimensions": dimension_rows,
        "reasons": reason_rows,
        "feedback": feedback_rows,
        "workload": workload_rows,
        "teams": teams,
        "empty": not any(by_state.values()) and not current.get(counts.STATE),
        "all_time_link": link(),
        "period_link": link(**in_range),
    }


def charts_for(data: dict, *, rtl: bool) -> dict:
    """The dashboard's SVG charts, from ``dashboard_data``."""
    fmt = charts.fmt
    out = {}
    out["states"] = charts.hbars(
        [
            charts.Bar(row["label"], [charts.Segment(row["n"], _("campaigns"), row["url"])])
            for row in data["states"]
        ],
        title=_("Campaigns by state"),
        rtl=rtl,
        chart_id="chart-states",
    )
    out["tier_mix"] = charts.hbars(
        [
            charts.Bar(
                row["team"],
                [
                    charts.Segment(
                        tier["n"],
                        _("tier %(tier)s") % {"tier": tier["tier"]},
                        tier["url"],
                        color=index,
                    )
                    for index, tier in enumerate(row["tiers"])
                ],
            )
            for row in data["tier_mix"]
        ],
        title=_("Tier mix by team"),
        rtl=rtl,
        chart_id="chart-tiers",
    )
    months = data["monthly"]
    out["monthly"] = charts.columns(
        [
            charts.Column(
                date_format(m["month"], "M y"),
                [
                    charts.Segment(m["submitted"], _("submitted"), m["submitted_url"], color=0),
                    charts.Segment(m["decided"], _("decided"), m["decided_url"], color=2),
                ],
            )
            for m in months
        ],
        title=_("Submissions and decisions per month"),
        rtl=rtl,
        chart_id="chart-monthly",
    )
    out["cycle"] = charts.columns(
        [
            charts.Column(
                date_format(m["month"], "M y"),
                [
                    charts.Segment(
                        m["median_days"] or 0,
                        _("median days to decision"),
                        m["decided_url"] if m["median_days"] is not None else "",
                        color=4,
                        text=fmt(m["median_days"]) if m["median_days"] is not None else "",
                    )
                ],
            )
            for m in months
        ],
        title=_("Median days from submission to decision, per month"),
        rtl=rtl,
        chart_id="chart-cycle",
    )
    out["flags"] = charts.hbars(
        [
            charts.Bar(row["label"], [charts.Segment(row["n"], _("campaigns"), row["url"], 3)])
            for row in data["flags"]
        ],
        title=_("Most frequent red flags"),
        rtl=rtl,
        chart_id="chart-flags",
    )
    out["dimensions"] = charts.hbars(
        [
            charts.Bar(
                row["label"],
                [
                    charts.Segment(
                        row["avg_pct"] or 0,
                        _("average residual risk"),
                        row["url"],
                        color=1,
                        text=f"{fmt(row['avg_pct'] or 0)}%",
                    )
                ],
                note=f"{fmt(row['avg_pct'] or 0)}%",
            )
            for row in data["dimensions"]
        ],
        title=_("Highest-scoring risk dimensions"),
        rtl=rtl,
        chart_id="chart-dimensions",
    )
    out["reasons"] = charts.hbars(
        [
            charts.Bar(
                row["label"],
                [
                    charts.Segment(seg["n"], seg["label"], seg["url"], color=3 + index)
                    for index, seg in enumerate(row["segments"])
                ],
            )
            for row in data["reasons"]
        ],
        title=_("Reasons for rejections and change requests"),
        rtl=rtl,
        chart_id="chart-reasons",
    )
    out["feedback"] = charts.hbars(
        [
            charts.Bar(row["label"], [charts.Segment(row["n"], _("feedback"), row["url"], 5)])
            for row in data["feedback"]
        ],
        title=_("Stakeholder feedback by category"),
        rtl=rtl,
        chart_id="chart-feedback",
    )
    out["workload"] = charts.hbars(
        [
            charts.Bar(
                row["name"],
                [
                    charts.Segment(
                        row["open"] - row["overdue"], _("open, on time"), row["open_url"], 0
                    ),
                    charts.Segment(row["overdue"], _("overdue"), row["overdue_url"], 3),
                ],
                note=fmt(row["open"]),
            )
            for row in data["workload"]
            if row["open"]
        ],
        title=_("Reviewers' open assignments"),
        rtl=rtl,
        chart_id="chart-workload",
    )
    return out
