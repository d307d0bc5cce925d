"""The broker down or hung: the reviewer's vote still commits quickly, the notification
stays in the outbox, and once the broker is back the periodic job delivers it once.
A real Celery worker on the real Redis does the delivering."""

import socket
import threading
import time
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from assessments import notifications, services
from assessments.models import Assignment, EmailStatus, Notification, Vote
from ethicsreview.celery import app as celery_app
from tests.factories import PASSWORD
from tests.waiting import wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def use_broker(url: str) -> None:
    """Point the web side's producer at ``url`` (the pools cache the previous one)."""
    celery_app.conf.update(broker_url=url, result_backend=None, task_always_eager=False)
    celery_app.amqp._producer_pool = None
    celery_app._pool = None


@pytest.fixture
def restore_broker():
    previous = {
        k: celery_app.conf[k] for k in ("broker_url", "result_backend", "task_always_eager")
    }
    yield
    celery_app.conf.update(previous)
    celery_app.amqp._producer_pool = None
    celery_app._pool = None


@pytest.fixture
def silent_server():
    """A TCP server that accepts connections and never answers: a hung Redis."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
                held.append(conn)
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    stop.set()
    thread.join(timeout=2)
    for conn in held:
        conn.close()
    server.close()


def ready_to_vote(complete_campaign, marketer, chair, board):
    services.campaign_submit(actor=marketer, campaign=complete_campaign)
    services.review_assign(actor=chair, campaign=complete_campaign, reviewers=board[:1])
    assignment = Assignment.objects.get(reviewer=board[0])
    services.assignment_accept(actor=board[0], assignment=assignment, declaration="None")
    mail.outbox.clear()


def vote_through_the_web(client, campaign, reviewer) -> float:
    client.force_login(reviewer)
    started = time.monotonic()
    response = client.post(
        reverse("vote", args=[campaign.pk]),
        {"decision": "approve", "rationale": "Fine.", "password": PASSWORD},
    )
    elapsed = time.monotonic() - started
    assert response.status_code == 302
    return elapsed


@pytest.mark.parametrize("broker", ["closed_port", "hung"])
def test_vote_commits_with_the_broker_down_and_mail_follows_once(
    request, broker, redis_url, restore_broker, client, complete_campaign, marketer, chair, board
):
    ready_to_vote(complete_campaign, marketer, chair, board)
    bad = (
        "redis://127.0.0.1:1/0"
        if broker == "closed_port"
        else request.getfixturevalue("silent_server")
    )
    use_broker(bad)
    elapsed = vote_through_the_web(client, complete_campaign, board[0])
    print(f"\n{broker}: the vote request returned in {elapsed:.2f}s")
    assert elapsed < 5, f"the request took {elapsed:.1f}s"
    assert Vote.objects.count() == 1  # the action committed
    pending = Notification.objects.filter(recipient=marketer, email_status=EmailStatus.PENDING)
    assert pending.filter(kind="decision").exists()
    assert mail.outbox == []

    # The broker is back: the periodic job re-sends, a real worker delivers, exactly once.
    use_broker(redis_url)
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        later = timezone.now() + timedelta(minutes=5)
        assert notifications.resend_stale(now=later) >= 1
        # Every e-mail reaches a final state (a row being sent is not yet final: re-sending
        # it "five minutes later" would release its claim and send it twice).
        wait_until(
            lambda: (
                not Notification.objects.filter(
                    email_status__in=[EmailStatus.PENDING, EmailStatus.SENDING]
                ).exists()
            ),
            what="the worker to send every pending e-mail",
        )
        assert notifications.resend_stale(now=later) == 0  # nothing left: no duplicate
    decision_mails = [m for m in mail.outbox if m.to == [marketer.email] and "decided" in m.body]
    assert len(decision_mails) == 1, [m.subject for m in mail.outbox]
    assert not Notification.objects.exclude(email_status__in=["sent", "none", "digest"]).exists()


def test_a_live_worker_delivers_the_decision_email(
    redis_url, restore_broker, client, complete_campaign, marketer, chair, board
):
    ready_to_vote(complete_campaign, marketer, chair, board)
    use_broker(redis_url)
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        started = time.monotonic()
        vote_through_the_web(client, complete_campaign, board[0])
        wait_until(
            lambda: [m for m in mail.outbox if m.to == [marketer.email] and "decided" in m.body],
            what="the decision e-mail",
        )
        delay = time.monotonic() - started
    print(f"\nvote → decision e-mail delivered by the worker in {delay * 1000:.0f} ms")
