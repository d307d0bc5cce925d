"""What the managers' dashboard shows, read in one statement (``dashboard.read``): the
summary counts the services keep, the teams, the reviewers' names and three counts of
small indexed sets of campaigns for what depends on the clock (overdue reviews,
approvals about to expire, open serious feedback). A fixed number of queries whatever
the number of campaigns. The charts, their cards and the headline are built as text
(``charts``)."""

import functools
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from html import escape
from urllib.parse import quote_plus

from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format, get_format, localize
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from . import charts, listing, working_calendar
from . import dashboard as counts
from .models import (
    EVERY,
    CampaignStatus,
    FeedbackCategory,
    ReviewReason,
)
from .questionnaire import Definition
from .workflow import add_months

# The dashboard's texts are few and fixed: each is translated once per language and
# process, not once per bar and request.
_TRANSLATED: dict[tuple[str, str], str] = {}


def _(message: str) -> str:
    """``gettext``, remembered per language."""
    key = (translation.get_language(), message)
    text = _TRANSLATED.get(key)
    if text is None:
        text = _TRANSLATED[key] = gettext(message)
    return text


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


def team_options(form, teams: list[tuple[int, str]]) -> dict:
    """The team filter's ``<option>`` elements, like ``form.options("team")``, from the
    teams (id, name) the dashboard has read anyway (the form's own choices would read
    them again)."""
    bound = form["team"]
    value = bound.value()
    current = "" if value in (None, "") else str(value)
    selected = " selected" if current == "" else ""
    html = [f'<option value=""{selected}>{escape(str(bound.field.empty_label))}</option>']
    for pk, name in teams:
        key = str(pk)
        selected = " selected" if key == current else ""
        html.append(f'<option value="{key}"{selected}>{escape(name)}</option>')
    return {"label": bound.label, "html": mark_safe("".join(html))}  # noqa: S308 - escaped


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
    campaigns = listing.apply_filters(listing.Campaign.objects.all(), scope, now=now)
    serious_items = listing.open_serious_feedback()
    if scope:  # only then narrow to the filtered campaigns (a semi-join on all is waste)
        serious_items = serious_items.filter(campaign__in=campaigns.order_by().values("pk"))
    summary = counts.read(
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
    reviewer_ids = set(workload) | {int(k) for k in vote_times if k.isdigit()}
    names = summary.people
    teams = summary.teams

    link = Links(
        {
            "team": team.pk if team else None,
            "tier": tier or None,
            "channel": filters.get("channel"),
            "market": filters.get("market"),
        }
    )
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
    this_month_param = today.strftime("%Y-%m")
    headline = [
        {
            "code": "in_review",
            "label": _("Campaigns in review"),
            "value": in_review,
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
            "value": summary.decided_this_month,
            "url": link(on="decided", **{"from": this_month_param, "to": this_month_param}),
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
                "decided": sum(cycle.values()),  # every decision has its cycle time
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
            "n": ranked[counts.FEEDBACK].get(code, (0, 0))[0],
            "url": link(on="feedback", category=code, **in_range),
        }
        for code in FeedbackCategory.values
        if ranked[counts.FEEDBACK].get(code, (0, 0))[0]
    ]
    workload_rows = []
    for pk in reviewer_ids:
        votes, seconds = vote_times.get(str(pk), (0, 0))
        open_row = workload.get(pk, {})
        open_row = {"open": open_row.get("open") or 0, "overdue": open_row.get("overdue") or 0}
        workload_rows.append(
            {
                "id": pk,
                "name": names.get(pk, str(pk)),
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
        "empty": not any(by_state.values()) and not in_review,
        "all_time_link": link(),
        "period_link": link(**in_range),
    }


def charts_for(data: dict, *, rtl: bool) -> dict:
    """The dashboard's SVG charts, from ``dashboard_data``."""
    fmt = charts.formatter()
    # Every text translated once, not once per bar.
    campaigns = _("campaigns")
    tier_names = {t: _("tier %(tier)s") % {"tier": t} for t in ["–", *listing.TIERS]}
    months = data["monthly"]
    month_names = [month_name(m["month"], "M y") for m in months]
    out = {}
    out["states"] = charts.hbars(
        [
            charts.Bar(row["label"], [charts.Segment(row["n"], campaigns, row["url"])])
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
                        tier_names[tier["tier"]],
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
    submitted, decided = _("submitted"), _("decided")
    out["monthly"] = charts.columns(
        [
            charts.Column(
                name,
                [
                    charts.Segment(m["submitted"], submitted, m["submitted_url"], color=0),
                    charts.Segment(m["decided"], decided, m["decided_url"], color=2),
                ],
            )
            for name, m in zip(month_names, months, strict=True)
        ],
        title=_("Submissions and decisions per month"),
        rtl=rtl,
        chart_id="chart-monthly",
    )
    median_days = _("median days to decision")
    out["cycle"] = charts.columns(
        [
            charts.Column(
                name,
                [
                    charts.Segment(
                        m["median_days"] or 0,
                        median_days,
                        m["decided_url"] if m["median_days"] is not None else "",
                        color=4,
                        text=fmt(m["median_days"]) if m["median_days"] is not None else "",
                    )
                ],
            )
            for name, m in zip(month_names, months, strict=True)
        ],
        title=_("Median days from submission to decision, per month"),
        rtl=rtl,
        chart_id="chart-cycle",
    )
    out["flags"] = charts.hbars(
        [
            charts.Bar(row["label"], [charts.Segment(row["n"], campaigns, row["url"], 3)])
            for row in data["flags"]
        ],
        title=_("Most frequent red flags"),
        rtl=rtl,
        chart_id="chart-flags",
    )
    average = _("average residual risk")
    out["dimensions"] = charts.hbars(
        [
            charts.Bar(
                row["label"],
                [
                    charts.Segment(
                        row["avg_pct"] or 0,
                        average,
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
    feedback = _("feedback")
    out["feedback"] = charts.hbars(
        [
            charts.Bar(row["label"], [charts.Segment(row["n"], feedback, row["url"], 5)])
            for row in data["feedback"]
        ],
        title=_("Stakeholder feedback by category"),
        rtl=rtl,
        chart_id="chart-feedback",
    )
    on_time, overdue = _("open, on time"), _("overdue")
    out["workload"] = charts.hbars(
        [
            charts.Bar(
                row["name"],
                [
                    charts.Segment(row["open"] - row["overdue"], on_time, row["open_url"], 0),
                    charts.Segment(row["overdue"], overdue, row["overdue_url"], 3),
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


# --- the charts' cards and data tables --------------------------------------------------------


def _cell_number(decimal: str):
    """A number as the template language shows it (``{{ n }}``: no grouping, the active
    language's decimal separator), ``–`` for none."""

    def number(value) -> str:
        if value is None:
            return "–"
        if isinstance(value, float):
            text = str(value)
            if "e" not in text:
                return text.replace(".", decimal)
        return str(localize(value))

    return number


def _head(first: str, others: list[str]) -> str:
    cells = "".join(f'<th scope="col" class="text-end">{escape(text)}</th>' for text in others)
    return f'<thead><tr><th scope="col">{escape(first)}</th>{cells}</tr></thead>'


def _table(head: str, rows: list[str], *, small: bool = False, testid: str = "") -> str:
    classes = "table table-sm mb-0 small" if small else "table table-sm mb-0"
    testid = f' data-testid="{testid}"' if testid else ""
    return f'<table class="{classes}"{testid}>{head}<tbody>{"".join(rows)}</tbody></table>'


def _count_link(url: str, n) -> str:
    """A count linking to its campaigns, 0 without a link."""
    return f'<a href="{escape(url)}"><bdi>{n}</bdi></a>' if n else "0"


def headline_html(figures: list[dict]) -> SafeString:
    """The headline figures' cards, each a link to the campaigns it counts."""
    number = _cell_number(get_format("DECIMAL_SEPARATOR"))
    html = []
    for figure in figures:
        code = escape(figure["code"])
        alert = " border-danger" if figure.get("alert") else ""
        value = figure["value"]
        shown = "–" if value is None else f"{number(value)}{escape(figure.get('suffix', ''))}"
        hint = figure.get("hint")
        hint = f'<div class="small text-body-secondary">{escape(hint)}</div>' if hint else ""
        html.append(
            f'<div class="col"><a class="card h-100 text-decoration-none figure-card{alert}" '
            f'href="{escape(figure["url"])}" data-testid="figure-{code}">'
            f'<div class="card-body p-2"><div class="small text-body-secondary">'
            f'{escape(figure["label"])}</div><div class="fs-4 fw-semibold" '
            f'data-testid="value-{code}"><bdi>{shown}</bdi></div>{hint}</div></a></div>'
        )
    return mark_safe("".join(html))  # noqa: S308 - every text went through escape()


def cards_for(data: dict, svgs: dict) -> list:
    """The dashboard's chart cards: each chart (``charts_for``) with its data table under
    "Show the numbers", or the reason there is nothing to show. Built as text (nine
    template includes with their loops cost more than everything else on the page)."""
    number = _cell_number(get_format("DECIMAL_SEPARATOR"))
    show = _("Show the numbers")
    cards = []

    def add(code, title, numbers="", *, empty="", after="", wide=False):
        cards.append(
            charts.card(
                code=code,
                title=title,
                chart=svgs[code],
                numbers=numbers if svgs[code] else "",
                show_numbers=show,
                after=after,
                empty=empty or _("Nothing to show for these filters."),
                wide=wide,
            )
        )

    def counted(rows) -> str:
        return _table(
            _head(_("Item"), [_("Count")]),
            [
                f'<tr><td><a href="{escape(row["url"])}">{escape(row["label"])}</a></td>'
                f'<td class="text-end"><bdi>{row["n"]}</bdi></td></tr>'
                for row in rows
            ],
        )

    no_campaigns = _("No campaigns created in the period.")
    add("states", _("Campaigns by state"), counted(data["states"]), empty=no_campaigns)

    tier_mix = data["tier_mix"]
    tiers = [t["tier"] for t in tier_mix[0]["tiers"]] if tier_mix else []
    add(
        "tier_mix",
        _("Tier mix by team"),
        _table(
            _head(
                _("Team"),
                [
                    _("Not yet submitted") if t == "–" else _("Tier %(tier)s") % {"tier": t}
                    for t in tiers
                ],
            ),
            [
                f'<tr><th scope="row">{escape(row["team"])}</th>'
                + "".join(
                    f'<td class="text-end">{_count_link(t["url"], t["n"])}</td>'
                    for t in row["tiers"]
                )
                + "</tr>"
                for row in tier_mix
            ],
        ),
        empty=no_campaigns,
    )

    monthly = _table(
        _head(_("Month"), [_("Submitted"), _("Decided"), _("Median days to decision")]),
        [
            f'<tr><th scope="row">{escape(month_name(m["month"], "F Y"))}</th>'
            f'<td class="text-end"><a href="{escape(m["submitted_url"])}">'
            f"<bdi>{m['submitted']}</bdi></a></td>"
            f'<td class="text-end"><a href="{escape(m["decided_url"])}">'
            f"<bdi>{m['decided']}</bdi></a></td>"
            f'<td class="text-end"><bdi>{number(m["median_days"])}</bdi></td></tr>'
            for m in data["monthly"]
        ],
    )
    add("monthly", _("Submissions and decisions per month"), monthly, wide=True)
    add(
        "cycle",
        _("Median days from submission to decision, per month"),
        monthly,
        wide=True,
    )
    add(
        "flags",
        _("Most frequent red flags"),
        counted(data["flags"]),
        empty=_("No red flags in the period."),
    )
    add(
        "dimensions",
        _("Highest-scoring risk dimensions"),
        _table(
            _head(
                _("Dimension"),
                [_("Average residual risk"), _("Campaigns where it is the highest")],
            ),
            [
                f'<tr><th scope="row">{escape(row["label"])}</th>'
                f'<td class="text-end"><bdi>{number(row["avg_pct"])}%</bdi></td>'
                f'<td class="text-end"><a href="{escape(row["url"])}">'
                f"<bdi>{row['n']}</bdi></a></td></tr>"
                for row in data["dimensions"]
            ],
        ),
        empty=_("No submitted assessments in the period."),
    )
    reasons = data["reasons"]
    add(
        "reasons",
        _("Reasons for rejections and change requests"),
        _table(
            _head(_("Reason"), [seg["label"] for seg in reasons[0]["segments"]] if reasons else []),
            [
                f'<tr><th scope="row">{escape(row["label"])}</th>'
                + "".join(
                    f'<td class="text-end">{_count_link(seg["url"], seg["n"])}</td>'
                    for seg in row["segments"]
                )
                + "</tr>"
                for row in reasons
            ],
        ),
        empty=_("No rejections or change requests in the period."),
    )
    add(
        "feedback",
        _("Stakeholder feedback by category"),
        counted(data["feedback"]),
        empty=_("No feedback in the period."),
    )
    workload = ""
    if data["workload"]:
        # Always shown (not under "Show the numbers"): the chart has only the open work.
        workload = (
            '<div class="table-responsive">'
            + _table(
                _head(
                    _("Reviewer"),
                    [
                        _("Open assignments"),
                        _("Overdue"),
                        _("Votes in the period"),
                        _("Average days to vote"),
                    ],
                ),
                [
                    f'<tr><th scope="row">{escape(row["name"])}</th>'
                    f'<td class="text-end"><a href="{escape(row["open_url"])}">'
                    f"<bdi>{row['open']}</bdi></a></td>"
                    '<td class="text-end">'
                    + (
                        f'<a class="text-danger" href="{escape(row["overdue_url"])}">'
                        f"<bdi>{row['overdue']}</bdi></a>"
                        if row["overdue"]
                        else "0"
                    )
                    + "</td>"
                    f'<td class="text-end"><a href="{escape(row["votes_url"])}">'
                    f"<bdi>{row['votes']}</bdi></a></td>"
                    f'<td class="text-end"><bdi>{number(row["avg_days"])}</bdi></td></tr>'
                    for row in data["workload"]
                ],
                small=True,
                testid="workload-table",
            )
            + "</div>"
        )
    add(
        "workload",
        _("Reviewer workload"),
        after=workload,
        empty=_("No reviewer has open assignments or votes in the period."),
        wide=True,
    )
    return cards
