"""A real Celery worker on the real Redis runs the tasks the web process enqueues."""

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail

from assessments import services
from assessments.tasks import send_invitation_email
from ethicsreview.celery import app as celery_app
from tests.factories import InvitationFactory, TeamFactory, UserFactory
from tests.waiting import wait_until


@pytest.fixture
def redis_worker(redis_url):
    previous = {
        key: celery_app.conf[key] for key in ("broker_url", "result_backend", "task_always_eager")
    }
    celery_app.conf.update(broker_url=redis_url, result_backend=redis_url, task_always_eager=False)
    celery_app.amqp._producer_pool = None  # the pools keep the broker of an earlier test
    celery_app._pool = None
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield
    celery_app.conf.update(previous)
    celery_app.amqp._producer_pool = None
    celery_app._pool = None


@pytest.mark.django_db(transaction=True)
def test_invitation_email_is_sent_by_a_real_worker(redis_worker):
    admin = UserFactory(roles=["admin"])
    invitation = services.invitation_create(
        actor=admin, email="worker@example.com", roles=["marketer"], teams=[TeamFactory()]
    )
    # The service enqueued the task on commit; the worker picks it up from Redis.
    wait_until(lambda: mail.outbox, what="the invitation e-mail")
    assert [m.to for m in mail.outbox] == [[invitation.email]]


@pytest.mark.django_db(transaction=True)
def test_task_result_travels_through_redis(redis_worker):
    invitation = InvitationFactory()
    result = send_invitation_email.delay(invitation.pk)
    assert result.get(timeout=60) is True
    invitation.accepted_at = invitation.created_at
    invitation.save()
    # A redelivered task for an invitation that is no longer pending sends nothing.
    assert send_invitation_email.delay(invitation.pk).get(timeout=60) is False
    assert len(mail.outbox) == 1
