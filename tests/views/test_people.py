import pytest
from django.core import mail
from django.urls import reverse

from assessments.invitations import invitation_token
from assessments.models import Invitation, User
from tests.factories import PASSWORD, InvitationFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_admin_invites_through_the_form(
    client, admin_user, team, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("invite"),
            {
                "email": "newbie@example.com",
                "roles": ["marketer"],
                "teams": [team.pk],
                "language": "en",
            },
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.roles == ["marketer"]
    assert list(invitation.teams.all()) == [team]
    assert len(mail.outbox) == 1


def test_invite_form_errors_keep_what_was_typed(client, admin_user, team):
    client.force_login(admin_user)
    response = client.post(
        reverse("invite"),
        {
            "email": "typed@example.com",
            "display_name": "Typed Name",
            "roles": ["marketer"],
            "language": "en",
        },
    )
    assert response.status_code == 200
    assert "Marketers and managers must belong to a team." in response.text
    assert 'value="typed@example.com"' in response.text
    assert 'value="Typed Name"' in response.text
    assert not Invitation.objects.exists()


def test_manager_cannot_post_roles_the_form_does_not_offer(client, manager, team):
    client.force_login(manager)
    response = client.post(
        reverse("invite"),
        {"email": "sneaky@example.com", "roles": ["admin"], "teams": [team.pk], "language": "en"},
    )
    assert response.status_code == 200
    assert not Invitation.objects.exists()


def test_manager_sees_only_people_of_their_teams(client, manager, marketer, outsider):
    client.force_login(manager)
    html = client.get(reverse("people")).text
    assert marketer.email in html
    assert outsider.email not in html


def test_manager_deactivates_a_marketer_of_their_team(client, manager, marketer):
    client.force_login(manager)
    response = client.post(reverse("user_access", args=[marketer.pk]), {"active": "0"})
    assert response.status_code == 302
    marketer.refresh_from_db()
    assert not marketer.is_active


def test_manager_cannot_touch_another_teams_marketer(client, manager, outsider):
    client.force_login(manager)
    response = client.post(reverse("user_access", args=[outsider.pk]), {"active": "0"})
    assert response.status_code == 404
    outsider.refresh_from_db()
    assert outsider.is_active


def test_admin_cannot_deactivate_themselves(client, admin_user):
    client.force_login(admin_user)
    client.post(reverse("user_access", args=[admin_user.pk]), {"active": "0"})
    admin_user.refresh_from_db()
    assert admin_user.is_active


def test_revoke_and_resend(client, admin_user, django_capture_on_commit_callbacks):
    invitation = InvitationFactory(invited_by=admin_user)
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("invitation_resend", args=[invitation.pk]))
    assert len(mail.outbox) == 1
    client.post(reverse("invitation_revoke", args=[invitation.pk]))
    invitation.refresh_from_db()
    assert invitation.status == "revoked"


def test_manager_cannot_revoke_someone_elses_invitation(client, manager, admin_user):
    invitation = InvitationFactory(invited_by=admin_user)
    client.force_login(manager)
    assert client.post(reverse("invitation_revoke", args=[invitation.pk])).status_code == 404
    invitation.refresh_from_db()
    assert invitation.status == "pending"


def test_get_is_not_allowed_on_state_changing_urls(client, admin_user, marketer):
    client.force_login(admin_user)
    assert client.get(reverse("user_access", args=[marketer.pk])).status_code == 405


# --- accepting an invitation in the browser's shoes --------------------------------------


def test_accept_invitation_page_creates_account_and_signs_in(client, admin_user, team):
    invitation = InvitationFactory(invited_by=admin_user, roles=["marketer"], teams=[team])
    url = reverse("invitation_accept", args=[invitation_token(invitation)])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "email": invitation.email,
            "display_name": "Lina",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email=invitation.email)
    assert client.get(reverse("home")).wsgi_request.user == user


def test_accept_with_wrong_email_shows_error_and_keeps_input(client, admin_user):
    invitation = InvitationFactory(invited_by=admin_user)
    url = reverse("invitation_accept", args=[invitation_token(invitation)])
    response = client.post(
        url,
        {
            "email": "wrong@example.com",
            "display_name": "Lina",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 200
    assert "different e-mail address" in response.text
    assert 'value="Lina"' in response.text
    assert not User.objects.filter(email="wrong@example.com").exists()


def test_weak_password_is_refused(client, admin_user):
    invitation = InvitationFactory(invited_by=admin_user)
    url = reverse("invitation_accept", args=[invitation_token(invitation)])
    response = client.post(
        url,
        {
            "email": invitation.email,
            "display_name": "Lina",
            "password1": "password",
            "password2": "password",
        },
    )
    assert response.status_code == 200
    assert "too common" in response.text
    assert not User.objects.filter(email=invitation.email).exists()


def test_used_invitation_link_shows_a_clear_page(client, admin_user):
    invitation = InvitationFactory(invited_by=admin_user)
    invitation.accepted_at = invitation.created_at
    invitation.save()
    response = client.get(reverse("invitation_accept", args=[invitation_token(invitation)]))
    assert response.status_code == 410
    assert "already been used" in response.text


def test_garbage_token_shows_a_clear_page(client):
    response = client.get(reverse("invitation_accept", args=["not-a-token"]))
    assert response.status_code == 410
    assert "not valid" in response.text


def test_signed_in_person_opening_an_invitation_is_signed_out_first(client, admin_user):
    invitation = InvitationFactory(invited_by=admin_user)
    client.force_login(UserFactory(roles=["marketer"], teams=[TeamFactory()]))
    client.get(reverse("invitation_accept", args=[invitation_token(invitation)]))
    assert "_auth_user_id" not in client.session
