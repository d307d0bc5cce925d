"""Redis stopped or hung: every request still answers within 3 s without a 5xx.

A real redis-server of the test's own (never the shared one) serves the cache and the Celery
broker; the test then kills it, or freezes it with SIGSTOP (a hung server: connections are
accepted, nothing is answered), and times sign-in, pages, a vote, feedback, the public form
and the API. The cache falls back to local files, so the login and feedback limits still
hold; the e-mails wait in the outbox; /readyz names Redis as down.
"""

import json
import logging
import os
import subprocess
import sys
import time
from contextlib import contextmanager

import pytest
import redis
from django.core.cache import caches
from django.urls import reverse
from rest_framework.test import APIClient

from assessments import resilient_cache, services, task_dispatch
from assessments.models import Assignment, EmailStatus, Feedback, Notification, Vote
from ethicsreview.celery import app as celery_app
from tests.factories import PASSWORD, published_notice
from tests.ops.conftest import OwnRedis
from tests.ops.test_serve import ROOT

pytestmark = pytest.mark.django_db

BUDGET = 3.0  # seconds any request may take while Redis is failing
LIMIT_LOGGED = "is unavailable"


@pytest.fixture
def app_on_own_redis(own_redis, settings, tmp_path, monkeypatch):
    """The cache, /readyz and Celery's broker use ``own_redis``; the fallback cache is a
    directory of this test's own. Per-process health state starts fresh."""
    settings.REDIS_URL = own_redis.url
    settings.CACHES = {
        "default": {
            "BACKEND": "assessments.resilient_cache.FallbackRedisCache",
            "LOCATION": own_redis.url,
            "KEY_PREFIX": "faults",
            "OPTIONS": {
                "socket_connect_timeout": settings.REDIS_SOCKET_TIMEOUT,
                "socket_timeout": settings.REDIS_SOCKET_TIMEOUT,
                "FALLBACK": "local",
                "RETRY_AFTER": 60,
            },
        },
        "local": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
            "KEY_PREFIX": "faults",
        },
    }
    monkeypatch.setattr(resilient_cache, "_HEALTH", {})
    monkeypatch.setattr(task_dispatch, "_skip_until", {})
    previous = {k: celery_app.conf[k] for k in ("broker_url", "task_always_eager")}
    celery_app.conf.update(broker_url=own_redis.url, task_always_eager=False)
    celery_app.amqp._producer_pool = None
    celery_app._pool = None
    yield own_redis
    celery_app.conf.update(previous)
    celery_app.amqp._producer_pool = None
    celery_app._pool = None


def break_redis(server: OwnRedis, fault: str) -> None:
    if fault == "stopped":
        server.stop()
    else:
        server.hang()


class Stopwatch:
    def __init__(self):
        self.timings: dict[str, float] = {}

    @contextmanager
    def time(self, what: str):
        started = time.monotonic()
        yield
        self.timings[what] = time.monotonic() - started

    def report(self, fault: str) -> str:
        return f"Redis {fault}: " + ", ".join(
            f"{what} {seconds:.2f}s" for what, seconds in self.timings.items()
        )


def login(client, email, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def public_post(client, notice):
    return client.post(
        reverse("public_notice", args=[notice.public_id]),
        {"category": "privacy", "message": "Why do I see this?"},
        REMOTE_ADDR="203.0.113.7",
    )


@pytest.mark.parametrize("fault", ["stopped", "hung"])
def test_every_request_answers_in_time_without_a_5xx(
    fault,
    app_on_own_redis,
    client,
    complete_campaign,
    marketer,
    chair,
    board,
    caplog,
    django_capture_on_commit_callbacks,
):
    reviewer = board[0]
    services.campaign_submit(actor=marketer, campaign=complete_campaign)
    services.review_assign(actor=chair, campaign=complete_campaign, reviewers=[reviewer])
    assignment = Assignment.objects.get(reviewer=reviewer)
    services.assignment_accept(actor=reviewer, assignment=assignment, declaration="None")
    _, raw_token = services.api_token_create(user=marketer, name="pipeline")
    # Redis answered before the fault: the cache and the producer pool hold open connections.
    caches["default"].set("warm", 1)
    celery_app.send_task("assessments.tasks.expire_approvals")
    assert caches["default"].redis_available

    break_redis(app_on_own_redis, fault)
    watch = Stopwatch()
    with caplog.at_level(logging.INFO):
        with watch.time("sign-in page"):
            assert client.get(reverse("account_login")).status_code == 200
        with watch.time("sign-in"):
            response = login(client, marketer.email)
        assert response.status_code == 302, response.text
        assert client.session["_auth_user_id"] == str(marketer.pk)
        with watch.time("home"):
            assert client.get(reverse("home")).status_code == 200
        with watch.time("campaign page"):
            page = client.get(reverse("campaign_detail", args=[complete_campaign.pk]))
            assert page.status_code == 200
        # The list's rows and count, and the API's serialised rows, are kept in the cache.
        with watch.time("campaign list"):
            listed = client.get(reverse("campaign_list"), {"q": complete_campaign.name})
        assert listed.status_code == 200 and listed.context["page"].count == 1
        with watch.time("API list"):
            answer = APIClient().get(
                reverse("api_campaigns"), HTTP_AUTHORIZATION=f"Bearer {raw_token}"
            )
        assert answer.status_code == 200
        assert [row["id"] for row in answer.json()["results"]] == [complete_campaign.pk]
        client.force_login(reviewer)
        with watch.time("vote"), django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("vote", args=[complete_campaign.pk]),
                {"decision": "approve", "rationale": "Fine.", "password": PASSWORD},
            )
        assert response.status_code == 302
        assert Vote.objects.filter(reviewer=reviewer).count() == 1  # the vote committed
        client.force_login(marketer)
        with watch.time("serious feedback"), django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("feedback_add", args=[complete_campaign.pk]),
                {"category": "privacy", "severity": "serious", "text": "Targets debtors."},
            )
        assert response.status_code == 302
        notice = published_notice(actor=marketer, campaign=complete_campaign)
        anonymous = client.__class__()
        with watch.time("public form"):
            assert (
                anonymous.get(reverse("public_notice", args=[notice.public_id])).status_code == 200
            )
        with watch.time("public feedback"), django_capture_on_commit_callbacks(execute=True):
            response = public_post(anonymous, notice)
        assert response.status_code == 302
        assert Feedback.objects.filter(source="consumer").count() == 1
        with watch.time("API /me"):
            me = APIClient().get(reverse("api_me"), HTTP_AUTHORIZATION=f"Bearer {raw_token}")
        assert me.status_code == 200 and me.json()["email"] == marketer.email
        with watch.time("/readyz"):
            ready = client.get(reverse("readyz"))
        assert ready.status_code == 503
        assert ready.json()["checks"]["redis"] == "unavailable"

    print("\n" + watch.report(fault))
    slow = {what: round(s, 2) for what, s in watch.timings.items() if s >= BUDGET}
    assert not slow, watch.report(fault)
    # The e-mails wait in the outbox for the periodic re-send.
    assert Notification.objects.filter(email_status=EmailStatus.PENDING).exists()
    # The cache's outage is logged once, not once per request.
    outage = [r for r in caplog.records if LIMIT_LOGGED in r.getMessage()]
    assert len(outage) == 1, [r.getMessage() for r in outage]
    assert not caches["default"].redis_available


@pytest.mark.parametrize("fault", ["stopped", "hung"])
def test_login_and_feedback_limits_hold_while_redis_fails(
    fault, app_on_own_redis, client, marketer, approved_campaign, settings
):
    notice = published_notice(actor=marketer, campaign=approved_campaign)
    settings.PUBLIC_FEEDBACK_PER_HOUR = 2
    break_redis(app_on_own_redis, fault)

    for _ in range(5):
        assert login(client, marketer.email, "wrong-password").status_code == 200
    blocked = login(client.__class__(), marketer.email)  # right password, too many failures
    assert blocked.status_code == 200
    assert "Too many failed login attempts" in blocked.text

    for _ in range(2):
        assert public_post(client, notice).status_code == 302
    refused = public_post(client, notice)
    assert refused.status_code == 400
    assert "Too many messages" in refused.text
    assert Feedback.objects.filter(source="consumer").count() == 2


def test_the_first_request_of_a_hung_outage_waits_once_per_part(
    app_on_own_redis, client, marketer, approved_campaign, caplog,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    """Public feedback uses the cache (its limit) and the broker (the e-mails): the first
    such request after Redis hangs waits one timeout for each, the next waits for neither."""
    notice = published_notice(actor=marketer, campaign=approved_campaign)
    caches["default"].set("warm", 1)
    celery_app.send_task("assessments.tasks.expire_approvals")
    app_on_own_redis.hang()
    with caplog.at_level(logging.INFO):
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            first = public_post(client, notice)
        elapsed = time.monotonic() - started
        records_after_first = len(caplog.records)
        with django_capture_on_commit_callbacks(execute=True):
            second = public_post(client, notice)
    print(f"\nfirst public feedback of a hung outage: {elapsed:.2f}s")
    assert first.status_code == second.status_code == 302
    assert elapsed < BUDGET
    assert Feedback.objects.filter(source="consumer").count() == 2
    later = [r.getMessage() for r in caplog.records[records_after_first:]]
    assert not [m for m in later if LIMIT_LOGGED in m or "not queued" in m], later
    assert [m for m in later if "the broker failed moments ago" in m], later
    assert not caches["default"].redis_available


def test_the_cache_returns_to_redis_when_it_answers_again(app_on_own_redis, settings, caplog):
    settings.CACHES["default"]["OPTIONS"]["RETRY_AFTER"] = 0.2
    settings.CACHES = dict(settings.CACHES)  # signal the change: the cache is built anew
    cache = caches["default"]
    app_on_own_redis.hang()
    with caplog.at_level(logging.INFO):
        started = time.monotonic()
        for _ in range(20):
            cache.set("during", "outage")
        assert time.monotonic() - started < BUDGET  # one timeout, then the fallback at once
        assert cache.get("during") == "outage"  # served by the fallback
        assert not cache.redis_available
        app_on_own_redis.resume()
        deadline = time.monotonic() + 10
        while not cache.redis_available and time.monotonic() < deadline:
            cache.get("probe")
            time.sleep(0.05)
    assert cache.redis_available
    cache.set("after", "recovery")
    direct = redis.Redis.from_url(app_on_own_redis.url)
    assert any(key.endswith(b":after") for key in direct.keys("faults:*"))
    direct.close()
    messages = [r.getMessage() for r in caplog.records if r.name == resilient_cache.__name__]
    assert len(messages) == 2, messages
    assert LIMIT_LOGGED in messages[0] and "answers again" in messages[1]
    assert "127.0.0.1:" in messages[0] and "redis://" not in messages[0]


def test_with_redis_url_the_settings_wire_the_fallback_and_no_result_backend(tmp_path):
    """The configuration the tests above override, read in a fresh process."""
    script = (
        "import django, json; django.setup();"
        "from django.conf import settings as s; from django.core.cache import caches;"
        "from ethicsreview.celery import app;"
        "print(json.dumps([type(caches['default']).__name__, type(caches['default'].fallback)"
        ".__name__, s.CACHES['local']['LOCATION'], s.CACHES['default']['OPTIONS'],"
        " app.conf.result_backend, app.conf.task_ignore_result,"
        " app.conf.broker_transport_options]))"
    )
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "ethicsreview.settings",
            "DEBUG": "true",
            "REDIS_URL": "redis://127.0.0.1:6399/3",
            "CACHE_DIR": str(tmp_path / "files"),
            "VAR_DIR": str(tmp_path / "var"),
        }
    )
    out = subprocess.run(  # noqa: S603 - our interpreter, our script
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    backend, fallback, location, options, results, ignore, transport = json.loads(out.stdout)
    assert (backend, fallback) == ("FallbackRedisCache", "FileBasedCache")
    assert location == str(tmp_path / "files")
    assert options["socket_timeout"] <= 1 and options["socket_connect_timeout"] <= 1
    assert options["FALLBACK"] == "local"
    assert results is None and ignore is True
    assert transport["max_retries"] == 0 and transport["socket_timeout"] <= 1
