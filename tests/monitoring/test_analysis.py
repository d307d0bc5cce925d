"""The monitoring analysis on small tables worked out by hand (no database)."""

import math
from datetime import date
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from assessments import monitoring
from assessments.monitoring import Row


def chi2_one_df_p(statistic: float) -> float:
    """P(X > x) for chi-square with one degree of freedom: erfc(sqrt(x / 2))."""
    return math.erfc(math.sqrt(statistic / 2))


def test_large_counts_use_chi_square_worked_by_hand():
    # A: 50 of 100, B: 30 of 100. Expected counts 40/60 in each row, so
    # chi² = 10²/40 + 10²/60 + 10²/40 + 10²/60 = 8.333…, one degree of freedom.
    rows = [Row("A", 100, 50), Row("B", 100, 30)]
    analysis = monitoring.analyse(rows, min_ratio=0.8, alpha=0.05)
    a, b = analysis.segments
    assert a.best and a.ratio == 1 and a.p_value is None
    assert b.rate == pytest.approx(0.3)
    assert b.ratio == pytest.approx(0.6)
    assert b.test == "chi2"
    assert b.p_value == pytest.approx(chi2_one_df_p(25 / 3), rel=1e-9)
    assert b.p_value == pytest.approx(0.00389, abs=1e-5)
    assert analysis.overall_p == pytest.approx(b.p_value)  # two segments: the same table
    assert b.adverse and analysis.breach and analysis.adverse == ["B"]
    assert analysis.worst_ratio == pytest.approx(0.6)


def test_small_counts_use_fishers_exact_worked_by_hand():
    # A: 5 of 5, B: 1 of 5. Six positives among ten; B's count is hypergeometric with
    # P(x) = C(6,x)·C(4,5−x)/C(10,5) = 6, 60, 120, 60, 6 (/252) for x = 1…5.
    # Two-sided: the outcomes no more likely than x = 1 are x = 1 and 5: 12/252.
    rows = [Row("A", 5, 5), Row("B", 5, 1)]
    analysis = monitoring.analyse(rows, min_ratio=0.8, alpha=0.05)
    b = analysis.segments[1]
    assert b.test == "fisher"
    assert b.ratio == pytest.approx(0.2)
    assert b.p_value == pytest.approx(12 / 252)
    assert analysis.breach


def test_a_low_ratio_that_is_not_significant_is_no_breach():
    # A: 4 of 5, B: 2 of 5 (ratio 0.5). x = 2 has 60/252; x = 1, 2, 4, 5 are no more
    # likely: (6 + 60 + 60 + 6)/252 = 132/252.
    analysis = monitoring.analyse([Row("A", 5, 4), Row("B", 5, 2)], min_ratio=0.8, alpha=0.05)
    b = analysis.segments[1]
    assert b.ratio == pytest.approx(0.5)
    assert b.p_value == pytest.approx(132 / 252)
    assert not b.adverse and not analysis.breach


def test_a_significant_difference_above_four_fifths_is_no_breach():
    # 50 % against 45 %: ratio 0.9, significant on 20,000 people each, not adverse impact.
    rows = [Row("A", 20000, 10000), Row("B", 20000, 9000)]
    analysis = monitoring.analyse(rows, min_ratio=0.8, alpha=0.05)
    assert analysis.segments[1].p_value < 1e-6
    assert analysis.segments[1].ratio == pytest.approx(0.9)
    assert not analysis.breach


def test_the_board_thresholds_come_from_the_arguments():
    rows = [Row("A", 20000, 10000), Row("B", 20000, 9000)]
    assert monitoring.analyse(rows, min_ratio=0.95, alpha=0.05).breach


def test_three_segments_compare_each_with_the_best():
    rows = [Row("A", 100, 30), Row("B", 100, 50), Row("C", 100, 45)]
    analysis = monitoring.analyse(rows, min_ratio=0.8, alpha=0.05)
    best = [s.segment for s in analysis.segments if s.best]
    assert best == ["B"]
    ratios = {s.segment: s.ratio for s in analysis.segments}
    assert ratios == pytest.approx({"A": 0.6, "B": 1.0, "C": 0.9})
    assert analysis.adverse == ["A"]
    # Overall test of independence, 3×2: expected positives 125/3 in every row.
    e_pos, e_neg = 125 / 3, 175 / 3
    statistic = sum((p - e_pos) ** 2 / e_pos + (100 - p - e_neg) ** 2 / e_neg for p in (30, 50, 45))
    # Two degrees of freedom: P(X > x) = exp(−x/2).
    assert analysis.overall_p == pytest.approx(math.exp(-statistic / 2), rel=1e-9)


def test_no_positive_outcome_anywhere_has_no_ratio():
    analysis = monitoring.analyse([Row("A", 10, 0), Row("B", 10, 0)], min_ratio=0.8, alpha=0.05)
    assert [s.ratio for s in analysis.segments] == [None, None]
    assert analysis.overall_p is None and not analysis.breach


# --- reading the figures ---------------------------------------------------------------------


def test_parse_with_header_arabic_names_and_arabic_indic_digits():
    text = "segment,reached,positive\nنساء,١٠٠,٣٠\nرجال, 1,000 ,500\n"
    # A thousands separator inside a CSV cell needs quoting; unquoted it is a fourth column.
    with pytest.raises(ValidationError):
        monitoring.parse_rows(text)
    rows = monitoring.parse_rows('segment,reached,positive\nنساء,١٠٠,٣٠\nرجال,"1,000",500\n')
    assert rows == [Row("نساء", 100, 30), Row("رجال", 1000, 500)]


@pytest.mark.parametrize(
    "text",
    [
        "A,10,5",  # one segment only
        "A,10,5\nB,10,11",  # more positives than people
        "A,10,5\nB,0,0",  # no one reached
        "A,10,5\nB,-1,0",  # negative
        "A,10,5\nB,1e3,0",  # exponent
        "A,10,5\nB,99999999999999999999,0",  # huge
        "A,10,5\nB,1000000001,0",  # over the limit
        "A,10,5\nB,10",  # two columns
        "A,10,5\nB,10,5,1",  # four columns
        "A,10,5\na,10,5",  # the same segment twice (case-insensitive)
        "A,10,5\nB\x00,10,5",  # NUL
        "A,10,5\nB\u202e,10,5",  # right-to-left override
        "A,10,5\nB\u2066x,10,5",  # bidi isolate
        "A,10,5\n" + "B" * 101 + ",10,5",  # overlong name
        "A,10,5\n,10,5",  # no name
        "\n".join(f"S{i},10,5" for i in range(51)),  # too many segments
        "A,10,5\nB,²,1",  # a superscript is not a digit here
        "",
    ],
)
def test_hostile_figures_are_refused_with_a_message(text):
    with pytest.raises(ValidationError) as caught:
        monitoring.parse_rows(text)
    assert caught.value.messages[0]


def test_read_csv_refuses_other_encodings_and_large_files():
    ok = SimpleUploadedFile("f.csv", "\ufeffA,1,1\nB,1,0".encode())
    assert monitoring.read_csv(ok).startswith("A,1,1")
    with pytest.raises(ValidationError):
        monitoring.read_csv(SimpleUploadedFile("f.csv", "A,1,1\né,1,0".encode("latin-1")))
    big = SimpleUploadedFile("f.csv", BytesIO(b"A,1,1\n" * 50000).getvalue())
    with pytest.raises(ValidationError):
        monitoring.read_csv(big)


# --- the schedule ----------------------------------------------------------------------------


def test_schedule_by_cadence():
    start, end = date(2027, 1, 1), date(2027, 3, 1)
    assert monitoring.schedule(cadence="none", every_days=30, start=start, end=end) == []
    assert monitoring.schedule(cadence="midflight", every_days=30, start=start, end=end) == [
        date(2027, 1, 30)
    ]
    assert monitoring.schedule(cadence="every", every_days=14, start=start, end=end) == [
        date(2027, 1, 15),
        date(2027, 1, 29),
        date(2027, 2, 12),
        date(2027, 2, 26),
    ]
    # A flight shorter than the interval still reports once, at its end.
    assert monitoring.schedule(
        cadence="every", every_days=30, start=start, end=date(2027, 1, 10)
    ) == [date(2027, 1, 10)]
    assert monitoring.next_due([date(2027, 1, 15), date(2027, 1, 29)], 1) == date(2027, 1, 29)
    assert monitoring.next_due([date(2027, 1, 15)], 1) is None
