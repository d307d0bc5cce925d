"""Monitoring of live campaigns: reading a report's figures (CSV or typed), the disparity
analysis, and the reporting schedule. Pure functions; the services store the results.

The analysis compares each audience segment's rate of positive outcomes with the best
segment's: the ratio is the "four-fifths rule" of the EEOC Uniform Guidelines on Employee
Selection Procedures (29 CFR 1607.4(D)), where a ratio under 0.8 is generally taken as
evidence of adverse impact. Because small samples make ratios noisy, each segment is also
tested against the best one: Pearson's chi-square test of independence on the 2×2 table, or
Fisher's exact test when an expected count is under 5. A breach is a segment whose ratio is
below the board's ratio AND whose difference is significant at the board's level
(``MONITORING_MIN_RATIO`` and ``MONITORING_ALPHA`` in the settings).
"""

import csv
import io
import math
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from scipy import stats
from scipy.stats.contingency import expected_freq

from .cleaning import unstorable
from .models import (
    APPROVED_STATES,
    Cadence,
    CampaignStatus,
    Condition,
    Decision,
    MonitoringRule,
)

MAX_SEGMENTS = 50
MIN_SEGMENTS = 2
SEGMENT_MAX = 100
MAX_PEOPLE = 1_000_000_000
MAX_CSV_BYTES = 256 * 1024
SMALL_EXPECTED = 5  # under this expected count, Fisher's exact test instead of chi-square


@dataclass(frozen=True)
class Row:
    segment: str
    reached: int
    positive: int


@dataclass
class SegmentResult:
    segment: str
    reached: int
    positive: int
    rate: float
    ratio: float | None  # rate / best rate; None when no segment had a positive outcome
    p_value: float | None  # against the best segment; None for the best itself
    test: str  # "chi2", "fisher" or "" (the best segment, or nothing to compare)
    best: bool = False
    adverse: bool = False  # below the board's ratio and significant

    @property
    def percent(self) -> float:
        return self.rate * 100


@dataclass
class Analysis:
    segments: list[SegmentResult]
    min_ratio: float
    alpha: float
    overall_p: float | None  # chi-square test of independence over every segment
    worst_ratio: float | None = None
    worst_p: float | None = None
    breach: bool = False
    adverse: list[str] = field(default_factory=list)


# --- reading the figures ---------------------------------------------------------------------


def _int(text: str, line: int, what: str) -> int:
    text = text.strip().replace(",", "").replace("_", "")
    # Decimal digits of any script (Arabic-Indic too), without signs, spaces or exponents.
    text = "".join(
        str(unicodedata.decimal(ch)) if unicodedata.decimal(ch, None) is not None else ch
        for ch in text
    )
    if not text.isascii() or not text.isdigit() or len(text) > 10:
        raise ValidationError(
            _("Line %(line)s: the %(what)s must be a whole number from 0 to 1,000,000,000.")
            % {"line": line, "what": what}
        )
    value = int(text)
    if value > MAX_PEOPLE:
        raise ValidationError(
            _("Line %(line)s: the %(what)s must be a whole number from 0 to 1,000,000,000.")
            % {"line": line, "what": what}
        )
    return value


def _segment(text: str, line: int) -> str:
    text = (text or "").strip()
    # No control or invisible formatting characters (a bidi override could make one
    # segment's name read like another's); Arabic letters are of course fine.
    if unstorable(text) or any(unicodedata.category(ch) in ("Cc", "Cf", "Co") for ch in text):
        raise ValidationError(
            _("Line %(line)s: the segment's name holds characters that are not allowed.")
            % {"line": line}
        )
    if not text or len(text) > SEGMENT_MAX:
        raise ValidationError(
            _("Line %(line)s: name the segment in at most 100 characters.") % {"line": line}
        )
    return text


def _header(cells: list[str]) -> bool:
    return len(cells) >= 2 and not cells[1].strip().replace(",", "").isdigit()


def parse_rows(text: str) -> list[Row]:
    """Rows of "segment, people reached, positive outcomes" (CSV, with or without a header
    line). Raises ``ValidationError`` naming the first bad line."""
    if unstorable(text or ""):
        raise ValidationError(_("The figures hold characters that cannot be stored."))
    lines = [
        cells for cells in csv.reader(io.StringIO(text or "")) if any(c.strip() for c in cells)
    ]
    if lines and _header(lines[0]):
        lines = lines[1:]
    return check_rows(lines)


def check_rows(lines: list[list[str]]) -> list[Row]:
    """Rows from their cells (segment, people reached, positive outcomes; line numbers from
    1), as typed, uploaded or sent to the API: the one validation of a report's figures."""
    if len(lines) > MAX_SEGMENTS:
        raise ValidationError(_("At most 50 segments in one report."))
    rows, seen = [], set()
    for number, cells in enumerate(lines, start=1):
        if len(cells) != 3:
            raise ValidationError(
                _("Line %(line)s: give three values: segment, people reached, positive outcomes.")
                % {"line": number}
            )
        segment = _segment(cells[0], number)
        reached = _int(cells[1], number, _("number of people reached"))
        positive = _int(cells[2], number, _("number of positive outcomes"))
        if reached == 0:
            raise ValidationError(_("Line %(line)s: no one was reached.") % {"line": number})
        if positive > reached:
            raise ValidationError(
                _("Line %(line)s: more positive outcomes than people reached.") % {"line": number}
            )
        key = segment.casefold()
        if key in seen:
            raise ValidationError(
                _("Line %(line)s: the segment “%(segment)s” appears twice.")
                % {"line": number, "segment": segment}
            )
        seen.add(key)
        rows.append(Row(segment, reached, positive))
    if len(rows) < MIN_SEGMENTS:
        raise ValidationError(_("Give the figures of at least two segments to compare."))
    return rows


def read_csv(upload) -> str:
    """The text of an uploaded CSV file (UTF-8, with or without a byte-order mark)."""
    if upload.size > MAX_CSV_BYTES:
        raise ValidationError(_("The CSV file is larger than 256 KB."))
    try:
        return upload.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(_("The CSV file must be UTF-8 text.")) from None


# --- the analysis ----------------------------------------------------------------------------


def compare(a: Row, b: Row) -> tuple[float, str]:
    """Two-sided p-value that ``a`` and ``b`` have the same rate, and the test used."""
    table = [[a.positive, a.reached - a.positive], [b.positive, b.reached - b.positive]]
    if min(a.positive + b.positive, a.reached + b.reached - a.positive - b.positive) == 0:
        return 1.0, "fisher"  # nobody (or everybody) had the outcome: no difference at all
    if expected_freq(table).min() < SMALL_EXPECTED:
        return float(stats.fisher_exact(table).pvalue), "fisher"
    return float(stats.chi2_contingency(table, correction=False).pvalue), "chi2"


def overall_p(rows: list[Row]) -> float | None:
    """Chi-square test of independence of segment and outcome over every segment."""
    positives = sum(r.positive for r in rows)
    negatives = sum(r.reached - r.positive for r in rows)
    if positives == 0 or negatives == 0:
        return None
    table = [[r.positive, r.reached - r.positive] for r in rows]
    return float(stats.chi2_contingency(table, correction=False).pvalue)


def analyse(rows: list[Row], *, min_ratio: float, alpha: float) -> Analysis:
    best = max(rows, key=lambda r: r.positive / r.reached)
    best_rate = best.positive / best.reached
    results = []
    for row in rows:
        rate = row.positive / row.reached
        is_best = row is best
        ratio = rate / best_rate if best_rate > 0 else None
        p_value, test = (None, "") if is_best or ratio is None else compare(row, best)
        adverse = (
            ratio is not None and p_value is not None and ratio < min_ratio and p_value < alpha
        )
        results.append(
            SegmentResult(
                segment=row.segment,
                reached=row.reached,
                positive=row.positive,
                rate=rate,
                ratio=ratio,
                p_value=p_value,
                test=test,
                best=is_best,
                adverse=adverse,
            )
        )
    analysis = Analysis(results, min_ratio, alpha, overall_p(rows))
    compared = [r for r in results if not r.best and r.ratio is not None]
    if compared:
        worst = min(compared, key=lambda r: (r.ratio, r.p_value))
        analysis.worst_ratio, analysis.worst_p = worst.ratio, worst.p_value
    analysis.adverse = [r.segment for r in results if r.adverse]
    analysis.breach = bool(analysis.adverse)
    return analysis


def finite(value: float | None) -> float | None:
    """NaN never reaches the database or JSON."""
    return value if value is not None and math.isfinite(value) else None


# --- the schedule ----------------------------------------------------------------------------


def schedule(*, cadence: str, every_days: int, start: date, end: date) -> list[date]:
    """The dates reports are due between ``start`` (the approval, or the flight's start if
    later) and ``end`` (the flight's end). ``cadence``: "none", "midflight" or "every"."""
    if cadence == "none" or end < start:
        return []
    if cadence == "midflight":
        return [start + (end - start) / 2]
    step = timedelta(days=max(1, every_days))
    dues, due = [], start + step
    while due <= end:
        dues.append(due)
        due += step
    return dues or [end]


def next_due(dues: list[date], filed: int) -> date | None:
    """The first due date not answered yet: the k-th report answers the k-th due date."""
    return dues[filed] if filed < len(dues) else None


# --- reads -----------------------------------------------------------------------------------


LIVE_STATES = frozenset(APPROVED_STATES)


@dataclass
class Plan:
    cadence: str
    every_days: int
    dues: list[date]
    filed: int
    next_due: date | None
    overdue_days: int  # 0 when nothing is overdue
    # Where the cadence comes from (PLAN_SOURCES): the tier's rule or a condition of the
    # approval.
    source: str = "rule"


PLAN_SOURCES = ("rule", "condition")


def _interval(cadence: str, every_days: int, start: date, end: date) -> float:
    """Days between reports under a cadence, to compare one with another."""
    if cadence == "none":
        return math.inf
    if cadence == "midflight":
        return max(0, (end - start).days) / 2
    return max(1, every_days)


def rules_by_tier() -> dict[str, MonitoringRule]:
    """Every tier's monitoring rule, in one query (for reads over many campaigns)."""
    return {rule.tier: rule for rule in MonitoringRule.objects.all()}


def condition_cadences(campaigns) -> dict[int, int]:
    """By campaign id, the tightest reporting cadence set by a condition of its effective
    decision (the newest one), for campaigns holding an approval with conditions: none of
    an overruled or superseded decision counts. Two queries whatever the number."""
    ids = [c.pk for c in campaigns if c.status == CampaignStatus.APPROVED_WITH_CONDITIONS]
    if not ids:
        return {}
    deciding = {}
    for campaign_id, pk in (
        Decision.objects.effective()
        .filter(campaign_id__in=ids)
        .order_by("created_at", "pk")
        .values_list("campaign_id", "pk")
    ):
        deciding[campaign_id] = pk  # the newest wins
    tightest: dict[int, int] = {}
    for campaign_id, days in Condition.objects.filter(
        decision_id__in=deciding.values(), report_every_days__isnull=False
    ).values_list("campaign_id", "report_every_days"):
        tightest[campaign_id] = min(days, tightest.get(campaign_id, days))
    return tightest


def plan_of(
    campaign,
    *,
    today: date | None = None,
    filed: int | None = None,
    rules: dict[str, MonitoringRule] | None = None,
    cadences: dict[int, int] | None = None,
) -> Plan:
    """The campaign's reporting plan, from the approval (or the flight's start if later) to
    the flight's end, and where the team is in it. The cadence is the tier's rule or, when
    it asks for reports more often, a condition of the approval (the tightest one).
    Callers reading many campaigns pass ``rules`` (``rules_by_tier()``), ``cadences``
    (``condition_cadences()``) and ``filed``, so this runs no query; alone it reads the rules
    and, for an approval with conditions, their cadences."""
    today = today or timezone.localdate()
    if rules is None:
        rules = rules_by_tier()
    if cadences is None:
        cadences = condition_cadences([campaign])
    rule = rules.get(campaign.tier)
    cadence = rule.cadence if rule else "none"
    every = rule.every_days if rule else 30
    condition_every = cadences.get(campaign.pk)
    start = campaign.flight_start
    if campaign.decided_at:
        start = max(timezone.localdate(campaign.decided_at), start)
    source = "rule"
    if condition_every and condition_every < _interval(cadence, every, start, campaign.flight_end):
        cadence, every, source = Cadence.EVERY, condition_every, "condition"
    dues = []
    if campaign.status in LIVE_STATES and campaign.decided_at:
        dues = schedule(cadence=cadence, every_days=every, start=start, end=campaign.flight_end)
    if filed is None:
        filed = campaign.monitoring_reports.count()
    due = next_due(dues, filed)
    overdue = (today - due).days if due and due < today else 0
    return Plan(cadence, every, dues, filed, due, overdue, source)
