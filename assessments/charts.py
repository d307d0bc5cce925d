"""Server-side SVG charts: accessible, no JavaScript, usable in PDFs, mirrored for
right-to-left pages.

Each function takes rows of plain data (label, value, link, …) and returns markup. Every
text is escaped here (``html.escape``); the result is marked safe once. Every bar is a link
to the campaign list behind it, with an ``aria-label`` that says what it counts; each chart
also gets a data table (see ``partials/chart.html``) for screen readers and for copying.
"""

from dataclasses import dataclass, field
from html import escape

from django.utils.formats import get_format
from django.utils.safestring import SafeString, mark_safe

WIDTH = 640
BAR_HEIGHT = 22
GAP = 8
LABEL_WIDTH = 230
VALUE_ROOM = 70
LABEL_CHARS = 38  # longer labels are cut (the full text is the label's <title>)
COLOURS = 7  # chart-c0 … chart-c6 in app.css


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


def formatter():
    """``fmt`` for the active language, its separators looked up once (a chart formats
    every bar)."""
    decimal = get_format("DECIMAL_SEPARATOR")
    thousands = get_format("THOUSAND_SEPARATOR")

    def fmt(value) -> str:
        """A number in the active language's format (grouping, decimal separator): digits
        and separators only, so it needs no escaping."""
        if isinstance(value, float) and not value.is_integer():
            whole, _dot, fraction = f"{value:,.1f}".partition(".")
            return whole.replace(",", thousands) + decimal + fraction
        return f"{int(value):,}".replace(",", thousands)

    return fmt


def fmt(value) -> str:
    """A number in the active language's format (grouping, decimal separator)."""
    return formatter()(value)


def _x(x: float, width: float, rtl: bool) -> float:
    """Mirror an x position (of a shape ``width`` wide) for right-to-left pages."""
    return round(WIDTH - x - width, 1) if rtl else round(x, 1)


def _truncate(text: str, limit: int = LABEL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _rect(x, y, width, height, color, url, aria) -> str:
    """A bar; a link with ``aria`` (escaped markup) as its label when it has a URL."""
    rect = (
        f'<rect x="{x}" y="{y}" width="{width}" height="{height}" '
        f'class="chart-c{color % COLOURS}"></rect>'
    )
    if not url:
        return rect
    return f'<a href="{escape(url)}" aria-label="{aria}">{rect}</a>'


def hbars(bars: list[Bar], *, title: str, rtl: bool, chart_id: str) -> SafeString:
    """Horizontal (stacked) bars, one row per ``Bar``."""
    if not bars:
        return mark_safe("")  # noqa: S308 - a constant
    fmt = formatter()
    escaped: dict[str, str] = {}  # the segments' labels repeat from bar to bar
    top = max((b.total for b in bars), default=0) or 1
    scale = (WIDTH - LABEL_WIDTH - VALUE_ROOM) / top
    height = len(bars) * (BAR_HEIGHT + GAP) + GAP
    label_x = _x(LABEL_WIDTH - 8, 0, rtl)
    parts = []
    for index, bar in enumerate(bars):
        y = GAP + index * (BAR_HEIGHT + GAP)
        baseline = round(y + BAR_HEIGHT * 0.7, 1)
        label = escape(bar.label)
        short = label if len(bar.label) <= LABEL_CHARS else escape(_truncate(bar.label))
        parts.append(
            f'<text x="{label_x}" y="{baseline}" text-anchor="end" '
            f'class="chart-label">{short}<title>{label}</title></text>'
        )
        x = LABEL_WIDTH
        for segment in bar.segments:
            if segment.value <= 0:
                continue
            width = max(1.0, segment.value * scale)
            what = escaped.get(segment.label)
            if what is None:
                what = escaped[segment.label] = escape(segment.label)
            shown = escape(segment.text) if segment.text else fmt(segment.value)
            parts.append(
                _rect(
                    _x(x, width, rtl),
                    y,
                    round(width, 1),
                    BAR_HEIGHT,
                    segment.color,
                    segment.url,
                    f"{label}, {what}: {shown}",
                )
            )
            x += width
        parts.append(
            f'<text x="{_x(x + 6, 0, rtl)}" y="{baseline}" text-anchor="start" '
            f'class="chart-value">{escape(bar.note) if bar.note else fmt(bar.total)}</text>'
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
    fmt = formatter()
    plot_h, base = 160, 180
    top = max((s.value for c in cols for s in c.segments), default=0) or 1
    slot = (WIDTH - 20) / len(cols)
    per = max(1, max(len(c.segments) for c in cols))
    bar_w = max(4.0, (slot - 8) / per)
    parts = [f'<line x1="10" x2="{WIDTH - 10}" y1="{base}" y2="{base}" class="chart-axis"></line>']
    for index, col in enumerate(cols):
        x0 = 10 + index * slot + 4
        label = escape(col.label)
        for s_index, segment in enumerate(col.segments):
            h = round(segment.value / top * plot_h, 1)
            x = x0 + s_index * bar_w
            shown = escape(segment.text) if segment.text else fmt(segment.value)
            parts.append(
                _rect(
                    _x(x, bar_w - 1, rtl),
                    round(base - max(h, 0.5), 1),
                    round(bar_w - 1, 1),
                    max(h, 0.5),
                    segment.color,
                    segment.url,
                    f"{label}, {escape(segment.label)}: {shown}",
                )
            )
            if segment.value:
                parts.append(
                    f'<text x="{_x(x + (bar_w - 1) / 2, 0, rtl)}" y="{round(base - h - 3, 1)}" '
                    f'text-anchor="middle" class="chart-small">{shown}</text>'
                )
        parts.append(
            f'<text x="{_x(x0 + (slot - 8) / 2, 0, rtl)}" y="{base + 14}" text-anchor="middle" '
            f'class="chart-small">{label}</text>'
        )
    return _svg(parts, height=base + 22, title=title, rtl=rtl, chart_id=chart_id, kind="columns")


def _svg(parts, *, height: float, title: str, rtl: bool, chart_id: str, kind: str) -> SafeString:
    chart_id = escape(chart_id)
    return mark_safe(  # noqa: S308 - every text above went through escape()
        f'<svg class="chart chart-{kind}" viewBox="0 0 {WIDTH} {round(height, 1)}" '
        f'width="100%" aria-labelledby="{chart_id}-title" direction="{"rtl" if rtl else "ltr"}" '
        f'xmlns="http://www.w3.org/2000/svg"><title id="{chart_id}-title">{escape(title)}</title>'
        + "".join(parts)
        + "</svg>"
    )


def card(
    *,
    code: str,
    title: str,
    chart: str,
    numbers: str = "",
    show_numbers: str = "",
    after: str = "",
    empty: str = "",
    wide: bool = False,
) -> SafeString:
    """A chart in its card: the caption, the SVG and, under a disclosure labelled
    ``show_numbers``, its data table (``numbers``); ``after`` is shown below whether or
    not there is a chart, ``empty`` when there is neither. ``chart``, ``numbers`` and
    ``after`` are markup (their builders escape every text); ``code``, ``title``,
    ``show_numbers`` and ``empty`` are escaped here."""
    code = escape(code)
    body = []
    if chart:
        body.append(chart)
        if numbers:
            body.append(
                f'<details class="mt-2 small"><summary>{escape(show_numbers)}</summary>'
                f'<div class="table-responsive">{numbers}</div></details>'
            )
    if after:
        body.append(after)
    elif not chart:
        body.append(
            f'<p class="text-body-secondary mb-0" data-testid="chart-empty-{code}">'
            f"{escape(empty)}</p>"
        )
    return mark_safe(  # noqa: S308 - every text went through escape()
        f'<div class="{"col-12" if wide else "col-12 col-lg-6"}">'
        f'<figure class="card h-100 mb-0" data-testid="chart-{code}" '
        f'aria-labelledby="caption-{code}">'
        f'<figcaption class="card-header py-2 fw-semibold" id="caption-{code}">'
        f'{escape(title)}</figcaption><div class="card-body">{"".join(body)}</div>'
        "</figure></div>"
    )
