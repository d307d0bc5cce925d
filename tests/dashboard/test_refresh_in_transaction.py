"""Services refresh the dashboard counts explicitly, inside their own transaction: a failure
after the audit event, or after the service returned inside an enclosing transaction, rolls
the counts back with the change, and ``audit.record`` alone refreshes nothing."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from assessments import audit, dashboard_counts, services
from assessments.models import Assignment, AuditEvent, Campaign, CampaignFacts, Condition, EventKind
from assessments.services import submission
from tests.dashboard.scenario import history  # noqa: F401 - a fixture
from tests.factories import PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_time")]


def cells():
    return {
        (r.metric, r.channel, r.market, r.period, r.team_id, r.tier, r.key): (r.n, r.total)
        for r in dashboard_counts.DashboardCount.objects.exclude(n=0, total=0)
    }


def facts():
    return dict(CampaignFacts.objects.values_list("campaign_id", "data"))


class Boom(Exception):
    pass


def test_an_exception_after_the_audit_event_rolls_back_event_and_counts(
    history, marketer, monkeypatch
):
    before, before_facts, events = cells(), facts(), AuditEvent.objects.count()

    def explode(*args, **kwargs):
        raise Boom

    # Raised after the "submitted" event was recorded, before the service's refresh.
    monkeypatch.setattr(submission, "_start_review_if_staffed", explode)
    with pytest.raises(Boom):
        services.campaign_submit(actor=marketer, campaign=history["changes"])
    assert AuditEvent.objects.count() == events
    assert cells() == before and facts() == before_facts
    assert Campaign.objects.get(pk=history["changes"].pk).status == "changes_requested"


def test_an_exception_after_the_refresh_rolls_the_counts_back_too(history, marketer):
    before, before_facts, events = cells(), facts(), AuditEvent.objects.count()
    with pytest.raises(Boom), transaction.atomic():
        services.campaign_submit(actor=marketer, campaign=history["changes"])
        assert cells() != before  # refreshed in the transaction, not on commit
        raise Boom
    assert AuditEvent.objects.count() == events
    assert cells() == before and facts() == before_facts


def test_recording_an_event_refreshes_nothing(history, marketer, monkeypatch):
    refreshed = []
    monkeypatch.setattr(dashboard_counts, "refresh", refreshed.append)
    with transaction.atomic():
        audit.record(kind=EventKind.EDITED, campaign=history["draft"], actor=marketer)
    assert refreshed == []


def test_every_counted_change_keeps_the_counts_equal_to_a_rebuild(
    history, marketer, outsider, chair, board, admin_user
):
    draft = history["draft"]
    services.campaign_update_intake(
        actor=marketer,
        campaign=draft,
        intake={name: getattr(draft, name) for name in services.INTAKE_FIELDS}
        | {"channels": ["email"], "markets": ["uk"]},
    )
    services.feedback_add(
        actor=marketer,
        campaign=history["approved"],
        category="privacy",
        severity="serious",
        text="Too personal.",
    )
    services.approvals_expire(now=timezone.now() + timedelta(days=800))
    services.campaign_send_back(actor=chair, campaign=history["approved"])
    waiting = history["waiting"]
    services.review_assign(actor=chair, campaign=waiting, reviewers=[board[0], board[1]])
    assignment = waiting.assignments.get(reviewer=board[1])
    services.assignment_recuse(actor=board[1], assignment=assignment, reason="Conflict.")
    services.user_set_active(actor=admin_user, user=board[0], active=False)
    assert not waiting.assignments.filter(reviewer=board[0], status="pending").exists()
    incremental = cells()
    dashboard_counts.rebuild()
    assert cells() == incremental


def test_conditions_wait_for_verification_as_the_services_leave_them(
    approved_with_conditions,
):
    campaign, marketer = approved_with_conditions
    condition = Condition.objects.get(campaign=campaign)
    services.condition_fulfil(actor=marketer, condition=condition, note="Done.")
    assert Condition.objects.get(pk=condition.pk).awaiting_verification


@pytest.fixture
def approved_with_conditions(complete_campaign, marketer, chair, board):
    """Tier I, one reviewer who approves with a condition."""
    services.campaign_submit(actor=marketer, campaign=complete_campaign)
    services.review_assign(actor=chair, campaign=complete_campaign, reviewers=board[:1])
    assignment = Assignment.objects.get(reviewer=board[0], status="pending")
    services.assignment_accept(actor=board[0], assignment=assignment, declaration="None")
    services.vote_cast(
        actor=board[0],
        campaign=complete_campaign,
        decision="approve_with_conditions",
        rationale="Fine with labels.",
        conditions=["Label every post."],
        password=PASSWORD,
    )
    campaign = Campaign.objects.get(pk=complete_campaign.pk)
    assert campaign.status == "approved_with_conditions"
    return campaign, marketer
