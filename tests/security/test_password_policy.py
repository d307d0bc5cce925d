"""The password policy (settings.AUTH_PASSWORD_VALIDATORS) where people choose passwords:
accepting an invitation and changing their password."""

import pytest
from django.conf import settings
from django.urls import reverse

from assessments.invitations import invitation_token
from assessments.models import User
from tests.factories import PASSWORD, InvitationFactory

pytestmark = pytest.mark.django_db

VALIDATORS = "django.contrib.auth.password_validation."

# (password, the validator's message) — each at least 12 characters, so only the named
# rule refuses it.
REFUSED = [
    ("password1234", "too common"),
    ("839274615038", "entirely numeric"),
    ("Short-1a", "too short"),
    ("invitee.person@example", "too similar"),
]


def test_the_four_validators_are_configured_with_a_12_character_minimum():
    names = {v["NAME"]: v.get("OPTIONS", {}) for v in settings.AUTH_PASSWORD_VALIDATORS}
    assert set(names) >= {
        VALIDATORS + "UserAttributeSimilarityValidator",
        VALIDATORS + "MinimumLengthValidator",
        VALIDATORS + "CommonPasswordValidator",
        VALIDATORS + "NumericPasswordValidator",
    }
    assert names[VALIDATORS + "MinimumLengthValidator"]["min_length"] >= 12


@pytest.mark.parametrize("password,message", REFUSED)
def test_accepting_an_invitation_refuses_a_weak_password(client, admin_user, password, message):
    invitation = InvitationFactory(invited_by=admin_user, email="invitee.person@example.com")
    url = reverse("invitation_accept", args=[invitation_token(invitation)])
    response = client.post(
        url,
        {
            "email": invitation.email,
            "display_name": "Invitee Person",
            "password1": password,
            "password2": password,
        },
    )
    assert response.status_code == 200
    assert message in response.text
    assert not User.objects.filter(email=invitation.email).exists()


@pytest.mark.parametrize("password,message", REFUSED[:3])
def test_changing_the_password_refuses_a_weak_one(client, marketer, password, message):
    client.force_login(marketer)
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": password, "password2": password},
    )
    assert response.status_code == 200
    assert message in response.text
    marketer.refresh_from_db()
    assert marketer.check_password(PASSWORD)


def test_a_strong_password_is_accepted(client, marketer):
    client.force_login(marketer)
    response = client.post(
        reverse("account_change_password"),
        {
            "oldpassword": PASSWORD,
            "password1": "Quiet-Lantern-Orchard-81",
            "password2": "Quiet-Lantern-Orchard-81",
        },
    )
    assert response.status_code == 302
    marketer.refresh_from_db()
    assert marketer.check_password("Quiet-Lantern-Orchard-81")
