import time

import pytest
from django.urls import reverse

from assessments import services

pytestmark = pytest.mark.django_db


def age_session(client, **seconds_ago):
    session = client.session
    now = int(time.time())
    for key, ago in seconds_ago.items():
        session[key] = now - ago
    session.save()


def test_idle_session_ends(client, marketer, settings):
    client.force_login(marketer)
    assert client.get(reverse("home")).status_code == 200
    age_session(client, _last_seen=settings.SESSION_IDLE_TIMEOUT + 5)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    assert client.get(reverse("home")).status_code == 302  # signed out for good


def test_active_session_ends_after_the_absolute_lifetime(client, marketer, settings):
    client.force_login(marketer)
    client.get(reverse("home"))
    age_session(client, _last_seen=10, _signed_in_at=settings.SESSION_ABSOLUTE_LIFETIME + 5)
    assert client.get(reverse("home")).status_code == 302


def test_activity_keeps_the_session(client, marketer, settings):
    client.force_login(marketer)
    client.get(reverse("home"))
    age_session(client, _last_seen=settings.SESSION_IDLE_TIMEOUT - 60)
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("home")).status_code == 200


def test_role_change_gives_a_new_session_id(client, marketer, admin_user):
    client.force_login(marketer)
    client.get(reverse("home"))
    before = client.cookies["sessionid"].value
    services.user_set_roles(actor=admin_user, user=marketer, roles=["marketer", "reviewer"])
    assert client.get(reverse("home")).status_code == 200
    assert client.cookies["sessionid"].value != before
    assert client.get(reverse("review_queue")).status_code == 200


def test_signed_in_pages_are_not_cached(client, marketer, campaign):
    client.force_login(marketer)
    for url in [reverse("home"), reverse("campaign_detail", args=[campaign.pk])]:
        assert "no-store" in client.get(url)["Cache-Control"]
