"""A real Celery worker on the real Redis posts the delivery the service queued on commit."""

import pytest
from celery.contrib.testing.worker import start_worker

from assessments import services
from assessments.models import DeliveryStatus, Webhook, WebhookDelivery, WebhookEvent
from ethicsreview.celery import app as celery_app
from tests.factories import PASSWORD
from tests.waiting import wait_until
from tests.webhooks.test_webhooks import ready_to_vote

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def redis_worker(redis_url):
    previous = {
        key: celery_app.conf[key] for key in ("broker_url", "result_backend", "task_always_eager")
    }
    celery_app.conf.update(broker_url=redis_url, result_backend=redis_url, task_always_eager=False)
    celery_app.amqp._producer_pool = None
    celery_app._pool = None
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield
    celery_app.conf.update(previous)
    celery_app.amqp._producer_pool = None
    celery_app._pool = None


def test_a_real_worker_delivers_the_decision(
    redis_worker, receiver, complete_campaign, marketer, chair, board
):
    Webhook.objects.create(name="CRM", url=receiver.url, events=[WebhookEvent.DECISION_MADE])
    ready_to_vote(complete_campaign, marketer, chair, board[:1])
    services.vote_cast(
        actor=board[0],
        campaign=complete_campaign,
        decision="approve",
        rationale="Fine.",
        password=PASSWORD,
    )
    receiver.wait_for(1)
    assert len(receiver.requests) == 1
    assert receiver.requests[0].headers["X-EthicsReview-Event"] == "decision.made"
    delivery = WebhookDelivery.objects.get()
    # The worker records the answer just after the receiver got it.
    wait_until(
        lambda: WebhookDelivery.objects.filter(
            pk=delivery.pk, status=DeliveryStatus.DELIVERED
        ).exists(),
        what="the delivery to be recorded as delivered",
    )
