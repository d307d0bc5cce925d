"""Edge cases found in review: each once crashed or left a campaign stuck."""

import pytest
from django.core import mail
from django.urls import reverse

from assessments import notifications, services
from assessments.errors import ServiceError
from assessments.models import Assignment, Campaign, Notification
from assessments.selectors import clearance
from tests.conftest import INTAKE_POST, set_rule
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def accept(reviewer, campaign):
    a = Assignment.objects.get(reviewer=reviewer, status="pending", campaign=campaign)
    services.assignment_accept(actor=reviewer, assignment=a, declaration="None")


def test_outcome_cancels_pending_assignments_and_the_next_round_can_be_accepted(
    client, complete_campaign, marketer, chair, board
):
    set_rule("I", reviewers_required=1)
    services.campaign_submit(actor=marketer, campaign=complete_campaign)
    services.review_assign(actor=chair, campaign=complete_campaign, reviewers=board[:1])
    services.decision_overrule(
        actor=chair,
        campaign=complete_campaign,
        outcome="changes_requested",
        rationale="Fix the audience first.",
        password=PASSWORD,
        **services.signing_expectation(complete_campaign, "overrule"),
    )
    assert Assignment.objects.get(reviewer=board[0]).status == "cancelled"
    services.campaign_submit(actor=marketer, campaign=complete_campaign)
    services.review_assign(actor=chair, campaign=complete_campaign, reviewers=board[:1])
    client.force_login(board[0])
    response = client.post(
        reverse("assignment_respond", args=[complete_campaign.pk]),
        {"action": "accept", "declaration": "None"},
    )
    assert response.status_code == 302
    assert Assignment.objects.filter(reviewer=board[0], status="accepted").count() == 1


def test_conditions_of_an_earlier_outcome_do_not_block_clearance(approved_campaign, chair):
    services.decision_overrule(
        actor=chair,
        campaign=approved_campaign,
        outcome="approved_with_conditions",
        rationale="Label the posts.",
        conditions=["Label every post."],
        password=PASSWORD,
        **services.signing_expectation(approved_campaign, "overrule"),
    )
    assert clearance(Campaign.objects.get(pk=approved_campaign.pk))["cleared"] is False
    services.decision_overrule(
        actor=chair,
        campaign=approved_campaign,
        outcome="approved",
        rationale="Labels are not needed after all.",
        password=PASSWORD,
        **services.signing_expectation(approved_campaign, "overrule"),
    )
    assert clearance(Campaign.objects.get(pk=approved_campaign.pk))["cleared"] is True


def test_recusal_is_refused_on_a_decided_campaign(approved_campaign, chair, board):
    extra = Assignment.objects.create(
        campaign=approved_campaign,
        version=approved_campaign.versions.get(),
        reviewer=board[1],
        status="pending",
    )
    with pytest.raises(ServiceError, match="closed"):
        services.assignment_recuse(actor=board[1], assignment=extra, reason="Busy")


def test_recusal_without_replacement_lets_the_votes_in_decide(
    complete_campaign, marketer, chair, board
):
    set_rule("I", reviewers_required=1)
    services.campaign_submit(actor=marketer, campaign=complete_campaign)
    services.review_assign(actor=chair, campaign=complete_campaign, reviewers=board[:2])
    accept(board[0], complete_campaign)
    services.vote_cast(
        actor=board[0],
        campaign=complete_campaign,
        decision="approve",
        rationale="ok",
        password=PASSWORD,
    )
    assert Campaign.objects.get(pk=complete_campaign.pk).status == "in_review"  # waits for board[1]
    for other in [*board[2:], chair]:  # nobody left to replace board[1]
        other.is_active = False
        other.save()
    pending = Assignment.objects.get(reviewer=board[1])
    services.assignment_recuse(actor=board[1], assignment=pending, reason="Conflict")
    assert Campaign.objects.get(pk=complete_campaign.pk).status == "approved"


def test_malformed_ids_are_ignored_not_a_500(client, chair, complete_campaign, marketer):
    services.campaign_submit(actor=marketer, campaign=complete_campaign)
    client.force_login(chair)
    response = client.post(
        reverse("review_assign", args=[complete_campaign.pk]), {"reviewers": ["²", "9" * 30]}
    )
    assert response.status_code == 302
    assert client.post(reverse("notifications_read"), {"ids": ["²", "9" * 30]}).status_code == 302


def test_campaign_names_are_one_line_and_subjects_are_not_html_escaped(
    client, marketer, team, questionnaire, chair, django_capture_on_commit_callbacks
):
    client.force_login(marketer)
    client.post(
        reverse("campaign_new"), {**INTAKE_POST, "team": team.pk, "name": "Salt &\r\nPepper"}
    )
    campaign = Campaign.objects.get()
    assert campaign.name == "Salt & Pepper"
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify(recipients=[chair], kind="submitted", campaign=campaign)
    assert mail.outbox[-1].subject.endswith("Salt & Pepper")


def test_people_page_queries_do_not_grow_with_people(
    client, manager, team, django_assert_max_num_queries
):
    client.force_login(manager)
    client.get(reverse("people"))
    for i in range(12):
        UserFactory(email=f"m{i}@example.com", roles=["marketer"], teams=[team])
    with django_assert_max_num_queries(14):
        client.get(reverse("people"))


def test_feedback_on_a_draft_does_not_flag_a_re_review(client, manager, campaign):
    client.force_login(manager)
    client.post(
        reverse("feedback_add", args=[campaign.pk]),
        {"category": "privacy", "severity": "serious", "text": "Too much data."},
    )
    assert Campaign.objects.get(pk=campaign.pk).rereview_flagged_at is None
    assert Notification.objects.filter(kind="feedback").exists()
