"""The campaign page caches its review fragments (versions and reviewers, votes and
decisions, comments, history) under a key with the campaign's last audit event: every
service that changes the campaign records an event, so no action leaves the page stale.
Each step below is read once before it (the cache is warm) and must show after it."""

import re
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from assessments import permissions, selectors, services
from assessments.models import Assignment, AuditEvent, Campaign
from tests.conftest import INTAKE_POST
from tests.factories import PASSWORD
from tests.services.test_review_workflow import reload

pytestmark = pytest.mark.django_db


def history_length(html: str) -> int:
    """The events the history shows (an entry of grouped saves counts its events)."""
    timeline = html.split('data-testid="timeline"', 1)[1].split("</section>", 1)[0]
    counts = re.findall(r'data-kind="[^"]*"(?: data-count="(\d+)")?', timeline)
    return sum(int(count or 1) for count in counts)


@pytest.fixture
def readers(manager, board):
    """A manager (not on the board) and a reviewer who is not on this campaign's panel."""
    return {"manager": manager, "board": board[2]}


def pages(client, readers, campaign) -> dict[str, str]:
    url = reverse("campaign_detail", args=[campaign.pk])
    shown = {}
    for name, user in readers.items():
        client.force_login(user)
        shown[name] = client.get(url).text
    return shown


def test_every_action_shows_at_once_on_a_cached_page(
    client, readers, complete_campaign, marketer, chair, board
):
    campaign = complete_campaign
    steps = []

    def step(label, act, *, shows=(), board_only=()):
        before = pages(client, readers, campaign)  # warm: the fragments are cached now
        act()
        after = pages(client, readers, campaign)
        events = AuditEvent.objects.filter(campaign=campaign).count()
        for name, html in after.items():
            assert history_length(html) == events, (label, name)
            assert html != before[name], (label, name)
            for text in shows:
                assert text in html, (label, name, text)
            for text in board_only:
                assert (text in html) is (name == "board"), (label, name, text)
        steps.append(label)

    step(
        "intake",
        lambda: services.campaign_update_intake(
            actor=marketer,
            campaign=campaign,
            intake={
                **INTAKE_POST,
                "objective": "Grow opt-in sign-ups",
                "reaches_minors": False,
                "reaches_vulnerable": False,
                "flight_start": date(2027, 1, 1),
                "flight_end": date(2027, 3, 1),
            },
        ),
        shows=["Grow opt-in sign-ups"],
    )
    step(
        "answers",  # the result panel and the sections' counts are cached fragments too
        lambda: services.assessment_save_answers(
            actor=marketer,
            campaign=campaign,
            answers={"privacy.special": "yes", "privacy.explicit": "yes"},
        ),
        shows=["Special-category data?"],
    )
    fresh = reload(campaign)
    counts = {
        f"{s.answered_required}/{s.required}"
        for s in selectors.assessment_sections(
            selectors.definition_of(fresh.assessment.questionnaire),
            fresh.intake(),
            fresh.assessment.answers,
            "en",
        )
    }
    for name, html in pages(client, readers, campaign).items():
        assert all(f">{n}" in html for n in counts), (name, counts)
    step(
        "evidence",
        lambda: services.evidence_add(
            actor=marketer,
            campaign=campaign,
            upload=SimpleUploadedFile("dpia.pdf", b"%PDF-1.7\n%%EOF\n"),
            kind="dpia",
        ),
        shows=["dpia.pdf"],
    )
    step(
        "submit",
        lambda: services.campaign_submit(actor=marketer, campaign=campaign),
        shows=['data-testid="assignments"', "No reviewer assigned yet."],
    )
    step(
        "assign",
        lambda: services.review_assign(actor=chair, campaign=campaign, reviewers=board[:1]),
        shows=[str(board[0])],
    )

    def accept():
        assignment = Assignment.objects.get(reviewer=board[0], status="pending")
        services.assignment_accept(actor=board[0], assignment=assignment, declaration="Clean.")

    step("accept", accept, shows=["Clean."])
    step(
        "comment",
        lambda: services.comment_add(actor=marketer, campaign=campaign, text="Audience fixed."),
        shows=["Audience fixed."],
    )
    step(
        "board-only comment",
        lambda: services.comment_add(
            actor=chair, campaign=campaign, text="Between us.", board_only=True
        ),
        board_only=["Between us."],
    )
    step(
        "vote",
        lambda: services.vote_cast(
            actor=board[0],
            campaign=campaign,
            decision="approve_with_conditions",
            rationale="Sound, with a label.",
            password=PASSWORD,
            conditions=["Label every post."],
        ),
        shows=["Sound, with a label.", "Label every post.", 'data-testid="decisions"'],
    )
    condition = reload(campaign).conditions.get()
    step(
        "fulfil",
        lambda: services.condition_fulfil(actor=marketer, condition=condition, note="Labelled."),
        shows=["Labelled."],
    )
    step(
        "feedback",
        lambda: services.feedback_add(
            actor=marketer,
            campaign=campaign,
            category="privacy",
            severity="concern",
            text="Opt-out is hidden.",
        ),
        shows=["Opt-out is hidden."],
    )
    assert len(steps) == 11


def test_the_fragments_are_kept_per_language(client, manager, complete_campaign, marketer):
    services.campaign_submit(actor=marketer, campaign=complete_campaign)
    url = reverse("campaign_detail", args=[complete_campaign.pk])
    client.force_login(manager)
    english = client.get(url, headers={"accept-language": "en"}).text
    arabic = client.get(url, headers={"accept-language": "ar"}).text
    assert "Submitted for review" in english and "Submitted for review" not in arabic
    with translation.override("ar"):
        assert str(translation.gettext("Submitted for review")) in arabic


def test_a_cached_page_reads_no_review_list(client, manager, approved_campaign):
    """With its fragments cached the page reads no review list and no history."""
    url = reverse("campaign_detail", args=[approved_campaign.pk])
    client.force_login(manager)
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    read = [q["sql"] for q in captured.captured_queries]
    for table in ("assignment", "vote", "decision", "comment", "auditevent", "campaignversion"):
        assert not [sql for sql in read if sql.startswith(f'SELECT "assessments_{table}"')], table


# --- available_actions works on rows already loaded -----------------------------------------


@pytest.mark.parametrize("who", ["marketer", "chair", "assigned", "other reviewer", "manager"])
def test_available_actions_runs_no_query(
    who, approved_campaign, marketer, chair, board, manager, django_assert_num_queries
):
    user = {
        "marketer": marketer,
        "chair": chair,
        "assigned": board[0],
        "other reviewer": board[1],
        "manager": manager,
    }[who]
    campaign = selectors.campaign_for(user, approved_campaign.pk)
    user.role_set, user.team_ids  # the request's user arrives with them
    with django_assert_num_queries(0):
        permissions.available_actions(campaign, user)


def test_available_actions_follow_the_review(complete_campaign, marketer, chair, board):
    """The facts loaded with the campaign give the same answers the old queries did."""

    def actions(user):
        return permissions.available_actions(
            selectors.campaign_for(user, complete_campaign.pk), user
        )

    services.campaign_submit(actor=marketer, campaign=complete_campaign)
    assert "assign" in actions(chair) and "withdraw" in actions(marketer)
    services.review_assign(actor=chair, campaign=complete_campaign, reviewers=board[:1])
    assert "respond" in actions(board[0]) and "respond" not in actions(board[1])
    assert "vote" not in actions(board[0])
    assignment = Assignment.objects.get(reviewer=board[0], status="pending")
    services.assignment_accept(actor=board[0], assignment=assignment, declaration="None")
    assert "vote" in actions(board[0]) and "respond" not in actions(board[0])
    services.vote_cast(
        actor=board[0],
        campaign=complete_campaign,
        decision="approve",
        rationale="ok",
        password=PASSWORD,
    )
    assert "vote" not in actions(board[0])
    assert Campaign.objects.get(pk=complete_campaign.pk).status == "approved"
    assert "notice" in actions(marketer)


def test_a_reviewer_who_submitted_a_version_is_a_party(complete_campaign, marketer, chair):
    """Whoever submitted a version may not judge it, even after leaving the team."""
    marketer.roles.create(role="reviewer")
    services.campaign_submit(actor=marketer, campaign=complete_campaign)
    marketer.teams.clear()
    fresh = type(marketer).objects.get(pk=marketer.pk)
    campaign = selectors.campaign_for(fresh, complete_campaign.pk)
    assert campaign.viewer_submitted
    assert permissions.is_party(fresh, campaign)
    assert not permissions.JUDGING_ACTIONS & permissions.available_actions(campaign, fresh)


def test_facts_read_for_someone_else_are_never_used(complete_campaign, marketer, chair):
    """A campaign read for one person carries their facts: asking about another person
    is refused (available_actions) or asked of the database (is_party)."""
    services.campaign_submit(actor=marketer, campaign=complete_campaign)
    read_for_chair = selectors.campaign_for(chair, complete_campaign.pk)
    with pytest.raises(ValueError):
        permissions.available_actions(read_for_chair, marketer)
    assert permissions.is_party(marketer, read_for_chair)
    assert not permissions.is_party(chair, read_for_chair)
