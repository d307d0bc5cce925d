"""``manage.py bench`` on a small seeded database: one line per page in the documented
format, the floor first with ratio 1, every page answered 200 (the command refuses
anything else), and query counts as the pages' pins say."""

import io
import re

import pytest
from django.core.management import call_command
from django.db import connection

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("reference_time")]

LINE = re.compile(
    r"^(?P<name>[a-z_0-9]+) median_ms=(?P<median>\d+\.\d) p95_ms=(?P<p95>\d+\.\d) "
    r"queries=(?P<queries>\d+) ratio=(?P<ratio>\d+\.\d\d)$"
)
PAGES = [
    "floor",
    "dashboard",
    "dashboard_filtered",
    "list_first_page",
    "list_filtered",
    "list_deep_page",
    "search_rare",
    "search_common",
    "api_list",
    "api_search_rare",
    "api_search_common",
    "campaign_detail",
    "review_queue",
    "csv_export_10k",
    "pdf_report",
]


def test_bench_prints_one_line_per_page_against_the_floor():
    call_command("load_questionnaires", verbosity=0)
    call_command("seed_demo", "--campaigns", "60", "--allow-production", stdout=io.StringIO())
    out = io.StringIO()
    call_command("bench", "--runs", "4", "--csv-memory", stdout=out)
    lines = out.getvalue().splitlines()
    timed = [LINE.match(line) for line in lines if not line.startswith("#")]
    assert all(timed), lines
    assert [m["name"] for m in timed] == PAGES
    floor = timed[0]
    assert floor["ratio"] == "1.00" and float(floor["median"]) > 0
    for m in timed:
        median, p95 = float(m["median"]), float(m["p95"])
        assert 0 < median <= p95
        # The printed medians are rounded to 0.1 ms; the ratio is of the exact ones.
        assert float(m["ratio"]) == pytest.approx(median / float(floor["median"]), rel=0.03)
    queries = {m["name"]: int(m["queries"]) for m in timed}
    assert queries["floor"] == 4  # session, user, roles, notification count
    assert queries["review_queue"] == 4  # the floor's: the lists come from the cached fragment
    # The floor's and the team filter's options: the figures and the sections (training,
    # register, incidents) come from cached fragments.
    assert queries["dashboard"] == 5
    # The floor's, the team filter's options and the page of rows: the count is kept like
    # the rows' fragment. The API: the floor's three (no notification count) and the page.
    for name in ("list_first_page", "list_filtered", "list_deep_page", "search_common"):
        assert queries[name] == 6, name
    assert queries["api_list"] == queries["api_search_common"] == 4
    memory = [line for line in lines if line.startswith("# csv_export_all")]
    assert memory and re.search(r"rows=\d+ seconds=\d+\.\d peak_python_mb=\d+\.\d", memory[0])
    if connection.vendor == "postgresql":
        assert queries["campaign_detail"] <= 8  # the review lists in one round trip
