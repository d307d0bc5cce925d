"""The load generator: its form parsing, and a short real run against the live test server."""

from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from assessments.models import Feedback, User
from assessments.services import campaign_create
from seeding.loadtest import answers_form, parse_page, percentile
from tests.conftest import INTAKE_POST

STEP_PAGE = """
<form method="post" action="/accounts/logout/"><input type="hidden" name="csrfmiddlewaretoken"
 value="t"><button type="submit">Sign out</button></form>
<select name="language"><option value="en" selected>English</option><option value="ar">Arabic
</option></select>
<form method="post" hx-post="/campaigns/1/assessment/privacy/">
  <input type="hidden" name="csrfmiddlewaretoken" value="t">
  <input type="hidden" name="shown" value="a">
  <input type="radio" name="a" value="yes" checked><input type="radio" name="a" value="no">
  <input type="hidden" name="shown" value="b">
  <input type="checkbox" name="b" value="x" checked><input type="checkbox" name="b" value="y">
  <input type="checkbox" name="b" value="z" checked>
  <input type="hidden" name="shown" value="c">
  <textarea name="c">
Line &amp; more</textarea>
  <input type="text" name="d" value="42" disabled>
  <select name="e"><option value="1">one</option><option value="2" selected>two</option></select>
  <button type="submit" name="action" value="save">Save</button>
</form>
"""


def test_the_wizard_form_is_submitted_as_a_browser_would():
    form = answers_form(STEP_PAGE)
    assert form.fields == [
        ("csrfmiddlewaretoken", "t"),
        ("shown", "a"),
        ("a", "yes"),
        ("shown", "b"),
        ("b", "x"),
        ("b", "z"),
        ("shown", "c"),
        ("c", "Line & more"),
        ("e", "2"),
    ]
    assert form.textareas == ["c"]
    assert parse_page(STEP_PAGE).selects == {"language": ["en", "ar"], "e": ["1", "2"]}


def test_percentiles_by_nearest_rank():
    values = [i / 1000 for i in range(1, 101)]
    assert percentile(values, 50) == 0.05
    assert percentile(values, 95) == 0.095
    assert percentile(values, 99) == 0.099
    assert percentile([], 95) == 0


def test_only_loopback_servers_unless_told():
    with pytest.raises(CommandError, match="not a loopback address"):
        call_command("loadtest", "--url", "http://192.0.2.10:8000", "--seconds", "1")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_short_run_signs_in_every_role_and_loses_no_write(
    postgres, live_server, capsys, settings
):
    # PostgreSQL: the in-memory SQLite test database locks under concurrent requests.
    settings.DEBUG = True  # seed_demo's demo accounts
    call_command("load_questionnaires", verbosity=0)
    call_command("seed_demo", verbosity=0)
    # Plain seed_demo leaves the marketer no draft (seed_demo --campaigns N does): one to edit.
    marketer = User.objects.get(email="marketer@example.com")
    intake = {**INTAKE_POST, "reaches_minors": False, "reaches_vulnerable": False}
    intake["flight_start"], intake["flight_end"] = date(2027, 1, 1), date(2027, 3, 1)
    campaign_create(actor=marketer, team=marketer.teams.get(slug="aurora"), intake=intake)
    call_command(
        "loadtest",
        "--url",
        live_server.url,
        "--users",
        "3",
        "--seconds",
        "4",
        "--max-requests",
        "60",
    )
    out = capsys.readouterr().out
    summary = out.strip().splitlines()[-1]
    assert summary.startswith("loadtest loadtest-") and summary.endswith(" OK"), out
    assert " 5xx=0 " in summary and "lost_writes=0" in summary
    for kind in ("campaign_page", "review_queue", "dashboard"):
        assert f"\n{kind} " in out, out
    marker = summary.split()[1].rstrip(":")
    accepted = int(out.split("feedback accepted=")[1].split()[0])
    assert Feedback.objects.filter(text__startswith=f"[{marker}]").count() == accepted
