"""Per-client limits: the client's address behind the configured proxies, one atomic
counter, failed sign-ins keyed on (address, account), and simultaneous public feedback."""

import threading

import pytest
from django.db import connection
from django.test import Client, RequestFactory
from django.urls import reverse

from assessments import ratelimit
from assessments.models import Feedback
from tests.factories import PASSWORD, published_notice

pytestmark = pytest.mark.django_db


def request_from(remote: str = "10.0.0.5", forwarded: str | None = None):
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **headers)


# --- client_address ---------------------------------------------------------------------------


def test_without_trusted_proxies_forwarded_for_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert ratelimit.client_address(request_from("10.0.0.5", "203.0.113.9")) == "10.0.0.5"


@pytest.mark.parametrize(
    "count,forwarded,expected",
    [
        (1, "203.0.113.9", "203.0.113.9"),
        # A client's own entries come first; only the proxies' appended ones are trusted.
        (1, "198.51.100.66, 203.0.113.9", "203.0.113.9"),
        (2, "198.51.100.66, 203.0.113.9, 10.1.1.1", "203.0.113.9"),
        (1, "  2001:DB8::1 ", "2001:db8::1"),
        (1, "203.0.113.9:51234", "203.0.113.9"),
        (1, "[2001:db8::1]:443", "2001:db8::1"),
        # Fewer entries than proxies, an empty header, or garbage: the connection's address.
        (2, "203.0.113.9", "10.0.0.5"),
        (1, "", "10.0.0.5"),
        (1, "not-an-address", "10.0.0.5"),
        (1, "203.0.113.9\x00", "10.0.0.5"),
    ],
)
def test_behind_proxies_the_nth_address_from_the_right(settings, count, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = count
    assert ratelimit.client_address(request_from("10.0.0.5", forwarded)) == expected


def test_no_address_at_all_is_one_unknown_client(settings):
    assert ratelimit.client_address(request_from("")) == ratelimit.UNKNOWN


def test_ipv6_clients_are_counted_per_64():
    assert ratelimit.bucket_of("2001:db8:1:2:aaaa::1") == ratelimit.bucket_of("2001:db8:1:2::9")
    assert ratelimit.bucket_of("2001:db8:1:3::1") != ratelimit.bucket_of("2001:db8:1:2::1")
    assert ratelimit.bucket_of("203.0.113.9") == "203.0.113.9"


# --- hit ----------------------------------------------------------------------------------------


def test_hit_allows_the_limit_then_refuses():
    results = [ratelimit.hit("t", "a", limit=3, window=3600) for _ in range(5)]
    assert results == [True, True, True, False, False]
    assert ratelimit.hit("t", "b", limit=3, window=3600)  # another client
    assert ratelimit.hit("u", "a", limit=3, window=3600)  # another limit


def test_the_counter_expires_after_the_window(monkeypatch):
    calls = []
    real_add, real_touch = ratelimit.cache.add, ratelimit.cache.touch

    def add(key, value, timeout):
        calls.append(("add", timeout))
        return real_add(key, value, timeout=timeout)

    def touch(key, timeout):
        calls.append(("touch", timeout))
        return real_touch(key, timeout)

    monkeypatch.setattr(ratelimit.cache, "add", add)
    monkeypatch.setattr(ratelimit.cache, "touch", touch)
    ratelimit.hit("t", "a", limit=3, window=600)
    ratelimit.hit("t", "a", limit=3, window=600)
    assert calls == [("add", 600), ("touch", 600), ("add", 600)]
    # Once the counter is gone (expired), the client starts afresh.
    ratelimit.cache.clear()
    assert all(ratelimit.hit("t", "a", limit=3, window=600) for _ in range(3))


def test_a_lost_counter_lets_the_attempt_through(monkeypatch):
    def gone(key, delta=1):
        raise ValueError(key)

    monkeypatch.setattr(ratelimit.cache, "incr", gone)
    assert ratelimit.hit("t", "a", limit=0, window=60)


# --- sign-in --------------------------------------------------------------------------------


def login(client, email, password, address):
    return client.post(
        reverse("account_login"), {"login": email, "password": password}, REMOTE_ADDR=address
    )


LOCKED = "Too many failed login attempts"


def test_a_stranger_cannot_lock_an_account_out_from_elsewhere(chair):
    attacker, owner = Client(), Client()
    for _ in range(5):
        assert LOCKED not in login(attacker, chair.email, "wrong", "198.51.100.66").text
    assert LOCKED in login(attacker, chair.email, PASSWORD, "198.51.100.66").text
    assert "_auth_user_id" not in attacker.session
    # The chair, from their own address, still signs in.
    response = login(owner, chair.email, PASSWORD, "203.0.113.9")
    assert response.status_code == 302
    assert owner.session["_auth_user_id"] == str(chair.pk)


def test_failed_sign_ins_are_keyed_on_the_forwarded_client_behind_a_proxy(settings, chair):
    settings.TRUSTED_PROXY_COUNT = 1
    attacker, owner = Client(), Client()
    proxy = "10.0.0.2"  # every request reaches the app from the load balancer
    for _ in range(5):
        attacker.post(
            reverse("account_login"),
            {"login": chair.email, "password": "wrong"},
            REMOTE_ADDR=proxy,
            HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.66",  # spoofed entry, then real
        )
    response = owner.post(
        reverse("account_login"),
        {"login": chair.email, "password": PASSWORD},
        REMOTE_ADDR=proxy,
        HTTP_X_FORWARDED_FOR="203.0.113.9",  # the chair's real address
    )
    assert response.status_code == 302


def test_one_address_is_limited_across_accounts(settings, chair):
    settings.ACCOUNT_RATE_LIMITS = {
        **settings.ACCOUNT_RATE_LIMITS,
        "login_failed": "3/m/ip,5/5m/key",
    }
    client = Client()
    for n in range(3):
        assert LOCKED not in login(client, f"guess{n}@example.com", "x", "198.51.100.66").text
    assert LOCKED in login(client, chair.email, PASSWORD, "198.51.100.66").text
    assert LOCKED not in login(Client(), "guess0@example.com", "x", "203.0.113.9").text


# --- public feedback --------------------------------------------------------------------------


@pytest.fixture
def notice(approved_campaign, marketer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    notice = published_notice(actor=marketer, campaign=approved_campaign)
    notice.refresh_from_db()
    return notice


def send(client, notice, **headers):
    return client.post(
        reverse("public_notice", args=[notice.public_id]),
        {"category": "privacy", "message": "Why me?"},
        **headers,
    )


def test_behind_the_load_balancer_each_consumer_has_their_own_limit(settings, notice):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.PUBLIC_FEEDBACK_PER_HOUR = 2
    client = Client()
    via_proxy = {"REMOTE_ADDR": "10.0.0.2"}
    for _ in range(2):
        assert (
            send(client, notice, HTTP_X_FORWARDED_FOR="203.0.113.9", **via_proxy).status_code == 302
        )
    refused = send(client, notice, HTTP_X_FORWARDED_FOR="203.0.113.9", **via_proxy)
    assert refused.status_code == 400 and "Too many messages" in refused.text
    # A forged leftmost entry does not give the same consumer a new bucket...
    forged = send(client, notice, HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9", **via_proxy)
    assert forged.status_code == 400
    # ...and another consumer behind the same load balancer is not affected.
    assert send(client, notice, HTTP_X_FORWARDED_FOR="198.51.100.7", **via_proxy).status_code == 302
    assert Feedback.objects.count() == 3


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_posts_from_one_address_store_five(
    postgres, redis_url, settings, approved_campaign, marketer, tmp_path
):
    """Real requests on threads, released together, against PostgreSQL and Redis."""
    settings.MEDIA_ROOT = tmp_path
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": f"test-limits-{approved_campaign.pk}-{id(settings)}",
        }
    }
    settings.PUBLIC_FEEDBACK_PER_HOUR = 5
    notice = published_notice(actor=marketer, campaign=approved_campaign)
    notice.refresh_from_db()
    threads_count = 20
    start = threading.Barrier(threads_count)
    statuses = []
    lock = threading.Lock()

    def post():
        try:
            client = Client()
            start.wait(timeout=30)
            status = send(client, notice, REMOTE_ADDR="203.0.113.9").status_code
            with lock:
                statuses.append(status)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(statuses) == [302] * 5 + [400] * 15
    assert Feedback.objects.filter(campaign=approved_campaign).count() == 5
