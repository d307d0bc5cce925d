"""Webhooks end to end: events emitted by the services in their transaction, signed
deliveries posted to a real local HTTP receiver, retries with backoff, at most once."""

import hashlib
import hmac
import json
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from assessments import notifications, services, webhooks
from assessments.errors import ServiceError
from assessments.models import (
    Assignment,
    Campaign,
    DeliveryStatus,
    Feedback,
    Vote,
    Webhook,
    WebhookDelivery,
    WebhookEvent,
)
from tests.conftest import set_rule
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


def ready_to_vote(campaign, marketer, chair, reviewers):
    services.campaign_submit(actor=marketer, campaign=campaign)
    services.review_assign(actor=chair, campaign=campaign, reviewers=reviewers)
    for reviewer in reviewers:
        assignment = Assignment.objects.get(
            reviewer=reviewer, version__campaign=campaign, status="pending"
        )
        services.assignment_accept(actor=reviewer, assignment=assignment, declaration="None")


def vote(reviewer, campaign, decision, **extra):
    services.vote_cast(
        actor=reviewer,
        campaign=campaign,
        decision=decision,
        rationale=f"{decision}: see the assessment",
        password=PASSWORD,
        **extra,
    )


def body_of(request) -> dict:
    return json.loads(request.body)


def no_personal_data(delivery_body: str, *people) -> None:
    assert "@" not in delivery_body
    for person in people:
        assert person.display_name not in delivery_body


# --- a decision, signed, delivered once ------------------------------------------------------


def test_a_decision_is_delivered_once_to_subscribed_active_webhooks(
    receiver, complete_campaign, marketer, chair, board, capture
):
    subscribed = Webhook.objects.create(
        name="Subscribed", url=receiver.url, events=[WebhookEvent.DECISION_MADE]
    )
    Webhook.objects.create(
        name="Other events", url=receiver.url + "?other", events=[WebhookEvent.FEEDBACK_SERIOUS]
    )
    Webhook.objects.create(
        name="Inactive",
        url=receiver.url + "?inactive",
        events=[WebhookEvent.DECISION_MADE],
        active=False,
    )
    ready_to_vote(complete_campaign, marketer, chair, board[:1])
    assert receiver.requests == []
    with capture(execute=True):
        vote(board[0], complete_campaign, "approve")

    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    delivery = WebhookDelivery.objects.get()
    assert delivery.webhook == subscribed
    assert delivery.status == DeliveryStatus.DELIVERED
    assert (delivery.attempts, delivery.last_status_code) == (1, 200)
    assert delivery.delivered_at is not None

    assert request.path == "/hooks/ethics"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["User-Agent"] == "EthicsReview-Webhooks/1"
    assert request.headers["X-EthicsReview-Event"] == "decision.made"
    assert request.headers["X-EthicsReview-Delivery"] == str(delivery.pk)
    assert request.body == delivery.body.encode()

    campaign = Campaign.objects.select_related("team").get(pk=complete_campaign.pk)
    body = body_of(request)
    assert body["id"] == delivery.pk
    assert body["event"] == "decision.made"
    assert body["created_at"].endswith("Z")
    assert body["campaign"] == {
        "id": campaign.pk,
        "name": campaign.name,
        "status": "approved",
        "tier": campaign.tier,
        "team": {"id": campaign.team.pk, "name": campaign.team.name},
    }
    assert body["data"] == {
        "outcome": "approved",
        "version": 1,
        "decided_at": webhooks.iso(campaign.decided_at),
        "approval_expires_at": webhooks.iso(campaign.approval_expires_at),
        "conditions": 0,
    }
    no_personal_data(delivery.body, marketer, chair, board[0])


def test_the_signature_verifies_and_fails_when_anything_is_off(
    receiver, hook, complete_campaign, marketer, chair, board, capture
):
    ready_to_vote(complete_campaign, marketer, chair, board[:1])
    with capture(execute=True):
        vote(board[0], complete_campaign, "approve")
    (request,) = receiver.requests
    header = request.headers["X-EthicsReview-Signature"]
    timestamp = int(request.headers["X-EthicsReview-Timestamp"])
    assert abs(time.time() - timestamp) < 60

    # Independently of the module under test: HMAC-SHA256 of "<t>." + body.
    expected = hmac.new(
        hook.secret.encode(), f"{timestamp}.".encode() + request.body, hashlib.sha256
    ).hexdigest()
    assert header == f"t={timestamp},v1={expected}"
    assert webhooks.sign(hook.secret, timestamp, request.body) == expected

    assert webhooks.verify(hook.secret, header, request.body)
    assert not webhooks.verify("not-the-secret", header, request.body)
    tampered = request.body.replace(b'"approved"', b'"rejected"')
    assert tampered != request.body
    assert not webhooks.verify(hook.secret, header, tampered)
    assert not webhooks.verify(hook.secret, header, request.body, now=timestamp + 301)
    assert webhooks.verify(hook.secret, header, request.body, now=timestamp + 299)
    # A signature of another timestamp does not pass with this one.
    forged = f"t={timestamp + 10},v1={expected}"
    assert not webhooks.verify(hook.secret, forged, request.body, now=timestamp + 10)
    assert not webhooks.verify(hook.secret, "", request.body)
    assert not webhooks.verify(hook.secret, "t=abc,v1=00", request.body)


# --- failures, retries, at most once ---------------------------------------------------------


def test_an_error_answer_is_retried_with_backoff_then_delivered_once(
    receiver, hook, complete_campaign, marketer, chair, board, capture
):
    receiver.answers = [500]
    ready_to_vote(complete_campaign, marketer, chair, board[:1])
    before = timezone.now()
    with capture(execute=True):
        vote(board[0], complete_campaign, "approve")
    assert len(receiver.requests) == 1
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING
    assert (delivery.attempts, delivery.last_status_code) == (1, 500)
    assert "500" in delivery.last_error and hook.secret not in delivery.last_error
    wait = delivery.next_attempt_at - before
    assert timedelta(seconds=29) < wait < timedelta(seconds=40)

    # Not due yet: nothing is sent.
    assert webhooks.resend_due(now=timezone.now()) == 0
    assert len(receiver.requests) == 1

    later = delivery.next_attempt_at + timedelta(seconds=1)
    assert webhooks.resend_due(now=later) == 1
    assert len(receiver.requests) == 2
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert (delivery.attempts, delivery.last_status_code, delivery.last_error) == (2, 200, "")
    # The same delivery id both times: receivers can drop duplicates.
    ids = {r.headers["X-EthicsReview-Delivery"] for r in receiver.requests}
    assert ids == {str(delivery.pk)}

    assert webhooks.resend_due(now=later + timedelta(hours=2)) == 0
    assert len(receiver.requests) == 2


def test_backoff_doubles_up_to_an_hour_and_gives_up_after_eight_attempts(
    receiver, approved_campaign, hook
):
    assert [webhooks.backoff(n).total_seconds() for n in range(1, 9)] == [
        30,
        60,
        120,
        240,
        480,
        960,
        1920,
        3600,
    ]
    receiver.answers = [503] * 20
    delivery = webhooks.emit(WebhookEvent.DECISION_MADE, approved_campaign, {"outcome": "x"})[0]
    now = timezone.now()
    for attempt in range(1, 9):
        assert webhooks.deliver(delivery.pk) is False
        delivery.refresh_from_db()
        assert delivery.attempts == attempt
        if attempt < 8:
            assert delivery.status == DeliveryStatus.PENDING
            now = delivery.next_attempt_at
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.next_attempt_at is None
    assert webhooks.resend_due(now=now + timedelta(days=1)) == 0
    assert len(receiver.requests) == 8


def test_delivering_twice_posts_once(
    receiver, hook, complete_campaign, marketer, chair, board, capture
):
    ready_to_vote(complete_campaign, marketer, chair, board[:1])
    with capture(execute=False):
        vote(board[0], complete_campaign, "approve")
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING
    assert receiver.requests == []
    assert webhooks.deliver(delivery.pk) is True
    assert webhooks.deliver(delivery.pk) is False
    assert len(receiver.requests) == 1


def test_a_claimed_row_is_not_sent_and_a_dead_workers_claim_is_released(
    receiver, approved_campaign, hook
):
    delivery = webhooks.emit(WebhookEvent.DECISION_MADE, approved_campaign, {"outcome": "x"})[0]
    claimed_at = timezone.now()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.SENDING, claimed_at=claimed_at, attempts=1
    )
    assert webhooks.deliver(delivery.pk) is False  # another worker is sending it
    assert webhooks.resend_due(now=claimed_at + timedelta(minutes=1)) == 0
    assert receiver.requests == []
    assert webhooks.resend_due(now=claimed_at + timedelta(minutes=6)) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DELIVERED, 2)
    assert len(receiver.requests) == 1


def test_a_delivery_never_queued_is_sent_by_the_periodic_job(receiver, approved_campaign, hook):
    delivery = webhooks.emit(WebhookEvent.DECISION_MADE, approved_campaign, {"outcome": "x"})[0]
    # (on-commit callbacks are not run here: as if the broker had been down)
    assert webhooks.resend_due(now=timezone.now()) == 0  # just written: its task is on the way
    assert webhooks.resend_due(now=timezone.now() + timedelta(minutes=3)) == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert len(receiver.requests) == 1


def test_redirects_are_not_followed(receiver, approved_campaign, hook):
    receiver.answers = [302]
    receiver.redirect_to = receiver.url + "/elsewhere"
    delivery = webhooks.emit(WebhookEvent.DECISION_MADE, approved_campaign, {"outcome": "x"})[0]
    assert webhooks.deliver(delivery.pk) is False
    delivery.refresh_from_db()
    assert (delivery.status, delivery.last_status_code) == (DeliveryStatus.PENDING, 302)
    assert [r.path for r in receiver.requests] == ["/hooks/ethics"]


def test_unreachable_receivers_and_other_schemes(approved_campaign, hook):
    hook.url = "http://127.0.0.1:1/nobody-listens"
    hook.save()
    delivery = webhooks.emit(WebhookEvent.DECISION_MADE, approved_campaign, {"outcome": "x"})[0]
    assert webhooks.deliver(delivery.pk) is False
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING and delivery.last_status_code is None
    assert delivery.last_error and len(delivery.last_error) <= 300

    hook.url = "file:///etc/passwd"
    hook.save()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=None)
    assert webhooks.deliver(delivery.pk) is False
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED  # not retried


def test_a_refused_action_writes_no_delivery(
    receiver, hook, complete_campaign, marketer, chair, board, capture, monkeypatch
):
    """The outbox row is written in the action's transaction: when the action fails after
    the event was emitted, the row is rolled back with everything else."""
    ready_to_vote(complete_campaign, marketer, chair, board[:1])
    from assessments.services import review

    real_record = review.audit.record

    def failing_record(*, kind, **kwargs):
        if kind == "decided":
            raise ServiceError("the audit log is unavailable")
        return real_record(kind=kind, **kwargs)

    monkeypatch.setattr(review.audit, "record", failing_record)
    with capture(execute=True), pytest.raises(ServiceError):
        vote(board[0], complete_campaign, "approve")
    assert not Vote.objects.exists()
    assert Campaign.objects.get(pk=complete_campaign.pk).status == "in_review"
    assert not WebhookDelivery.objects.exists()
    assert receiver.requests == []


# --- the other events ------------------------------------------------------------------------


def test_changes_requested(receiver, hook, complete_campaign, marketer, chair, board, capture):
    ready_to_vote(complete_campaign, marketer, chair, board[:1])
    with capture(execute=True):
        vote(board[0], complete_campaign, "request_changes", reasons=["privacy", "fairness"])
    (request,) = receiver.requests
    assert request.headers["X-EthicsReview-Event"] == "decision.changes_requested"
    body = body_of(request)
    assert body["campaign"]["status"] == "changes_requested"
    assert body["data"] == {"version": 1, "reasons": ["fairness", "privacy"]}


def test_chair_confirmation_and_overrule_are_decisions(
    receiver, hook, complete_campaign, marketer, chair, board, capture
):
    set_rule("I", chair_confirms=True)
    ready_to_vote(complete_campaign, marketer, chair, board[:1])
    with capture(execute=True):
        vote(board[0], complete_campaign, "reject", reasons=["legal"])
    assert receiver.requests == []  # awaiting the chair: no outcome yet
    with capture(execute=True):
        services.decision_confirm(
            actor=chair,
            campaign=complete_campaign,
            password=PASSWORD,
            **services.signing_expectation(complete_campaign, "confirm"),
        )
        services.decision_overrule(
            actor=chair,
            campaign=complete_campaign,
            outcome="approved_with_conditions",
            rationale="Acceptable with safeguards.",
            password=PASSWORD,
            conditions=["Cap the frequency", "Exclude minors"],
            **services.signing_expectation(complete_campaign, "overrule"),
        )
    first, second = (body_of(r) for r in receiver.requests)
    assert first["data"]["outcome"] == "rejected"
    assert first["data"]["approval_expires_at"] is None
    assert second["data"]["outcome"] == "approved_with_conditions"
    assert second["data"]["conditions"] == 2
    assert second["data"]["approval_expires_at"]
    assert {r.headers["X-EthicsReview-Event"] for r in receiver.requests} == {"decision.made"}


def test_approval_expired(receiver, approved_campaign, hook, capture):
    expires = Campaign.objects.get(pk=approved_campaign.pk).approval_expires_at
    with capture(execute=True):
        assert services.approvals_expire(now=expires - timedelta(minutes=1)) == 0
        assert services.approvals_expire(now=expires + timedelta(minutes=1)) == 1
        assert services.approvals_expire(now=expires + timedelta(minutes=2)) == 0
    (request,) = receiver.requests
    assert request.headers["X-EthicsReview-Event"] == "approval.expired"
    body = body_of(request)
    assert body["campaign"]["status"] == "expired"
    assert body["data"] == {"expired_at": webhooks.iso(expires)}


def test_approval_expiring_once_per_window(receiver, approved_campaign, hook, capture):
    expires = Campaign.objects.get(pk=approved_campaign.pk).approval_expires_at
    with capture(execute=True):
        notifications.scan_reminders(now=expires - timedelta(days=31))
        notifications.scan_reminders(now=expires - timedelta(days=29))
        notifications.scan_reminders(now=expires - timedelta(days=20))
        notifications.scan_reminders(now=expires - timedelta(days=6))
        notifications.scan_reminders(now=expires - timedelta(days=5))
    assert [r.headers["X-EthicsReview-Event"] for r in receiver.requests] == [
        "approval.expiring",
        "approval.expiring",
    ]
    data = [body_of(r)["data"] for r in receiver.requests]
    assert data == [
        {"expires_at": webhooks.iso(expires), "days_left": 30},
        {"expires_at": webhooks.iso(expires), "days_left": 7},
    ]


def test_serious_feedback_without_its_text_or_contact(
    receiver, approved_campaign, hook, marketer, manager, capture
):
    with capture(execute=True):
        services.feedback_add(
            actor=manager,
            campaign=approved_campaign,
            category="privacy",
            severity="concern",
            text="A mild concern.",
        )
        services.feedback_add(
            actor=manager,
            campaign=approved_campaign,
            category="privacy",
            severity="serious",
            text="Customers were profiled without consent: call me at manager@example.com",
        )
    (request,) = receiver.requests
    assert request.headers["X-EthicsReview-Event"] == "feedback.serious"
    feedback = Feedback.objects.get(severity="serious")
    body = body_of(request)
    assert body["data"] == {
        "feedback_id": feedback.pk,
        "category": "privacy",
        "source": "internal",
    }
    assert "profiled" not in request.body.decode()
    no_personal_data(request.body.decode(), marketer, manager)


def test_subscriptions_can_be_narrowed(receiver, approved_campaign, capture):
    Webhook.objects.create(name="Expiry only", url=receiver.url, events=["approval.expired"])
    expires = Campaign.objects.get(pk=approved_campaign.pk).approval_expires_at
    with capture(execute=True):
        notifications.scan_reminders(now=expires - timedelta(days=6))
        services.approvals_expire(now=expires + timedelta(minutes=1))
    assert [r.headers["X-EthicsReview-Event"] for r in receiver.requests] == ["approval.expired"]
