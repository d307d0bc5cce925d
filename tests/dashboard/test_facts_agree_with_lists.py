"""The dashboard's counts (kept from each campaign's facts) and the campaign list's
filters apply the same rules ("open assignment": ``Assignment.objects.open``; "effective
decision": ``Decision.objects.effective``): for a varied set of campaigns built through
the services, every figure that links to a filtered list equals that list's count, with
and without the dashboard's filters."""

from datetime import date, timedelta

import pytest
import time_machine

from assessments import dashboard_counts, services
from assessments.models import Assignment, Campaign
from tests.conftest import REFERENCE_TIME, set_rule
from tests.dashboard.scenario import history, make, review  # noqa: F401 - a fixture
from tests.dashboard.test_figures import data_for, list_ids
from tests.factories import PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_time")]


@pytest.fixture
def varied(history, questionnaire, marketer, outsider, team, other_team, chair, board):
    """The history, and: the change request resubmitted (its reviewer is asked again on
    the second version; the first version's assignment and vote are not open work); a
    campaign waiting for the chair's confirmation (its rule decision is not yet
    effective); one with a recusal and a pending replacement; one withdrawn from review."""
    changes = history["changes"]
    services.campaign_submit(actor=marketer, campaign=changes)
    assert Assignment.objects.filter(campaign=changes, reviewer=board[1]).count() == 2

    set_rule("I", reviewers_required=1, chair_confirms=True)
    confirm = make(outsider, other_team, questionnaire, "Needs the chair", ["email"], ["uk"])
    review(confirm, outsider, chair, board[0], "approve")
    assert Campaign.objects.get(pk=confirm.pk).status == "awaiting_confirmation"
    set_rule("I", reviewers_required=1, chair_confirms=False)

    recused = make(marketer, team, questionnaire, "Recused one", ["social", "email"])
    services.campaign_submit(actor=marketer, campaign=recused)
    services.review_assign(actor=chair, campaign=recused, reviewers=[board[2]])
    assignment = Assignment.objects.get(campaign=recused, reviewer=board[2])
    services.assignment_recuse(actor=board[2], assignment=assignment, reason="My client.")

    withdrawn = make(marketer, team, questionnaire, "Withdrawn one")
    services.campaign_submit(actor=marketer, campaign=withdrawn)
    services.review_assign(actor=chair, campaign=withdrawn, reviewers=[board[0]])
    services.campaign_withdraw(actor=marketer, campaign=withdrawn, reason="Cancelled.")
    return history


def linked_figures(data) -> list[tuple[str, str, int]]:
    """(what, url, n) of every figure the dashboard links to a list with."""
    out = [
        (f["code"], f["url"], f["value"])
        for f in data["headline"]
        if f["code"] not in ("median_days", "rework")  # a median and a rate, not counts
    ]
    for group in ("states", "flags", "feedback", "dimensions"):
        out += [
            (f"{group}:{row.get('code', row['label'])}", row["url"], row["n"])
            for row in data[group]
        ]
    # A table cell or bar segment of 0 has no link (nothing to open).
    for row in data["tier_mix"]:
        out += [
            (f"tier:{row['team']}:{t['tier']}", t["url"], t["n"]) for t in row["tiers"] if t["n"]
        ]
    for row in data["reasons"]:
        out += [
            (f"reason:{row['code']}:{s['outcome']}", s["url"], s["n"])
            for s in row["segments"]
            if s["n"]
        ]
    for m in data["monthly"]:
        out += [
            (f"submitted:{m['month']}", m["submitted_url"], m["submitted"]),
            (f"decided:{m['month']}", m["decided_url"], m["decided"]),
        ]
    for row in data["workload"]:
        out += [
            (f"open:{row['name']}", row["open_url"], row["open"]),
            (f"overdue:{row['name']}", row["overdue_url"], row["overdue"]),
            (f"votes:{row['name']}", row["votes_url"], row["votes"]),
        ]
    return out


def test_every_linked_figure_equals_its_lists_count(varied, client, manager, team, board):
    client.force_login(manager)
    for filters in ({}, {"team": team}, {"channel": "email"}, {"tier": "I"}):
        data = data_for(filters)
        figures = linked_figures(data)
        assert sum(n for _what, _url, n in figures) > 0, filters
        for what, url, n in figures:
            assert len(list_ids(client, url)) == n, (filters, what, url)
    # The rules' edge cases are in the figures: the resubmission waits for board[1] on
    # its second version only, the recusal's replacement is open work, the withdrawn
    # campaign's assignment is not; the chair's pending confirmation is not a decision.
    data = data_for()
    open_work = {row["id"]: row["open"] for row in data["workload"]}
    assert sum(open_work.values()) == Assignment.objects.open().count() == 2
    assert open_work.get(board[1].pk) == 1
    decided = sum(m["decided"] for m in data["monthly"])
    assert decided == 3  # approved, changes requested, rejected; not the proposal


def test_the_vote_closes_the_open_assignment(varied, client, manager, board):
    changes = varied["changes"]
    assignment = Assignment.objects.open().get(campaign=changes, reviewer=board[1])
    if assignment.status == "pending":
        services.assignment_accept(actor=board[1], assignment=assignment, declaration="None")
    before = Assignment.objects.open().count()
    services.vote_cast(
        actor=board[1],
        campaign=changes,
        decision="approve",
        rationale="Fixed.",
        password=PASSWORD,
    )
    assert Assignment.objects.open().count() == before - 1
    client.force_login(manager)
    data = data_for()
    for what, url, n in linked_figures(data):
        assert len(list_ids(client, url)) == n, (what, url)


def vote_again(campaign, reviewer, decision, reasons=None):
    assignment = Assignment.objects.open().get(campaign=campaign, reviewer=reviewer)
    if assignment.status == "pending":
        services.assignment_accept(actor=reviewer, assignment=assignment, declaration="None")
    services.vote_cast(
        actor=reviewer,
        campaign=campaign,
        decision=decision,
        rationale="Again.",
        reasons=reasons,
        password=PASSWORD,
    )


def test_decisions_count_decisions_the_list_counts_campaigns(varied, client, manager, board):
    """A campaign decided twice in a month (changes requested, then approved) is one
    campaign decided that month, as in the list its figure opens; likewise a reviewer's
    two votes on one campaign are one campaign voted on."""
    changes = varied["changes"]
    vote_again(changes, board[1], "approve")
    client.force_login(manager)
    data = data_for()
    figure = next(f for f in data["headline"] if f["code"] == "decided_month")
    assert len(list_ids(client, figure["url"])) == figure["value"] == 3
    assert data["monthly"][-1]["decided"] == 3
    voter = next(row for row in data["workload"] if row["id"] == board[1].pk)
    assert voter["votes"] == 1
    assert list_ids(client, voter["votes_url"]) == [changes.pk]
    assert voter["avg_days"] is not None  # still the average over both votes


def test_a_campaign_decided_in_two_months_counts_once_in_each_and_in_both(
    varied, client, manager, board, marketer
):
    """Changes requested (fairness) in June, sent back again for fairness in July: the
    campaign is in June's and July's decided lists, and once in the lists over both
    months (the reviewer's votes, the reasons)."""
    changes = varied["changes"]
    with time_machine.travel(REFERENCE_TIME + timedelta(days=31), tick=True):
        vote_again(changes, board[1], "request_changes", ["fairness"])
        client.force_login(manager)
        data = data_for()
        for what, url, n in linked_figures(data):
            assert len(list_ids(client, url)) == n, (what, url)
        decided = {m["month"].month: m["decided"] for m in data["monthly"]}
        assert (decided[6], decided[7]) == (3, 1)
        voter = next(row for row in data["workload"] if row["id"] == board[1].pk)
        assert voter["votes"] == 1  # one campaign, voted on in June and in July
        fairness = next(row for row in data["reasons"] if row["code"] == "fairness")
        sent_back = {s["outcome"]: s["n"] for s in fairness["segments"]}
        assert sent_back["changes_requested"] == 1
        # A period of July only counts July's vote; one of June only, June's.
        for month, votes in ((7, 1), (6, 1)):
            filters = {"start": date(2026, month, 1), "end": date(2026, month, 1)}
            one_month = data_for(filters)
            voter = next(row for row in one_month["workload"] if row["id"] == board[1].pk)
            assert voter["votes"] == votes == len(list_ids(client, voter["votes_url"]))


def test_counting_once_over_a_range_of_months():
    """``in_range_once`` over the cells ``base_cells`` writes for votes in January,
    March and April: any range of months with a vote in it counts the campaign once."""
    votes = [["2026-01-01", 7, 60], ["2026-03-01", 7, 60], ["2026-04-01", 7, 60]]
    cells = dashboard_counts.base_cells({**facts_without_anything(), "votes": votes})
    months = [date(2026, m, 1) for m in range(1, 6)]
    for start in months:
        for end in months[months.index(start) :]:
            # What the dashboard reads: each metric's sums by key over the range.
            inside = {dashboard_counts.VOTED: {}, dashboard_counts.AGAIN["voted"]: {}}
            for (metric, period, key), (n, total) in cells.items():
                if metric in inside and start <= date.fromisoformat(period) <= end:
                    had = inside[metric].get(key, (0, 0))
                    inside[metric][key] = (had[0] + n, had[1] + total)
            counted = dashboard_counts.in_range_once(
                inside[dashboard_counts.VOTED], inside[dashboard_counts.AGAIN["voted"]], start
            )
            voted = any(start.month <= int(v[0][5:7]) <= end.month for v in votes)
            assert counted == ({"7": 1} if voted else {}), (start, end)


def facts_without_anything() -> dict:
    return {
        "open": [],
        "due": None,
        "team": 1,
        "tier": "I",
        "channels": [],
        "markets": [],
        "status": "approved",
        "created": "2026-01-01",
        "submitted": None,
        "reworked": False,
        "decisions": [],
        "flags": [],
        "dimensions": {},
        "top_dimension": "",
        "feedback": [],
        "votes": [],
    }
