"""allauth flows as configured here: password reset, TOTP second factor, recovery codes."""

import re
import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.core import mail
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Another-Strong-Passphrase-77"


def current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def test_password_reset_by_email(client, marketer):
    response = client.post(reverse("account_reset_password"), {"email": marketer.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+)", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    form_page = client.get(link.group(1), follow=True)
    assert form_page.status_code == 200
    response = client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else link.group(1),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    marketer.refresh_from_db()
    assert marketer.check_password(NEW_PASSWORD)


def test_password_reset_does_not_reveal_unknown_addresses(client):
    response = client.post(reverse("account_reset_password"), {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert all("/password/reset/key/" not in m.body for m in mail.outbox)


def test_totp_is_required_after_the_password(client, reviewer):
    secret = generate_totp_secret()
    TOTP.activate(reviewer, secret)
    response = client.post(
        reverse("account_login"), {"login": reviewer.email, "password": PASSWORD}
    )
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.get(reverse("home")).status_code == 302  # not signed in yet
    bad = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert bad.status_code == 200
    good = client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})
    assert good.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_recovery_code_works_once(client, reviewer):
    TOTP.activate(reviewer, generate_totp_secret())
    codes = RecoveryCodes.activate(reviewer).get_unused_codes()
    client.post(reverse("account_login"), {"login": reviewer.email, "password": PASSWORD})
    assert client.post(reverse("mfa_authenticate"), {"code": codes[0]}).status_code == 302
    client.logout()
    client.post(reverse("account_login"), {"login": reviewer.email, "password": PASSWORD})
    assert client.post(reverse("mfa_authenticate"), {"code": codes[0]}).status_code == 200


def test_home_stops_asking_for_mfa_once_it_is_set_up(client, reviewer):
    client.force_login(reviewer)
    assert 'data-testid="attention-mfa"' in client.get(reverse("home")).text
    TOTP.activate(reviewer, generate_totp_secret())
    assert Authenticator.objects.filter(user=reviewer).exists()
    assert 'data-testid="attention-mfa"' not in client.get(reverse("home")).text
