"""What the managers' dashboard shows, read in one statement (``dashboard_summary.read``): the
summary counts the services keep, the teams, the reviewers' names and three counts of
small indexed sets of campaigns for what depends on the clock (overdue reviews,
approvals about to expire, open serious feedback). A fixed number of queries whatever
the number of campaigns. The charts, their cards and the headline are built as text
(``charts``)."""

import functools
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote_plus

from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import dashboard_counts as counts
from . import dashboard_summary, listing, working_calendar
from .models import (
    EVERY,
    Campaign,
    CampaignStatus,
    FeedbackCategory,
    ReviewReason,
)
from .questionnaire import Definition
from .workflow import add_months


@functools.cache
def _choice_labels(choices, language: str) -> dict[str, str]:
    """A ``TextChoices``' labels in ``language`` (the active one), by value."""
    return {value: str(label) for value, label in choices.choices}


def labels(choices) -> dict[str, str]:
    return _choice_labels(choices, translation.get_language())


@functools.lru_cache(maxsize=1024)
def _month_name(month: date, format: str, language: str) -> str:
    return date_format(month, format)


def month_name(month: date, format: str) -> str:
    """``date_format`` in the active language, remembered (a page names each month twice)."""
    return _month_name(month, format, translation.get_language())


@functools.lru_cache(maxsize=4096)
def _pair(name: str, value) -> str:
    """One ``name=value`` of a query string, as ``urlencode`` writes it."""
    return f"{quote_plus(str(name))}={quote_plus(str(value))}"


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


@dataclass
class Frame:
    """What the dashboard shows around its figures, known without reading them: the
    period and the list of the campaigns created in it."""

    period: Period
    period_link: str


def frame_of(filters: dict, today: date) -> Frame:
    period = period_of(filters, today)
    return Frame(period, _links(filters)(**{"from": period.start_param, "to": period.end_param}))


def _links(filters: dict) -> "Links":
    """The campaign list's URLs under the dashboard's filters."""
    team = filters.get("team")
    return Links(
        {
            "team": team.pk if team else None,
            "tier": filters.get("tier") or None,
            "channel": filters.get("channel"),
            "market": filters.get("market"),
        }
    )


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
    figure's own. (A page has some 150 of them: ``name=value`` pairs are encoded once.)"""

    def __init__(self, base: dict):
        self.base = {k: v for k, v in base.items() if v not in (None, "")}
        self.url = reverse("campaign_list")
        self._prefix = f"{self.url}?{self._encode(self.base)}"

    @staticmethod
    def _encode(params: dict) -> str:
        """``urlencode(params)`` (values are numbers or text)."""
        return "&".join([_pair(name, value) for name, value in params.items()])

    def __call__(self, **extra) -> str:
        if not extra:
            return self._prefix
        if self.base.keys().isdisjoint(extra) and None not in extra.values():
            joint = "&" if self.base else ""
            return f"{self._prefix}{joint}{self._encode(extra)}"
        params = {**self.base}
        for key, value in extra.items():
            if value is None:
                params.pop(key, None)
            else:
                params[key] = value
        return f"{self.url}?{self._encode(params)}"


class DashboardFilterForm(listing.CampaignFilterForm):
    """The campaign list's filters that the dashboard offers: team, tier, channel, market
    and the period (the list's other fields are not copied and checked on every
    request)."""

    q = state = on = sort = None
    outcome = reason = category = flag = dimension = reviewer = None
    pending = overdue = expiring = serious = reworked = None


def dashboard_data(
    filters: dict,
    *,
    definition: Definition | None,
    language: str,
    now=None,
):
    now = now or timezone.now()
    today = now.date()
    period = period_of(filters, today)
    months = period.months()
    team = filters.get("team")
    tier = filters.get("tier") or ""
    this_month = month_start(today)
    # The clock-dependent figures, from the campaigns themselves (small, indexed sets),
    # counted in the same statement as the rest.
    scope = {k: v for k in ("team", "tier", "channel", "market") if (v := filters.get(k))}
    campaigns = listing.apply_filters(Campaign.objects.all(), scope, now=now)
    serious_items = listing.open_serious_feedback()
    if scope:  # only then narrow to the filtered campaigns (a semi-join on all is waste)
        serious_items = serious_items.filter(campaign__in=campaigns.order_by().values("pk"))
    summary = dashboard_summary.read(
        channel=filters.get("channel") or EVERY,
        market=filters.get("market") or EVERY,
        team_id=team.pk if team else None,
        tier=("" if tier == listing.NO_TIER else tier) if tier else None,
        start=period.start,
        end=period.end,
        this_month=this_month,
        today=working_calendar.local_day(now),
        also_count={
            "overdue": listing.apply_filters(campaigns, {"overdue": True}, now=now),
            "expiring": listing.apply_filters(campaigns, {"expiring": True}, now=now),
            "serious": serious_items,
        },
    )
    by_state = defaultdict(int)  # created in the period
    by_team_tier = defaultdict(lambda: defaultdict(int))
    for key, team_id, row_tier, n in summary.states:
        by_state[key] += n
        by_team_tier[team_id][row_tier] += n
    in_review = summary.in_review  # now, whenever created
    series = summary.series  # (metric, month) → key → n
    no_counts: dict = {}
    ranked = defaultdict(dict, summary.ranked)  # metric → key → (n, total)

    overdue, expiring, serious = (
        summary.counted["overdue"],
        summary.counted["expiring"],
        summary.counted["serious"],
    )
    # Reviewers' open work, from the counts: keyed by reviewer, dated by the due day.
    workload = {
        int(key): {"open": n, "overdue": late} for key, (n, late) in summary.open_work.items() if n
    }
    vote_times = ranked[counts.VOTE_TIME]
    # Campaigns once over the period (as the lists the figures open show them).
    voted_on, reason_counts, feedback_counts = (
        counts.in_range_once(ranked[metric], ranked[counts.AGAIN[metric]], period.start)
        for metric in (counts.VOTED, counts.REASON, counts.FEEDBACK)
    )
    reviewer_ids = set(workload) | {int(k) for k in vote_times if k.isdigit()}
    names = summary.people
    teams = summary.teams

    link = _links(filters)
    in_range = {"from": period.start_param, "to": period.end_param}
    statuses = labels(CampaignStatus)

    # Headline figures.
    submitted = sum(series.get((counts.SUBMITTED, m), no_counts).get("", 0) for m in months)
    reworked = sum(series.get((counts.REWORKED, m), no_counts).get("", 0) for m in months)
    cycle_all = defaultdict(int)
    for month in months:
        for days, n in series.get((counts.CYCLE, month), no_counts).items():
            cycle_all[int(days)] += n
    median_days = median_from_histogram(cycle_all)
    decided = sum(cycle_all.values())  # every counted decision has its cycle time
    this_month_param = today.strftime("%Y-%m")
    headline = [
        {
            "code": "in_review",
            "label": _("Campaigns in review"),
            "value": in_review,
            "url": link(state=listing.OPEN_STATES),
            "now": True,
        },
        {
            "code": "overdue",
            "label": _("Overdue reviews"),
            "value": overdue,
            "url": link(state=listing.OPEN_STATES, overdue=1),
            "alert": overdue > 0,
            "now": True,
        },
        {
            "code": "decided_month",
            "label": _("Campaigns decided this month"),
            "value": summary.decided_this_month,
            "url": link(on="decided", **{"from": this_month_param, "to": this_month_param}),
        },
        {
            "code": "median_days",
            "label": _("Median days from submission to decision"),
            "value": median_days,
            "url": link(on="decided", **in_range),
            "hint": ngettext(
                "of %(count)s decision in the period",
                "of %(count)s decisions in the period",
                decided,
            )
            % {"count": decided},
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
            "now": True,
        },
        {
            "code": "serious",
            "label": _("Open serious feedback"),
            "value": serious,
            "url": link(serious=1),
            "alert": serious > 0,
            "now": True,
        },
    ]

    # Charts' data (rendered by the view into SVG).
    state_rows = [
        {
            "key": key,
            "label": statuses[key],
            "n": by_state[key],
            "url": link(state=key, **in_range),
        }
        for key in CampaignStatus.values
        if by_state.get(key)
    ]
    team_names = dict(teams)
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
    for month in months:
        key = month.strftime("%Y-%m")
        cycle = {int(d): n for d, n in series.get((counts.CYCLE, month), no_counts).items()}
        monthly.append(
            {
                "month": month,
                "submitted": series.get((counts.SUBMITTED, month), no_counts).get("", 0),
                "decided": series.get((counts.DECIDED, month), no_counts).get("", 0),
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
    for key, n in reason_counts.items():
        outcome, _sep, reason = key.partition(":")
        reasons[reason][outcome] = n
    reason_labels = {**labels(ReviewReason), counts.NOT_STATED: _("not stated")}
    reason_rows = sorted(
        (
            {
                "code": reason,
                "label": reason_labels.get(reason, reason),
                "segments": [
                    {
                        "outcome": outcome,
                        "label": statuses[outcome],
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
    categories = labels(FeedbackCategory)
    feedback_rows = [
        {
            "code": code,
            "label": categories.get(code, code),
            "n": feedback_counts[code],
            "url": link(on="feedback", category=code, **in_range),
        }
        for code in FeedbackCategory.values
        if feedback_counts.get(code)
    ]
    workload_rows = []
    for pk in reviewer_ids:
        votes, seconds = vote_times.get(str(pk), (0, 0))  # votes, for the average
        open_row = workload.get(pk, {})
        open_row = {"open": open_row.get("open") or 0, "overdue": open_row.get("overdue") or 0}
        workload_rows.append(
            {
                "id": pk,
                "name": names.get(pk, str(pk)),
                "open": open_row.get("open", 0),
                "overdue": open_row.get("overdue", 0),
                "votes": voted_on.get(str(pk), 0),  # campaigns
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
        "empty": not any(by_state.values()) and not in_review,
        "all_time_link": link(),
        "period_link": link(**in_range),
    }
