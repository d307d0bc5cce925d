"""The SVG charts: geometry, right-to-left mirroring, escaping, links."""

from assessments import charts


def bars():
    return [
        charts.Bar("Alice <script>", [charts.Segment(3, "open", "/x?a=1&b=2")]),
        charts.Bar("Bob", [charts.Segment(1, "open", ""), charts.Segment(2, "overdue", "/y")]),
    ]


def test_text_is_escaped_and_bars_link_to_their_list():
    svg = str(charts.hbars(bars(), title="T & <b>", rtl=False, chart_id="c"))
    assert "<script>" not in svg and "Alice &lt;script&gt;" in svg
    assert '<title id="c-title">T &amp; &lt;b&gt;</title>' in svg
    assert '<a href="/x?a=1&amp;b=2" aria-label="Alice &lt;script&gt;, open: 3">' in svg
    assert svg.count("<a ") == 2  # the segment without a URL is not a link


def test_right_to_left_mirrors_every_bar():
    ltr = str(charts.hbars(bars(), title="T", rtl=False, chart_id="c"))
    rtl = str(charts.hbars(bars(), title="T", rtl=True, chart_id="c"))
    assert 'direction="rtl"' in rtl and 'direction="ltr"' in ltr

    def rects(svg):
        out = []
        for part in svg.split("<rect ")[1:]:
            attrs = dict(item.split("=", 1) for item in part.split(">")[0].split() if "=" in item)
            out.append((float(attrs["x"].strip('"')), float(attrs["width"].strip('"'))))
        return out

    for (x1, w1), (x2, w2) in zip(rects(ltr), rects(rtl), strict=True):
        assert w1 == w2 and abs((x1 + w1 / 2) + (x2 + w2 / 2) - charts.WIDTH) < 0.2


def test_columns_and_empty_charts():
    cols = [charts.Column("Jan", [charts.Segment(2, "submitted", "/a")]), charts.Column("Feb")]
    svg = str(charts.columns(cols, title="M", rtl=False, chart_id="m"))
    assert svg.count("<rect") == 1 and ">Jan<" in svg and ">Feb<" in svg
    assert str(charts.hbars([], title="x", rtl=False, chart_id="e")) == ""
