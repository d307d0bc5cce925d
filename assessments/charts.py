"""Server-side SVG charts: accessible, no JavaScript, usable in PDFs, mirrored for
right-to-left pages.

Each function takes rows of plain data (label, value, link, …) and returns markup
(escaped with ``format_html``). Every bar is a link to the campaign list behind it, with
an ``aria-label`` that says what it counts; each chart also gets a data table (see the
``partials/chart.html`` template) for screen readers and for copying.
"""

from dataclasses import dataclass, field

from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

WIDTH = 640
BAR_HEIGHT = 22
GAP = 8
LABEL_WIDTH = 230
VALUE_ROOM = 70
PALETTE = ["#2f6db5", "#e08a1e", "#3a9a5b", "#b53a3a", "#7a53b5", "#4f8f9b", "#9b6b4f"]


@dataclass
class Segment:
    value: float
    label: str  # what the segment counts, for aria-label and the data table
    url: str = ""
    color: int = 0  # palette index
    text: str = ""  # shown value (defaults to the number)


@dataclass
class Bar:
    label: str
    segments: list[Segment] = field(default_factory=list)
    note: str = ""  # shown after the bar (defaults to the sum)

    @property
    def total(self) -> float:
        return sum(s.value for s in self.segments)


def fmt(value) -> str:
    if isinstance(value, float) and not value.is_integer():
        return number_format(value, decimal_pos=1, use_l10n=True)
    return number_format(int(value), use_l10n=True, force_grouping=True)


def _x(x: float, width: float, rtl: bool) -> float:
    """Mirror an x position (of a shape ``width`` wide) for right-to-left pages."""
    return round(WIDTH - x - width, 1) if rtl else round(x, 1)


def _truncate(text: str, limit: int = 38) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def hbars(bars: list[Bar], *, title: str, rtl: bool, chart_id: str) -> SafeString:
    """Horizontal (stacked) bars, one row per ``Bar``."""
    if not bars:
        return mark_safe("")  # noqa: S308 - a constant
    top = max((b.total for b in bars), default=0) or 1
    scale = (WIDTH - LABEL_WIDTH - VALUE_ROOM) / top
    height = len(bars) * (BAR_HEIGHT + GAP) + GAP
    parts = []
    for index, bar in enumerate(bars):
        y = GAP + index * (BAR_HEIGHT + GAP)
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="end" class="chart-label">{}<title>{}</title>'
                "</text>",
                _x(LABEL_WIDTH - 8, 0, rtl),
                y + BAR_HEIGHT * 0.7,
                _truncate(bar.label),
                bar.label,
            )
        )
        x = LABEL_WIDTH
        for segment in bar.segments:
            if segment.value <= 0:
                continue
            width = max(1.0, segment.value * scale)
            rect = format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" class="chart-c{}"></rect>',
                _x(x, width, rtl),
                y,
                round(width, 1),
                BAR_HEIGHT,
                segment.color % len(PALETTE),
            )
            aria = f"{bar.label}, {segment.label}: {segment.text or fmt(segment.value)}"
            if segment.url:
                rect = format_html('<a href="{}" aria-label="{}">{}</a>', segment.url, aria, rect)
            parts.append(rect)
            x += width
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="start" class="chart-value">{}</text>',
                _x(x + 6, 0, rtl),
                y + BAR_HEIGHT * 0.7,
                bar.note or fmt(bar.total),
            )
        )
    return _svg(parts, height=height, title=title, rtl=rtl, chart_id=chart_id, kind="hbars")


@dataclass
class Column:
    label: str  # e.g. the month
    segments: list[Segment] = field(default_factory=list)  # side by side


def columns(cols: list[Column], *, title: str, rtl: bool, chart_id: str) -> SafeString:
    """Grouped vertical bars over time (oldest first; oldest on the right in RTL)."""
    if not cols:
        return mark_safe("")  # noqa: S308 - a constant
    plot_h, base = 160, 180
    top = max((s.value for c in cols for s in c.segments), default=0) or 1
    slot = (WIDTH - 20) / len(cols)
    per = max(1, max(len(c.segments) for c in cols))
    bar_w = max(4.0, (slot - 8) / per)
    parts = [
        format_html(
            '<line x1="10" x2="{}" y1="{}" y2="{}" class="chart-axis"></line>',
            WIDTH - 10,
            base,
            base,
        )
    ]
    for index, col in enumerate(cols):
        x0 = 10 + index * slot + 4
        for s_index, segment in enumerate(col.segments):
            h = round(segment.value / top * plot_h, 1)
            x = x0 + s_index * bar_w
            rect = format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" class="chart-c{}"></rect>',
                _x(x, bar_w - 1, rtl),
                round(base - max(h, 0.5), 1),
                round(bar_w - 1, 1),
                max(h, 0.5),
                segment.color % len(PALETTE),
            )
            aria = f"{col.label}, {segment.label}: {segment.text or fmt(segment.value)}"
            if segment.url:
                rect = format_html('<a href="{}" aria-label="{}">{}</a>', segment.url, aria, rect)
            parts.append(rect)
            if segment.value:
                parts.append(
                    format_html(
                        '<text x="{}" y="{}" text-anchor="middle" class="chart-small">{}</text>',
                        _x(x + (bar_w - 1) / 2, 0, rtl),
                        round(base - h - 3, 1),
                        segment.text or fmt(segment.value),
                    )
                )
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="middle" class="chart-small">{}</text>',
                _x(x0 + (slot - 8) / 2, 0, rtl),
                base + 14,
                col.label,
            )
        )
    return _svg(parts, height=base + 22, title=title, rtl=rtl, chart_id=chart_id, kind="columns")


def _svg(parts, *, height: float, title: str, rtl: bool, chart_id: str, kind: str) -> SafeString:
    return format_html(
        '<svg class="chart chart-{}" viewBox="0 0 {} {}" width="100%" aria-labelledby="{}-title" '
        'direction="{}" xmlns="http://www.w3.org/2000/svg"><title id="{}-title">{}</title>'
        "{}</svg>",
        kind,
        WIDTH,
        round(height, 1),
        chart_id,
        "rtl" if rtl else "ltr",
        chart_id,
        title,
        format_html_join("", "{}", ((p,) for p in parts)),
    )
