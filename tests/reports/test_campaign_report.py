"""The campaign report: the printable page and the PDF, who may get them, what they show,
Arabic right-to-left with shaped letters, and a fixed number of queries."""

import re
from datetime import UTC, date

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import escape

from assessments import reports, services
from assessments.management.commands.load_questionnaires import DEFINITIONS_DIR, read_definition
from assessments.models import Assignment, AuditEvent, Campaign
from assessments.services import assessment_save_answers, campaign_create, questionnaire_load
from tests.factories import PASSWORD
from tests.reports.pdf import arabic_drawing, pdf_language, pdf_text

pytestmark = pytest.mark.django_db

TRANSPARENCY_AR = "الشفافية"  # the "Transparency" dimension of the shipped questionnaire


def report(client, campaign):
    return client.get(reverse("campaign_report", args=[campaign.pk]))


def report_pdf(client, campaign):
    return client.get(reverse("campaign_report_pdf", args=[campaign.pk]))


def utc(moment) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S") + " UTC"


@pytest.fixture
def conditional_campaign(approved_campaign, marketer, chair):
    """Approved, then overruled by the chair to "approved with conditions", with a comment:
    votes and a chair's decision with their signatures, two conditions, a long history."""
    services.comment_add(actor=chair, campaign=approved_campaign, text="Please label the posts.")
    services.decision_overrule(
        actor=chair,
        campaign=approved_campaign,
        outcome="approved_with_conditions",
        rationale="Disclosure needed",
        conditions=["Label every post as AI-generated.", "Keep the bias test report on file."],
        password=PASSWORD,
        **services.signing_expectation(approved_campaign, "overrule"),
    )
    return Campaign.objects.get(pk=approved_campaign.pk)


# --- the printable page ---------------------------------------------------------------------


def test_report_shows_intake_answers_score_signatures_conditions_and_history(
    client, conditional_campaign, manager
):
    campaign = conditional_campaign
    client.force_login(manager)
    response = report(client, campaign)
    assert response.status_code == 200
    html = response.text
    assert escape(campaign.name) in html
    assert campaign.objective in html
    assert "First-party (collected by us)" in html  # an intake label, not its code
    assert "consent" in html and "Bias tested?" in html  # an answer's display text
    assert 'data-tier="I"' in html and "Tier I · Low" in html
    assert "Fairness" in html  # a dimension of the score
    votes = list(campaign.votes.all())
    assert votes
    for vote in votes:
        assert escape(vote.signer_name) in html
        assert escape(vote.meaning) in html
        assert utc(vote.signed_at) in html
        assert vote.fingerprint in html  # in full, not truncated
    overrule = campaign.decisions.get(kind="overruled")
    assert escape(overrule.signer_name) in html and escape(overrule.meaning) in html
    conditions = list(campaign.conditions.values_list("text", flat=True))
    assert len(conditions) == 2
    for text in conditions:
        assert escape(text) in html
        # Each condition names its version: "text — v1 · status".
        assert re.search(re.escape(escape(text)) + r"</strong>\s*— v1 ·", html), text
    assert "Please label the posts." in html
    events = campaign.events.all()
    assert len(events) >= 8
    for event in events:
        assert f'data-kind="{event.kind}"' in html
        assert escape(event.get_kind_display()) in html


def test_report_page_has_print_and_pdf_but_no_forms(client, approved_campaign, marketer):
    client.force_login(marketer)
    html = report(client, approved_campaign).text
    assert "data-print" in html and "js/report-print.js" in html
    assert reverse("campaign_report_pdf", args=[approved_campaign.pk]) in html
    body = html.split('data-testid="report"', 1)[1].split("</article>", 1)[0]
    assert "<form" not in body and "<button" not in body
    # The strict CSP: no inline script or style; the one script carries the nonce.
    assert "<script>" not in html and " style=" not in html and "onclick" not in html
    assert '<script src="/static/js/report-print.js" nonce="' in html


def test_campaign_page_links_to_the_report_and_the_pdf(client, approved_campaign, marketer):
    client.force_login(marketer)
    html = client.get(reverse("campaign_detail", args=[approved_campaign.pk])).text
    assert reverse("campaign_report", args=[approved_campaign.pk]) in html
    assert reverse("campaign_report_pdf", args=[approved_campaign.pk]) in html


def test_board_only_comments_stay_out_of_the_teams_report(
    client, approved_campaign, marketer, pdf_renderer
):
    reviewer = approved_campaign.votes.get().reviewer
    services.comment_add(
        actor=reviewer, campaign=approved_campaign, text="Between us: weak DPIA.", board_only=True
    )
    client.force_login(marketer)
    assert "Between us" not in report(client, approved_campaign).text
    assert "Between us" not in pdf_text(report_pdf(client, approved_campaign).content)
    client.force_login(reviewer)
    assert "Between us" in report(client, approved_campaign).text


# --- the PDF --------------------------------------------------------------------------------


def test_pdf_is_a_real_pdf_with_the_campaign_and_its_signatures(
    client, approved_campaign, board, pdf_renderer
):
    client.force_login(board[0])
    response = report_pdf(client, approved_campaign)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="campaign-{approved_campaign.pk}-report.pdf"'
    )
    assert response.content.startswith(b"%PDF")
    assert pdf_language(response.content) == "en"
    text = pdf_text(response.content)
    assert approved_campaign.name in text
    assert approved_campaign.votes.get().signer_name in text
    assert "Tier I · Low" in text


def test_reports_are_not_cached_and_not_audited(client, approved_campaign, manager, pdf_renderer):
    client.force_login(manager)
    before = AuditEvent.objects.count()
    for response in (report(client, approved_campaign), report_pdf(client, approved_campaign)):
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]
    assert AuditEvent.objects.count() == before


def test_the_pdf_renderer_fetches_nothing(pdf_renderer):
    fetcher = reports.offline_url_fetcher()
    for url in ("https://example.com/x.css", "http://127.0.0.1/", "file:///etc/passwd"):
        with pytest.raises(ValueError, match="disallowed protocol"):
            fetcher.fetch(url)


# --- Arabic ---------------------------------------------------------------------------------


@pytest.fixture
def arabic_campaign(marketer, team):
    """A campaign on the questionnaire shipped with the app (real Arabic texts), with some
    answers, for a marketer whose language is Arabic."""
    shipped, _ = questionnaire_load(
        data=read_definition(DEFINITIONS_DIR / "ai-marketing-impact.yaml"), source="test"
    )
    campaign = campaign_create(
        actor=marketer,
        team=team,
        questionnaire=shipped,
        intake={
            "name": "Ramadan offers",
            "objective": "Grow sign-ups",
            "description": "Personalised offers",
            "channels": ["social"],
            "markets": ["gulf"],
            "audiences": "Adults",
            "ai_techniques": ["personalisation"],
            "data_sources": ["first_party"],
            "data_categories": ["contact"],
            "reaches_minors": False,
            "reaches_vulnerable": False,
            "flight_start": date(2027, 1, 1),
            "flight_end": date(2027, 3, 1),
        },
    )
    marketer.language = "ar"
    marketer.save(update_fields=["language"])
    return campaign


def test_arabic_report_page_is_right_to_left(client, arabic_campaign, marketer):
    client.force_login(marketer)
    html = report(client, arabic_campaign).text
    assert '<html lang="ar" dir="rtl">' in html
    assert TRANSPARENCY_AR in html


def test_arabic_pdf_is_right_to_left_with_shaped_arabic_text(
    client, arabic_campaign, marketer, arabic_fonts
):
    client.force_login(marketer)
    response = report_pdf(client, arabic_campaign)
    assert response.status_code == 200
    html = render_to_string(
        "assessments/report_pdf.html",
        reports.report_context(arabic_campaign, marketer, "ar"),
    )
    assert '<html lang="ar" dir="rtl">' in html
    assert pdf_language(response.content) == "ar"

    text = pdf_text(response.content)
    assert "\ufffd" not in text
    assert arabic_campaign.name in text
    # Text extraction may give the letters in logical or in visual order.
    assert TRANSPARENCY_AR in text or TRANSPARENCY_AR[::-1] in text

    drawing = arabic_drawing(response.content)
    # Drawn with the Arabic fonts of the stack (Noto Naskh Arabic), never as boxes…
    assert drawing["fonts"], drawing
    assert all("Noto-Naskh-Arabic" in name for name in drawing["fonts"]), drawing["fonts"]
    assert drawing["boxes"] == 0
    assert set(TRANSPARENCY_AR) <= drawing["letters"]
    # …and shaped: joined letters use their initial/medial/final forms (or ligatures),
    # which unshaped, isolated letters never do.
    assert drawing["nominal_letters"], drawing
    assert drawing["shaped_glyphs"] >= 10, drawing


def test_english_pdf_has_no_arabic(client, approved_campaign, marketer, pdf_renderer):
    client.force_login(marketer)
    assert arabic_drawing(report_pdf(client, approved_campaign).content)["letters"] == set()


# --- access ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["campaign_report", "campaign_report_pdf"])
def test_another_teams_marketer_gets_404(client, approved_campaign, outsider, name):
    client.force_login(outsider)
    url = reverse(name, args=[approved_campaign.pk])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404


@pytest.mark.parametrize("name", ["campaign_report", "campaign_report_pdf"])
def test_anonymous_is_sent_to_sign_in(client, approved_campaign, name):
    url = reverse(name, args=[approved_campaign.pk])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("persona", ["marketer", "manager", "reviewer", "chair"])
def test_everyone_who_sees_the_campaign_gets_the_report(
    client, approved_campaign, persona, request
):
    client.force_login(request.getfixturevalue(persona))
    assert report(client, approved_campaign).status_code == 200


@pytest.mark.parametrize("name", ["campaign_report", "campaign_report_pdf"])
def test_reports_answer_get_only(client, approved_campaign, marketer, name):
    client.force_login(marketer)
    assert client.post(reverse(name, args=[approved_campaign.pk])).status_code == 405


# --- a fixed number of queries --------------------------------------------------------------

# Session, user and roles, the campaign (with which lists have rows and the reader's part
# in the review), the chair's teams (is_party), then the review lists the report shows:
# versions, assignments, votes, decisions, comments (no conditions here). The history is
# a fragment cached under the campaign's last audit event (each report is read once
# before it is measured), the evidence files and the incidents, and the monitoring plan of
# a decided campaign (its tier's rule and its conditions' cadence, in one query; the
# reports and their rows, two more, only when there are any: test_report_monitoring.py).
# The same on every database.
REPORT_QUERIES = 13


def busy_campaign(marketer, team, questionnaire, chair, board) -> Campaign:
    """Approved like ``approved_campaign``, after a long history: many saves and comments,
    three reviewers, three signed votes."""
    campaign = campaign_create(
        actor=marketer,
        team=team,
        questionnaire=questionnaire,
        intake={
            "name": "Busy campaign",
            "objective": "Grow",
            "description": "Many events",
            "channels": ["social", "email"],
            "markets": ["eu", "uk"],
            "audiences": "Adults",
            "ai_techniques": ["segmentation"],
            "data_sources": ["first_party"],
            "data_categories": ["contact"],
            "reaches_minors": False,
            "reaches_vulnerable": False,
            "flight_start": date(2027, 1, 1),
            "flight_end": date(2027, 3, 1),
        },
    )
    answers = {
        "privacy.basis": "consent",
        "privacy.special": "no",
        "privacy.dpia": "5",
        "fairness.proxies": ["none"],
        "fairness.reach": 500,
        "fairness.tested": "yes",
    }
    for i in range(12):
        assessment_save_answers(
            actor=marketer, campaign=campaign, answers={**answers, "fairness.reach": 500 + i}
        )
    for i in range(6):
        services.comment_add(actor=marketer, campaign=campaign, text=f"Note {i}")
    services.campaign_submit(actor=marketer, campaign=campaign)
    services.review_assign(actor=chair, campaign=campaign, reviewers=board)
    for member in board:
        assignment = Assignment.objects.get(campaign=campaign, reviewer=member, status="pending")
        services.assignment_accept(actor=member, assignment=assignment, declaration="None")
    for member in board:
        services.vote_cast(
            actor=member, campaign=campaign, decision="approve", rationale="ok", password=PASSWORD
        )
    return Campaign.objects.get(pk=campaign.pk)


def test_report_queries_do_not_grow_with_history(
    client,
    approved_campaign,
    marketer,
    team,
    questionnaire,
    chair,
    board,
    django_assert_num_queries,
):
    busy = busy_campaign(marketer, team, questionnaire, chair, board)
    assert busy.status == approved_campaign.status == "approved"
    assert busy.votes.count() == 3 and approved_campaign.votes.count() == 1
    assert busy.events.count() >= approved_campaign.events.count() + 20
    client.force_login(chair)
    # The same lists have rows in both (the report skips reading empty ones).
    services.comment_add(actor=marketer, campaign=approved_campaign, text="One comment.")
    for campaign in (approved_campaign, busy):  # the session, definition and history
        report(client, campaign)
    for campaign in (approved_campaign, busy):
        with django_assert_num_queries(REPORT_QUERIES):
            assert report(client, campaign).status_code == 200
