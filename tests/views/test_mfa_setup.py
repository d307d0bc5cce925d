"""Issue #20 point 7: two-factor set-up right after signing in does not ask for the password
again (allauth's reauthentication), a factor that existed before the sign-in still does, and
the set-up keeps the page to come back to (only a local one)."""

import time

import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from django.test import RequestFactory
from django.urls import reverse

from assessments.views import mfa_required_page
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def sign_in(client, user, secret=None):
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    if secret:
        code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
        response = client.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 302
    return response


def test_set_up_right_after_sign_in_asks_no_password(client, reviewer):
    sign_in(client, reviewer)
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200
    assert 'alt="QR code for your authenticator app"' in response.text


def test_a_factor_from_before_the_sign_in_still_asks_for_the_password(client, reviewer):
    secret = generate_totp_secret()
    TOTP.activate(reviewer, secret)
    RecoveryCodes.activate(reviewer)
    sign_in(client, reviewer, secret)
    response = client.get(reverse("mfa_view_recovery_codes"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))


def test_a_stale_sign_in_asks_again(client, reviewer, settings):
    settings.ACCOUNT_REAUTHENTICATION_TIMEOUT = 0
    sign_in(client, reviewer)
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))


@pytest.mark.parametrize(
    "target, kept",
    [("/campaigns/7/", True), ("https://evil.example/", False), ("//evil.example/", False)],
)
def test_the_set_up_keeps_only_a_local_page_to_come_back_to(client, reviewer, target, kept):
    sign_in(client, reviewer)
    client.get(reverse("mfa_activate_totp"), {"next": target})
    assert (client.session.get("mfa_next") == target) is kept


def test_the_refusal_page_links_the_set_up_back_to_the_page(reviewer):
    get = RequestFactory().get("/campaigns/3/?tab=1")
    get.user = reviewer
    assert "totp/activate/?next=%2Fcampaigns%2F3%2F%3Ftab%3D1" in mfa_required_page(get).text
    # A refused form: back to the page it was sent from, if that page is ours.
    post = RequestFactory().post(
        "/campaigns/3/vote/", HTTP_REFERER="http://testserver/campaigns/3/"
    )
    post.user = reviewer
    assert "totp/activate/?next=http%3A%2F%2Ftestserver%2Fcampaigns%2F3%2F" in (
        mfa_required_page(post).text
    )
    post = RequestFactory().post("/campaigns/3/vote/", HTTP_REFERER="https://evil.example/")
    post.user = reviewer
    assert "totp/activate/?next=%2F" in mfa_required_page(post).text
