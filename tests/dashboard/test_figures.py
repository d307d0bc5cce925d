"""The dashboard's figures against a hand-counted history built through the services,
with and without filters, and each figure's link leading to exactly the campaigns it
counts."""

import importlib
from datetime import date, timedelta
from types import SimpleNamespace
from urllib.parse import urlparse

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.urls import reverse

from assessments import (
    dashboard_counts,
    dashboard_figures,
    listing,
    paging,
    selectors,
    services,
    workflow,
)
from assessments.errors import ServiceError
from assessments.models import (
    APPROVED_STATES,
    EVERY,
    IN_REVIEW_STATES,
    Assignment,
    Campaign,
    DashboardCount,
)
from assessments.workflow import WorkflowError
from tests.dashboard.scenario import history  # noqa: F401 - a fixture
from tests.factories import PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_time")]


def data_for(filters=None, now=None):
    questionnaire = selectors.current_questionnaire()
    return dashboard_figures.dashboard_data(
        filters or {},
        definition=selectors.definition_of(questionnaire),
        language="en",
        now=now,
    )


def figures(data):
    return {f["code"]: f["value"] for f in data["headline"]}


def test_headline_figures_match_the_hand_count(history):
    data = data_for()
    assert figures(data) == {
        "in_review": 1,  # waiting
        "overdue": 0,
        "decided_month": 3,  # approved, changes requested, rejected
        "median_days": 0,
        "rework": 25.0,  # 1 of the 4 submitted got changes requested
        "expiring": 0,
        "serious": 1,
    }
    assert {row["key"]: row["n"] for row in data["states"]} == {
        "draft": 1,
        "submitted": 1,
        "changes_requested": 1,
        "approved": 1,
        "rejected": 1,
    }
    mix = {row["team"]: {t["tier"]: t["n"] for t in row["tiers"]} for row in data["tier_mix"]}
    assert mix == {
        "Aurora Beverages": {"–": 1, "I": 3, "II": 0, "III": 0, "IV": 0},
        "Northwind Retail": {"–": 0, "I": 1, "II": 0, "III": 0, "IV": 0},
    }
    this_month = data["monthly"][-1]
    assert (this_month["submitted"], this_month["decided"], this_month["median_days"]) == (
        4,
        3,
        0,
    )
    assert all(m["submitted"] == 0 for m in data["monthly"][:-1])
    reasons = {
        row["code"]: {s["outcome"]: s["n"] for s in row["segments"]} for row in data["reasons"]
    }
    assert reasons == {
        "fairness": {"rejected": 0, "changes_requested": 1},
        "privacy": {"rejected": 1, "changes_requested": 0},
    }
    assert {row["code"]: row["n"] for row in data["feedback"]} == {"privacy": 1}
    votes = {row["name"]: row["votes"] for row in data["workload"]}
    assert sorted(votes.values()) == [1, 1, 1]


def test_partial_indexes_cover_the_workflows_states():
    # "Campaigns in review", "overdue reviews" and "approvals expiring" are read from
    # partial indexes on these states: they must be the workflow's.
    assert sorted(IN_REVIEW_STATES) == sorted(workflow.OPEN_REVIEW_STATES)
    assert sorted(APPROVED_STATES) == sorted(workflow.APPROVED_STATES)


def test_clock_dependent_figures(history):
    approved = history["approved"]
    later = approved.approval_expires_at - timedelta(days=10)
    assert figures(data_for(now=later))["expiring"] == 1
    due = history["waiting"].review_due_at
    later_that_day = due.replace(hour=23, minute=59, second=0, microsecond=0)
    assert figures(data_for(now=later_that_day))["overdue"] == 0  # due today: not yet
    overdue_at = due + timedelta(days=1)
    late = data_for(now=overdue_at)
    assert figures(late)["overdue"] == 1
    # The waiting campaign has no reviewer yet; the others' reviewers have voted.
    assert all(row["open"] == row["overdue"] == 0 for row in late["workload"])


def test_filters_narrow_every_figure(history, other_team):
    northwind = figures(data_for({"team": other_team}))
    assert northwind["decided_month"] == 1 and northwind["in_review"] == 0
    assert northwind["rework"] == 0.0 and northwind["serious"] == 1
    email = data_for({"channel": "email"})
    assert {row["key"]: row["n"] for row in email["states"]} == {"rejected": 1}
    assert figures(data_for({"channel": "email", "market": "eu"}))["decided_month"] == 0
    social_eu = data_for({"channel": "social", "market": "eu"})
    assert sum(row["n"] for row in social_eu["states"]) == 4
    assert figures(data_for({"tier": "none"}))["decided_month"] == 0
    assert sum(r["n"] for r in data_for({"tier": "none"})["states"]) == 1


def test_empty_dashboard(questionnaire, manager, client):
    data = data_for()
    assert data["empty"] and data["states"] == [] and figures(data)["median_days"] is None
    client.force_login(manager)
    page = client.get(reverse("dashboard")).text
    assert 'data-testid="empty-dashboard"' in page
    last_year = data_for({"start": date(2020, 1, 1), "end": date(2020, 12, 31)})
    assert last_year["period"].start == date(2020, 1, 1) and len(last_year["monthly"]) == 12


def list_ids(client, url):
    """The campaign ids the list shows at ``url`` (all pages)."""
    ids = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.text[:500]
        page = response.context["page"]
        ids += [c["id"] for c in page.rows]
        url = (
            f"{urlparse(url).path}?{response.context['query']}&after={page.next_cursor}"
            if page.next_cursor
            else None
        )
    return ids


def test_every_figure_links_to_the_campaigns_it_counts(history, client, manager):
    client.force_login(manager)
    data = data_for()
    for figure in data["headline"]:
        if figure["code"] in ("median_days", "rework"):
            continue
        assert len(list_ids(client, figure["url"])) == figure["value"], figure
    for row in data["states"] + data["flags"] + data["feedback"]:
        assert len(list_ids(client, row["url"])) == row["n"], row
    for row in data["tier_mix"]:
        for tier in row["tiers"]:
            assert len(list_ids(client, tier["url"])) == tier["n"], (row["team"], tier)
    for row in data["reasons"]:
        for segment in row["segments"]:
            assert len(list_ids(client, segment["url"])) == segment["n"], segment
    month = data["monthly"][-1]
    assert len(list_ids(client, month["submitted_url"])) == month["submitted"]
    assert len(list_ids(client, month["decided_url"])) == month["decided"]
    rework = next(f for f in data["headline"] if f["code"] == "rework")
    assert list_ids(client, rework["url"]) == [history["changes"].pk]
    for row in data["workload"]:
        assert len(list_ids(client, row["votes_url"])) == row["votes"]
        assert len(list_ids(client, row["open_url"])) == row["open"]


def test_dashboard_page_renders_filters_from_the_url(history, client, manager, other_team):
    client.force_login(manager)
    url = reverse("dashboard") + f"?team={other_team.pk}&channel=email"
    page = client.get(url).text
    assert 'data-testid="value-decided_month"><bdi>1<' in page
    assert f'<option value="{other_team.pk}" selected>' in page
    # Segment links carry the filters.
    assert f"team={other_team.pk}" in page and "channel=email" in page
    bad = client.get(reverse("dashboard") + "?from=2026-13&tier=V")
    assert bad.status_code == 200 and 'data-testid="filter-errors"' in bad.text


def test_arabic_dashboard_is_right_to_left(history, client, manager):
    manager.language = "ar"
    manager.save(update_fields=["language"])
    client.force_login(manager)
    page = client.get(reverse("dashboard")).text
    assert 'dir="rtl"' in page and 'direction="rtl"' in page


def cells():
    return {
        (r.metric, r.channel, r.market, r.period, r.team_id, r.tier, r.key): (r.n, r.total)
        for r in DashboardCount.objects.exclude(n=0, total=0)
    }


def test_counts_kept_by_the_services_equal_a_rebuild(history, chair, marketer):
    # A few more changes of every kind: withdrawal, overrule, resubmission.
    services.campaign_withdraw(actor=marketer, campaign=history["draft"])
    services.decision_overrule(
        actor=chair,
        campaign=history["approved"],
        outcome="rejected",
        rationale="Too broad.",
        password=PASSWORD,
        **services.signing_expectation(history["approved"], "overrule"),
    )
    services.campaign_submit(actor=marketer, campaign=history["changes"])
    incremental = cells()
    assert incremental
    dashboard_counts.rebuild()
    assert cells() == incremental


def every_tier_sums(rows: dict) -> dict:
    """What the tier EVERY rows should hold: each team's tiers added up, states left out."""
    sums: dict = {}
    for (metric, channel, market, period, team, tier, key), (n, total) in rows.items():
        if tier != EVERY and metric != dashboard_counts.STATE:
            cell = (metric, channel, market, period, team, EVERY, key)
            had = sums.get(cell, (0, 0))
            sums[cell] = (had[0] + n, had[1] + total)
    return {cell: value for cell, value in sums.items() if value != (0, 0)}


def test_every_tier_rows_are_the_sum_of_the_tiers(history, chair, marketer):
    services.campaign_withdraw(actor=marketer, campaign=history["draft"])
    services.campaign_submit(actor=marketer, campaign=history["changes"])
    rows = cells()
    every = {cell: value for cell, value in rows.items() if cell[5] == EVERY}
    assert every and every == every_tier_sums(rows)
    assert not any(cell[0] == dashboard_counts.STATE for cell in every)
    # Without a tier filter the dashboard reads these rows: its figures are the sums of
    # the figures of each tier.
    tiers = {t or listing.NO_TIER for t in Campaign.objects.values_list("tier", flat=True)}
    assert len(tiers) > 1
    per_tier = [figures(data_for({"tier": tier})) for tier in tiers]
    whole = figures(data_for())
    for code in ("decided_month", "in_review", "serious", "overdue"):
        assert whole[code] == sum(f[code] for f in per_tier), code


def test_the_migration_adds_the_every_tier_rows_the_services_keep(history):
    kept = cells()
    DashboardCount.objects.filter(tier=EVERY).delete()
    migration = importlib.import_module("assessments.migrations.0017_dashboard_every_tier_counts")
    migration.add_every_tier(None, SimpleNamespace(connection=connection))
    assert cells() == kept


def test_a_rebuild_writes_the_counts_in_the_order_of_their_unique_index(history):
    # The order only speeds up building the index, but it is kept on purpose: the rows
    # must come out sorted as the constraint lists its fields, with nothing lost.
    counts = dashboard_counts.Counts()
    facts = dashboard_counts._load(list(Campaign.objects.values_list("pk", flat=True)))
    for index, one in enumerate(facts.values()):
        counts.add(one)
        if index == 1:
            counts.spread()  # groups fanned out early and late add up the same
    rows = list(counts.rows())
    fields = DashboardCount._meta.constraints[0].fields
    position = {name: name for name in fields} | {"team": "team_id"}
    columns = list(dashboard_counts._COLUMNS)
    in_index_order = [tuple(row[columns.index(position[f])] for f in fields) for row in rows]
    assert in_index_order == sorted(in_index_order)
    assert len(set(in_index_order)) == len(rows)
    expected = {}
    for one in facts.values():
        for key, (n, total) in dashboard_counts.cells_of(one).items():
            had = expected.get(key, (0, 0))
            expected[key] = (had[0] + n, had[1] + total)
    assert {tuple(row[:7]): tuple(row[7:]) for row in rows} == expected


def test_every_counted_decision_has_its_cycle_time(history, chair, marketer):
    # The dashboard reads a month's decisions as the sum of its cycle-time histogram
    # (dashboard_summary.SERIES_METRICS): the two metrics must count the same decisions.
    services.decision_overrule(
        actor=chair,
        campaign=history["approved"],
        outcome="rejected",
        rationale="Too broad.",
        password=PASSWORD,
        **services.signing_expectation(history["approved"], "overrule"),
    )
    services.campaign_submit(actor=marketer, campaign=history["changes"])

    def sums(metric):
        out = {}
        for row in DashboardCount.objects.filter(metric=metric):
            cell = (row.channel, row.market, row.period, row.team_id, row.tier)
            out[cell] = out.get(cell, 0) + row.n
        return {cell: n for cell, n in out.items() if n}

    assert sums(dashboard_counts.DECISION)
    assert sums(dashboard_counts.DECISION) == sums(dashboard_counts.CYCLE)


def test_a_failed_action_leaves_the_counts_alone(history, marketer):
    before = cells()
    with pytest.raises((ServiceError, WorkflowError)):
        services.campaign_submit(actor=marketer, campaign=history["approved"])
    assert cells() == before


def test_list_scoping_and_csv_are_the_same_rows(history, client, outsider):
    client.force_login(outsider)
    ids = list_ids(client, reverse("campaign_list"))
    assert ids == [history["rejected"].pk]  # another team's campaigns are not listed
    response = client.get(reverse("campaign_export"))
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = body.strip().splitlines()
    assert len(lines) == 2 and lines[1].startswith(f"{history['rejected'].pk},Rejected one,")
    assert response["Content-Disposition"].startswith('attachment; filename="campaigns-')


def test_csv_cells_cannot_run_as_formulas(history, client, manager, marketer):
    intake = {**history["draft"].intake(), "name": "=cmd|x"}
    intake.update({k: getattr(history["draft"], k) for k in ("objective", "description")})
    intake.update(
        {k: getattr(history["draft"], k) for k in ("audiences", "flight_start", "flight_end")}
    )
    services.campaign_update_intake(actor=marketer, campaign=history["draft"], intake=intake)
    client.force_login(manager)
    body = b"".join(client.get(reverse("campaign_export")).streaming_content).decode("utf-8-sig")
    assert ",'=cmd|x," in body


def test_list_rows_escape_what_users_typed(history, client, manager, marketer):
    """The rows (partials/campaign_rows.html): names, teams and owners are
    escaped, each row links to its campaign, states and tiers are shown by name."""
    draft = history["draft"]
    intake = {**draft.intake(), "name": '<img src=x onerror=alert(1)> & "Co"'}
    intake.update({k: getattr(draft, k) for k in ("objective", "description")})
    intake.update({k: getattr(draft, k) for k in ("audiences", "flight_start", "flight_end")})
    services.campaign_update_intake(actor=marketer, campaign=draft, intake=intake)
    marketer.display_name = "Dana <b>Bold</b>"
    marketer.save(update_fields=["display_name"])
    client.force_login(manager)
    html = client.get(reverse("campaign_list") + "?q=onerror").content.decode()
    assert "<img src=x" not in html and "<b>Bold" not in html
    url = reverse("campaign_detail", args=[draft.pk])
    assert (
        f'<tr data-campaign="{draft.pk}"><td><a href="{url}">'
        "&lt;img src=x onerror=alert(1)&gt; &amp; &quot;Co&quot;</a></td>" in html
    )
    assert "<td>Dana &lt;b&gt;Bold&lt;/b&gt;</td><td>Draft</td>" in html
    approved = client.get(reverse("campaign_list") + "?state=approved").content.decode()
    assert 'data-tier="I">Tier I · Low</span>' in approved


def test_pages_walk_forwards_and_back(history, client, manager, monkeypatch):
    monkeypatch.setattr(paging, "PAGE_SIZE", 2)
    client.force_login(manager)
    for sort in listing.SORTS:
        url = reverse("campaign_list") + f"?sort={sort}"
        forward = list_ids(client, url)
        assert sorted(forward) == sorted(c.pk for c in Campaign.objects.all()), sort
        # Back from the last page reaches the first page in the same order.
        response = client.get(url)
        pages = [[c["id"] for c in response.context["page"].rows]]
        while response.context["page"].next_cursor:
            response = client.get(url + f"&after={response.context['page'].next_cursor}")
            pages.append([c["id"] for c in response.context["page"].rows])
        back = [pages[-1]]
        while response.context["page"].prev_cursor:
            response = client.get(url + f"&before={response.context['page'].prev_cursor}")
            back.insert(0, [c["id"] for c in response.context["page"].rows])
        assert back == pages, sort


def test_the_team_filter_reads_the_teams_once_and_refuses_unknown_ones(
    history, other_team, django_assert_num_queries
):
    with django_assert_num_queries(1):  # the options and the check share one read
        form = listing.CampaignFilterForm({"team": str(other_team.pk)})
        assert form.is_valid() and form.cleaned_data["team"] == other_team
        choices = form.options("team")["team"]["choices"]
    assert (str(other_team.pk), other_team.name, True) in choices
    assert choices[0][0] == ""  # "any team" first
    for unknown in (str(other_team.pk + 1000), "abc", "1.5"):
        form = listing.CampaignFilterForm({"team": unknown})
        assert not form.is_valid()
        assert [e.code for e in form.errors.as_data()["team"]] == ["invalid_choice"], unknown


def test_bad_list_input_is_an_error_and_filters_nothing(history, client, manager):
    client.force_login(manager)
    response = client.get(reverse("campaign_list") + "?tier=V&start=yesterday")
    assert response.status_code == 400
    assert "Enter a month (YYYY-MM) or a date (YYYY-MM-DD)." in response.text
    assert response.context["page"].count == Campaign.objects.count()
    garbage = client.get(reverse("campaign_list") + "?after=not-a-cursor")
    assert garbage.status_code == 400  # a tampered cursor is an error; the first page shows
    assert "This page link is not valid" in garbage.text
    assert garbage.context["page"].count == Campaign.objects.count()


def test_reviewers_open_work_follows_assignments_and_votes(history, chair, board, marketer):
    waiting = history["waiting"]
    services.review_assign(actor=chair, campaign=waiting, reviewers=board[:2])

    def work(now=None):
        return {r["id"]: (r["open"], r["overdue"]) for r in data_for(now=now)["workload"]}

    assert work()[board[0].pk] == (1, 0) and work()[board[1].pk] == (1, 0)
    late = waiting.review_due_at + timedelta(days=1)
    assert work(now=late)[board[0].pk] == (1, 1)
    assignment = Assignment.objects.get(campaign=waiting, reviewer=board[0], status="pending")
    services.assignment_recuse(actor=board[0], assignment=assignment, reason="Conflict")
    assert work().get(board[0].pk, (0, 0))[0] == 0
    services.campaign_withdraw(actor=marketer, campaign=waiting)
    assert all(open_ == 0 for open_, _overdue in work().values())


@pytest.mark.parametrize("field, value", [("channel", "email"), ("market", "uk")])
def test_a_channel_or_market_filter_gives_the_same_rows_with_or_without_a_team(
    history, client, manager, field, value
):
    """Beside a team, state or tier filter the channel and market tests are written so the
    database checks the rows that filter leaves (listing.json_list_has(indexed=False));
    alone they use the GIN index. Both must pick the same campaigns."""
    client.force_login(manager)
    alone = list_ids(client, reverse("campaign_list") + f"?{field}={value}")
    assert alone  # the history has e-mail campaigns in the UK
    teams = dict(Campaign.objects.values_list("pk", "team_id"))
    for team_id in set(teams.values()):
        with_team = list_ids(client, reverse("campaign_list") + f"?{field}={value}&team={team_id}")
        assert with_team == [pk for pk in alone if teams[pk] == team_id]
        counted = client.get(reverse("campaign_list") + f"?{field}={value}&team={team_id}")
        assert counted.context["page"].count == len(with_team)


def test_the_migration_recounts_the_campaigns_the_services_count(history, chair, marketer):
    services.campaign_submit(actor=marketer, campaign=history["changes"])
    kept = cells()
    assert {cell[0] for cell in kept} >= {dashboard_counts.DECIDED, dashboard_counts.VOTED}
    # As before the change: decisions, not campaigns, and no counts of campaigns.
    recounted = (dashboard_counts.DECIDED, dashboard_counts.VOTED)
    DashboardCount.objects.filter(metric__in=recounted).delete()
    DashboardCount.objects.filter(metric=dashboard_counts.REASON).update(n=7)
    migration = importlib.import_module("assessments.migrations.0039_dashboard_counts_campaigns")
    migration.recount(django_apps, SimpleNamespace(connection=connection))
    assert cells() == kept
