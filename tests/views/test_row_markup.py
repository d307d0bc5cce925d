"""The campaign page's repeated rows written by the row_markup filters: the markup the
partials had in their loops, every value escaped, and the page shows them."""

from dataclasses import dataclass
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from assessments import selectors
from assessments.templatetags import row_markup

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


def test_every_value_is_escaped():
    score = SimpleNamespace(raw=3, raw_max=9, mitigation=1, mitigation_max=4)
    html = "".join(
        [
            row_markup.dimension_rows([{"title": EVIL, "score": score, "pct_text": "27.8"}]),
            row_markup.driver_items(
                [{"text": EVIL, "display": EVIL, "points": 3, "max_points": 5}]
            ),
            row_markup.suggestion_items(
                [
                    {
                        "text": EVIL,
                        "best": EVIL,
                        "tier_after": 'II" onclick="x',
                        "tier_label": EVIL,
                        "pct_after_text": "12.5",
                    }
                ]
            ),
            row_markup.section_items([Section('a"b', EVIL, 2, 2)], "/campaigns/1/step/"),
            row_markup.timeline_items(
                [
                    {
                        "kind": "submitted",
                        "at_iso": "2026-11-29T10:00:00+00:00",
                        "at_text": "2026-11-29 10:00",
                        "label": EVIL,
                        "version": 2,
                        "system": False,
                        "actor": EVIL,
                        "reviewer": EVIL,
                        "detail": EVIL,
                    }
                ]
            ),
        ]
    )
    assert "<script>" not in html and 'onclick="x' not in html
    assert html.count(SAFE) == 11
    assert 'href="/campaigns/1/step/a&quot;b/"' in html
    assert "(+3 / 5)" in html and "3 / 9" in html and "27.8 %" in html


def test_the_filters_write_what_the_loops_wrote():
    """The same rows through the old loop markup and through the filter, as a browser
    reads them (whitespace runs are one space)."""
    loop = Template(  # the loop of partials/timeline.html before the filter
        "{% for e in rows %}\n"
        '      <li class="border-start border-2 ps-2 mb-1" data-kind="{{ e.kind }}">\n'
        '        <time datetime="{{ e.at_iso }}"><span class="ltr-value">{{ e.at_text }} UTC'
        "</span></time> · <strong>{{ e.label }}</strong>{% if e.version %} · v{{ e.version }}"
        "{% endif %}\n        · {% if e.system %}system{% else %}{{ e.actor }}{% endif %}"
        "{% if e.reviewer %} → {{ e.reviewer }}{% endif %}{% if e.detail %} · {{ e.detail }}"
        "{% endif %}\n      </li>\n    {% endfor %}"
    )
    rows = [
        {
            "kind": "vote_cast",
            "at_iso": "2026-11-29T10:00:00+00:00",
            "at_text": "2026-11-29 10:00",
            "label": "Vote cast",
            "version": 1,
            "system": False,
            "actor": "Dana <Chair>",
            "reviewer": "",
            "detail": "Approve",
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

    def squeeze(html: str) -> str:
        return " ".join(html.split()).replace("> <", "><")

    with translation.override("en"):
        assert squeeze(row_markup.timeline_items(rows)) == squeeze(
            loop.render(Context({"rows": rows}))
        )


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


def test_reviewers_votes_and_decisions_are_escaped():
    reviewer = type("Reviewer", (), {"is_specialist": True, "__str__": lambda self: EVIL})()
    assignment = SimpleNamespace(
        reviewer=reviewer,
        status="recused",
        recusal_reason=EVIL,
        coi_declaration="",
        get_status_display=lambda: EVIL,
    )
    vote = SimpleNamespace(
        version=SimpleNamespace(number=2),
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
        version=SimpleNamespace(number=2),
        get_kind_display=lambda: EVIL,
        get_outcome_display=lambda: EVIL,
        signer_name=EVIL,
        rationale=EVIL,
    )
    with translation.override("en"):
        html = "".join(
            [
                row_markup.assignment_items([assignment]),
                row_markup.vote_items([vote]),
                row_markup.decision_items([decision]),
            ]
        )
    assert "<script>" not in html
    assert html.count(SAFE) == 3 + 5 + 4
    assert '<time datetime="2026-11-29T10:00:00+00:00">2026-11-29 10:00 UTC</time>' in html
    assert "<code>0123456789abc…</code>" in html and ">specialist</span>" in html
