"""Issue #20 point 4: the campaign page's history groups runs of "Answers saved" by one
person into one entry, shows only the latest entries open (the rest behind a <details>
that needs no JavaScript), and the page has an in-page navigation between its sections.
The audit log itself keeps every event."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from assessments import history, selectors
from assessments.models import AuditEvent
from assessments.services import assessment_save_answers, comment_add
from tests.conftest import LOW_RISK_ANSWERS

pytestmark = pytest.mark.django_db


def _row(seq, kind="answers_saved", actor_id=1, minute=0, day=5):
    return {
        "seq": seq,
        "kind": kind,
        "label": "Answers saved" if kind == "answers_saved" else kind,
        "at_iso": f"2026-12-{day:02d}T10:{minute:02d}:00+00:00",
        "at_text": f"2026-12-{day:02d} 10:{minute:02d}",
        "actor": f"Person {actor_id}",
        "actor_id": actor_id,
        "system": False,
        "version": None,
        "reviewer": "",
        "detail": "",
    }


def test_consecutive_saves_by_one_person_are_one_entry():
    rows = [
        _row(1, "created"),
        *[_row(2 + i, minute=2 + i) for i in range(12)],
        _row(14, actor_id=2, minute=41),  # someone else
        _row(15, "evidence_added", minute=42),
        _row(16, minute=43),  # a new run after another event
    ]
    entries = history.group_rows(rows)
    assert [(e["kind"], e.get("count", 1)) for e in entries] == [
        ("created", 1),
        ("answers_saved", 12),
        ("answers_saved", 1),
        ("evidence_added", 1),
        ("answers_saved", 1),
    ]
    run = entries[1]
    assert (run["first_at_text"], run["at_text"]) == ("2026-12-05 10:02", "2026-12-05 10:13")
    assert len(rows) == 16  # the rows themselves are not changed


def test_only_the_latest_entries_are_open():
    rows = [_row(i, "edited" if i % 2 else "answers_saved", minute=i) for i in range(30)]
    shown = history.history(rows, latest=10)
    assert len(shown.latest) == 10 and len(shown.earlier) == 20 and shown.events == 30
    assert shown.latest[-1]["seq"] == 29  # the newest is open
    assert history.history(rows, latest=None).earlier == []


def test_the_page_shows_a_run_of_saves_as_one_entry_with_its_span(
    client, marketer, campaign, reference_time
):
    for i in range(12):
        with time_machine.travel(reference_time + timedelta(minutes=2 + 3 * i), tick=False):
            answers = {**LOW_RISK_ANSWERS, "fairness.reach": 500 + i}
            assessment_save_answers(actor=marketer, campaign=campaign, answers=answers)
    assert AuditEvent.objects.filter(campaign=campaign, kind="answers_saved").count() == 12
    client.force_login(marketer)
    html = client.get(reverse("campaign_detail", args=[campaign.pk])).text
    assert html.count('data-kind="answers_saved"') == 1
    assert 'data-count="12"' in html and "Answers saved ×12" in html
    start = reference_time + timedelta(minutes=2)
    end = reference_time + timedelta(minutes=35)
    assert f"{start:%Y-%m-%d %H:%M}</time>–<time" in html
    assert f">{end:%H:%M}</time> UTC" in html
    # The sections a reader can jump between, each anchor present on the page.
    for anchor in ("result", "review", "intake", "assessment", "evidence", "feedback", "timeline"):
        assert f'href="#{anchor}"' in html and f'id="{anchor}"' in html


def test_a_long_history_keeps_the_latest_open_and_the_rest_behind_show_all(
    client, marketer, complete_campaign
):
    sections = ["privacy", "fairness"]
    for i in range(2 * history.LATEST_ENTRIES):  # comments and saves alternate: no grouping
        comment_add(
            actor=marketer, campaign=complete_campaign, text=f"note {i}", section=sections[0]
        )
        assessment_save_answers(
            actor=marketer,
            campaign=complete_campaign,
            answers={**LOW_RISK_ANSWERS, "fairness.reach": 600 + i},
        )
    client.force_login(marketer)
    html = client.get(reverse("campaign_detail", args=[complete_campaign.pk])).text
    latest = html.split('data-testid="timeline-latest"', 1)[1].split("</ol>", 1)[0]
    assert latest.count("<li") == history.LATEST_ENTRIES
    assert '<details class="mb-2" data-testid="timeline-earlier">' in html
    rows = selectors.timeline_rows(complete_campaign, "en")
    earlier = len(history.group_rows(rows)) - history.LATEST_ENTRIES
    assert f"Show all: {earlier} earlier entries" in html
    # The printed report keeps every entry open.
    report = client.get(reverse("campaign_report", args=[complete_campaign.pk])).text
    assert 'data-testid="timeline-earlier"' not in report
