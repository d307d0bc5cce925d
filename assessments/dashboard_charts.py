"""The dashboard's SVG charts and their legends, from ``dashboard_figures.dashboard_data``."""

from django.utils.translation import gettext as _

from . import charts, listing
from .dashboard_figures import month_name


def charts_for(data: dict, *, rtl: bool) -> dict:
    """The dashboard's SVG charts, from ``dashboard_data``."""
    fmt = charts.formatter()
    # Every text translated once, not once per bar.
    campaigns = _("campaigns")
    tier_names = {t: _("tier %(tier)s") % {"tier": t} for t in ["–", *listing.TIERS]}
    months = data["monthly"]
    month_names = [month_name(m["month"], "M y") for m in months]
    out = {"patterns": charts.patterns()}
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
                        pattern=index,
                        mark=tier["tier"],
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
    # Legends: what each colour (and, for the tiers, each pattern and mark) stands for.
    out["tier_legend"] = [
        {
            "color": index,
            "pattern": charts.pattern_id(index),
            "label": _("Not yet submitted") if t == "–" else tier_names[t],
        }
        for index, t in enumerate(["–", *listing.TIERS])
    ]
    submitted, decided = _("submitted"), _("decided")
    out["monthly_legend"] = [{"color": 0, "label": submitted}, {"color": 2, "label": decided}]
    out["reasons_legend"] = [
        {"color": 3 + index, "label": seg["label"]}
        for index, seg in enumerate(data["reasons"][0]["segments"] if data["reasons"] else [])
    ]
    out["workload_legend"] = [
        {"color": 0, "label": _("open, on time")},
        {"color": 3, "label": _("overdue")},
    ]
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
        title=_("Campaigns submitted and decided per month"),
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
    out["feedback"] = charts.hbars(
        [
            charts.Bar(row["label"], [charts.Segment(row["n"], campaigns, row["url"], 5)])
            for row in data["feedback"]
        ],
        title=_("Campaigns with stakeholder feedback, by category"),
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
