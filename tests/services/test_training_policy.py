"""The training policy (issue #21): a marketer needs current required training to submit, a
reviewer or chair to vote, confirm or overrule; each switchable by a setting; nothing needed
when no module is required for the role. Expiry boundaries with a frozen clock."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from assessments import services, training
from assessments.models import Assignment, AuditEvent, Campaign, EventKind, Vote
from assessments.training import TrainingRequired
from tests.conftest import set_rule
from tests.factories import PASSWORD
from tests.training_support import complete, make_module

pytestmark = pytest.mark.django_db

T0 = datetime(2025, 6, 15, 10, 0, tzinfo=UTC)


def test_a_marketer_without_required_training_cannot_submit(marketer, complete_campaign):
    module = make_module(roles=["marketer"])
    with pytest.raises(TrainingRequired) as refused:
        services.campaign_submit(actor=marketer, campaign=complete_campaign)
    assert Campaign.objects.get(pk=complete_campaign.pk).status == "draft"
    assert not complete_campaign.versions.exists()
    # The refusal says what is missing and links to it.
    url = reverse("training_module", args=[module.pk])
    assert f'<a href="{url}">Privacy and consent</a> (not taken)' in str(refused.value.message)
    assert url in refused.value.text and "<a" not in refused.value.text
    assert [s.module for s in refused.value.missing] == [module]


def test_a_marketer_with_current_training_submits(marketer, complete_campaign):
    module = make_module(roles=["marketer"])
    complete(marketer, module, datetime.now(UTC) - timedelta(days=30))
    services.campaign_submit(actor=marketer, campaign=complete_campaign)
    assert Campaign.objects.get(pk=complete_campaign.pk).status != "draft"


def test_expired_training_refuses_and_says_when_it_expired(marketer, complete_campaign):
    module = make_module(roles=["marketer"], validity_months=12)
    complete(marketer, module, datetime.now(UTC) - timedelta(days=400))
    with pytest.raises(TrainingRequired) as refused:
        services.campaign_submit(actor=marketer, campaign=complete_campaign)
    assert refused.value.missing[0].state == training.EXPIRED
    assert "expired on" in refused.value.text


def test_the_latest_completion_counts(marketer, complete_campaign):
    module = make_module(roles=["marketer"])
    complete(marketer, module, datetime.now(UTC) - timedelta(days=800))  # long expired
    complete(marketer, module, datetime.now(UTC) - timedelta(days=10))  # renewed
    services.campaign_submit(actor=marketer, campaign=complete_campaign)


def test_nothing_is_needed_when_no_module_is_required_for_the_role(marketer, complete_campaign):
    make_module(roles=["reviewer", "chair"])
    make_module(roles=["marketer"], is_active=False, title_en="Retired")
    services.campaign_submit(actor=marketer, campaign=complete_campaign)


def test_the_submit_policy_can_be_switched_off(settings, marketer, complete_campaign):
    settings.TRAINING_REQUIRED_TO_SUBMIT = False
    make_module(roles=["marketer"])
    services.campaign_submit(actor=marketer, campaign=complete_campaign)


@pytest.mark.parametrize(
    ("moment", "state"),
    [
        (timedelta(seconds=-1), training.CURRENT),
        (timedelta(0), training.EXPIRED),  # expires_at itself is already expired
        (timedelta(days=1), training.EXPIRED),
    ],
)
def test_expiry_boundary(marketer, moment, state):
    module = make_module(roles=["marketer"], validity_months=12)
    completion = complete(marketer, module, T0)
    assert completion.expires_at == datetime(2026, 6, 15, 10, 0, tzinfo=UTC)
    with time_machine.travel(completion.expires_at + moment, tick=False):
        [status] = training.status_of(marketer)
    assert status.state == state


def test_month_end_validity_keeps_to_the_last_day(marketer):
    module = make_module(roles=["marketer"], validity_months=1)
    completion = complete(marketer, module, datetime(2026, 1, 31, 12, 0, tzinfo=UTC))
    assert completion.expires_at == datetime(2026, 2, 28, 12, 0, tzinfo=UTC)


# --- the board -------------------------------------------------------------------------------


@pytest.fixture
def accepted(marketer, complete_campaign, chair, board):
    services.campaign_submit(actor=marketer, campaign=complete_campaign)
    services.review_assign(actor=chair, campaign=complete_campaign, reviewers=board[:1])
    assignment = Assignment.objects.get(reviewer=board[0], status="pending")
    services.assignment_accept(actor=board[0], assignment=assignment, declaration="None")
    return Campaign.objects.get(pk=complete_campaign.pk)


def vote(reviewer, campaign):
    return services.vote_cast(
        actor=reviewer, campaign=campaign, decision="approve", rationale="ok", password=PASSWORD
    )


def test_a_reviewer_without_training_cannot_vote(accepted, board):
    make_module(roles=["reviewer"])
    events = AuditEvent.objects.count()
    with pytest.raises(TrainingRequired):
        vote(board[0], accepted)
    assert not Vote.objects.exists()
    assert AuditEvent.objects.count() == events  # not even a failed signature


def test_a_reviewer_with_training_votes(accepted, board):
    module = make_module(roles=["reviewer"])
    complete(board[0], module, datetime.now(UTC) - timedelta(days=1))
    vote(board[0], accepted)
    assert Vote.objects.count() == 1


def test_the_decide_setting_switches_the_vote_check_off(settings, accepted, board):
    settings.TRAINING_REQUIRED_TO_DECIDE = False
    make_module(roles=["reviewer"])
    vote(board[0], accepted)


def test_a_marketer_module_does_not_hold_back_a_reviewer(accepted, board):
    make_module(roles=["marketer"])
    vote(board[0], accepted)


@pytest.fixture
def awaiting(accepted, board):
    set_rule("I", chair_confirms=True)
    vote(board[0], accepted)
    campaign = Campaign.objects.get(pk=accepted.pk)
    assert campaign.status == "awaiting_confirmation"
    return campaign


def test_a_chair_without_training_cannot_confirm(awaiting, chair):
    make_module(roles=["chair"])
    with pytest.raises(TrainingRequired):
        services.decision_confirm(
            actor=chair,
            campaign=awaiting,
            password=PASSWORD,
            **services.signing_expectation(awaiting, "confirm"),
        )
    assert Campaign.objects.get(pk=awaiting.pk).status == "awaiting_confirmation"
    assert not AuditEvent.objects.filter(kind=EventKind.CONFIRMED).exists()


def test_a_chair_without_training_cannot_overrule(approved_campaign, chair):
    make_module(roles=["chair"])
    with pytest.raises(TrainingRequired):
        services.decision_overrule(
            actor=chair,
            campaign=approved_campaign,
            outcome="rejected",
            rationale="No.",
            password=PASSWORD,
            **services.signing_expectation(approved_campaign, "overrule"),
        )
    assert Campaign.objects.get(pk=approved_campaign.pk).status == "approved"


def test_a_chair_with_training_overrules(approved_campaign, chair):
    module = make_module(roles=["chair", "reviewer"])
    complete(chair, module, datetime.now(UTC) - timedelta(days=1))
    services.decision_overrule(
        actor=chair,
        campaign=approved_campaign,
        outcome="rejected",
        rationale="No.",
        password=PASSWORD,
        **services.signing_expectation(approved_campaign, "overrule"),
    )
    assert Campaign.objects.get(pk=approved_campaign.pk).status == "rejected"


def test_a_chair_needs_the_reviewer_modules_too(approved_campaign, chair):
    """The chair also holds the reviewer role: its modules are needed to decide."""
    make_module(roles=["reviewer"])
    with pytest.raises(TrainingRequired):
        services.decision_overrule(
            actor=chair,
            campaign=approved_campaign,
            outcome="rejected",
            rationale="No.",
            password=PASSWORD,
            **services.signing_expectation(approved_campaign, "overrule"),
        )
