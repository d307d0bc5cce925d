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
LABEL_CHARS = 30  # longer labels are cut (the full text is the label's <title>)
COLOURS = 7  # chart-c0 … chart-c6 in app.css


@dataclass
class Segment:
    value: float
    label: str  # what the segment counts, for aria-label and the data table
    url: str = ""
    color: int = 0  # palette index
    text: str = ""  # shown value (defaults to the number)
    pattern: int | None = None  # a fill pattern over the colour (``pattern_id``)
    mark: str = ""  # a short text drawn on the bar when it is wide enough


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


PATTERNS = 5  # chart-p0 … chart-p4: see ``patterns``


def pattern_id(index: int) -> str:
    return f"chart-p{index % PATTERNS}"


def patterns() -> SafeString:
    """The fill patterns bars can carry besides their colour (so that no series is told
    by colour alone), defined once per page: none, diagonal lines, dots, crossed lines,
    horizontal lines."""
    shapes = [
        "",
        '<path d="M0 6L6 0" class="chart-hatch"></path>',
        '<circle cx="3" cy="3" r="1.3" class="chart-dot"></circle>',
        '<path d="M0 6L6 0M0 0L6 6" class="chart-hatch"></path>',
        '<path d="M0 3H6" class="chart-hatch"></path>',
    ]
    defs = "".join(
        f'<pattern id="{pattern_id(i)}" width="6" height="6" patternUnits="userSpaceOnUse">'
        f"{shape}</pattern>"
        for i, shape in enumerate(shapes)
    )
    return mark_safe(  # noqa: S308 - constant markup
        f'<svg width="0" height="0" class="position-absolute" aria-hidden="true" focusable="false">'
        f"<defs>{defs}</defs></svg>"
    )


def _rect(x, y, width, height, color, url, aria, pattern=None, mark="") -> str:
    """A bar; a link with ``aria`` (escaped markup) as its label when it has a URL. A
    ``pattern`` is drawn over the colour; ``mark`` (escaped) on the bar if it fits."""
    rect = (
        f'<rect x="{x}" y="{y}" width="{width}" height="{height}" '
        f'class="chart-c{color % COLOURS}"></rect>'
    )
    if pattern:
        rect += (
            f'<rect x="{x}" y="{y}" width="{width}" height="{height}" '
            f'fill="url(#{pattern_id(pattern)})"></rect>'
        )
    if mark and width >= 12 * len(mark) + 6:
        rect += (
            f'<text x="{round(x + width / 2, 1)}" y="{round(y + height * 0.72, 1)}" '
            f'text-anchor="middle" class="chart-mark">{mark}</text>'
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
                    segment.pattern,
                    escape(segment.mark),
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
