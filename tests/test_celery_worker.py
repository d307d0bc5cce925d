"""A real Celery worker on the real Redis runs the tasks the web process enqueues."""

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
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
    # As deployed: no result backend (settings); nothing reads a task's result.
    celery_app.conf.update(broker_url=redis_url, result_backend=None, task_always_eager=False)
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
def test_a_redelivered_task_sends_nothing_twice(redis_worker):
    invitation = InvitationFactory()
    send_invitation_email.delay(invitation.pk)
    wait_until(lambda: mail.outbox, what="the invitation e-mail")
    assert [m.to for m in mail.outbox] == [[invitation.email]]
    invitation.accepted_at = invitation.created_at
    invitation.save()
    # The same task again, for an invitation that is no longer pending, then a marker task:
    # the solo worker runs them in order, so once the marker's mail is out the repeat ran.
    send_invitation_email.delay(invitation.pk)
    marker = InvitationFactory()
    send_invitation_email.delay(marker.pk)
    wait_until(lambda: len(mail.outbox) >= 2, what="the marker's e-mail")
    assert [m.to for m in mail.outbox] == [[invitation.email], [marker.email]]


def test_tasks_keep_no_results():
    """Nothing reads a task's result: there is no result backend for an enqueue to wait on
    while Redis is down."""
    assert settings.CELERY_RESULT_BACKEND is None
    assert celery_app.conf.task_ignore_result is True
    assert send_invitation_email.ignore_result is True
