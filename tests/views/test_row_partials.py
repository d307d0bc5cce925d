"""The campaign page's repeated rows, written by loops in the partials (result,
review_panel, timeline, campaign_detail): every value a user or the questionnaire wrote
is escaped, and the page shows the rows."""

from dataclasses import dataclass
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from assessments import selectors

pytestmark = pytest.mark.django_db

EVIL = '<script>alert("x")</script> & co'
SAFE = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co"


@dataclass
class Section:
    code: str
    title: str
    required: int
    answered_required: int

    @property
    def done(self):
        return self.required == self.answered_required


def _result_context():
    score = SimpleNamespace(raw=3, raw_max=9, mitigation=1, mitigation_max=4)
    return {
        "result": SimpleNamespace(tier="II", missing=[], red_flags=[], scoring=2),
        "overall_pct_text": "27.8",
        "dimension_rows": [{"title": EVIL, "score": score, "pct_text": "27.8"}],
        "drivers": [
            {"text": EVIL, "display": EVIL, "points": 3, "max_points": 5},
            {"text": "Unanswered", "display": "", "points": 5, "max_points": 5},
        ],
        "suggestions": [
            {
                "text": EVIL,
                "best": EVIL,
                "tier_after": 'II" onclick="x',
                "tier_label": EVIL,
                "pct_after_text": "12.5",
            }
        ],
    }


def test_result_rows_are_escaped():
    with translation.override("en"):
        html = render_to_string("partials/result.html", _result_context())
    assert "<script>" not in html and 'onclick="x' not in html
    assert html.count(SAFE) == 1 + 2 + 3  # dimension; driver text and answer; suggestion
    assert "(+3 / 5)" in html and "3 / 9" in html and "27.8 %" in html
    assert 'value="27.8"' in html and "<em>not answered yet</em>" in html


def test_timeline_rows_are_escaped():
    events = [
        {
            "kind": 'submitted" x="',
            "at_iso": "2026-11-29T10:00:00+00:00",
            "at_text": "2026-11-29 10:00",
            "label": EVIL,
            "version": 2,
            "system": False,
            "actor": EVIL,
            "reviewer": EVIL,
            "detail": EVIL,
        },
        {
            "kind": "expired",
            "at_iso": "2026-11-30T00:00:00+00:00",
            "at_text": "2026-11-30 00:00",
            "label": "Approval expired",
            "version": None,
            "system": True,
            "actor": "",
            "reviewer": "",
            "detail": "",
        },
    ]
    with translation.override("en"):
        html = render_to_string(
            "partials/timeline.html",
            {
                "review": {"timeline": events, "cache_seconds": 0, "cache_key": "t"},
                "full_history": True,
            },
        )
    assert "<script>" not in html and 'x=""' not in html
    assert html.count(SAFE) == 4
    assert " · v2" in html and "· system" in html
    with translation.override("en"):
        empty = render_to_string(
            "partials/timeline.html",
            {
                "review": {"timeline": [], "cache_seconds": 0, "cache_key": "e"},
                "full_history": True,
            },
        )
    assert "No events yet." in empty


def test_reviewers_votes_and_decisions_are_escaped():
    reviewer = type("Reviewer", (), {"is_specialist": True, "__str__": lambda self: EVIL})()
    assignment = SimpleNamespace(
        reviewer=reviewer,
        status="recused",
        recusal_reason=EVIL,
        coi_declaration="",
        get_status_display=lambda: EVIL,
    )
    version = SimpleNamespace(number=1, tier="II", fingerprint="ab" * 32)
    vote = SimpleNamespace(
        version=version,
        get_decision_display=lambda: EVIL,
        rationale=EVIL,
        conditions=[EVIL],
        signer_name=EVIL,
        signed_at=datetime(2026, 11, 29, 10, 0, tzinfo=UTC),
        meaning=EVIL,
        meaning_as_signed=EVIL,
        fingerprint="0123456789abcdef0123",
    )
    decision = SimpleNamespace(
        version=version,
        get_kind_display=lambda: EVIL,
        get_outcome_display=lambda: EVIL,
        signer_name=EVIL,
        rationale=EVIL,
    )
    review = {
        "versions": [version],
        "current_version": version,
        "current_assignments": [assignment],
        "votes": [vote],
        "decisions": [decision],
        "actions": [],
        "submitted": True,
        "cache_seconds": 0,
        "cache_key": "t",
    }
    with translation.override("en"):
        html = render_to_string("partials/review_panel.html", {"review": review})
    assert "<script>" not in html
    assert html.count(SAFE) == 3 + 5 + 4
    assert '<time datetime="2026-11-29T10:00:00+00:00">2026-11-29 10:00 UTC</time>' in html
    assert "<code>0123456789abc…</code>" in html and ">specialist</span>" in html


def test_the_page_shows_the_rows(client, marketer, complete_campaign):
    client.force_login(marketer)
    html = client.get(reverse("campaign_detail", args=[complete_campaign.pk])).text
    sections = selectors.assessment_sections(
        selectors.definition_of(complete_campaign.assessment.questionnaire),
        complete_campaign.intake(),
        complete_campaign.assessment.answers,
        "en",
    )
    assert html.count('class="list-group-item d-flex') == len(sections) > 1
    assert '<meter class="ms-2 d-none d-md-inline"' in html  # the dimensions
    assert 'data-kind="created"' in html  # the history
