from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.utils import timezone

from assessments import services
from assessments.errors import ServiceError
from assessments.invitations import invitation_token
from assessments.models import Invitation, User
from assessments.tasks import send_invitation_email
from tests.factories import PASSWORD, InvitationFactory, TeamFactory

pytestmark = pytest.mark.django_db


def accept(invitation, email=None, **kwargs):
    return services.invitation_accept(
        token=invitation_token(invitation),
        email=email or invitation.email,
        display_name=kwargs.pop("display_name", "New Person"),
        password=kwargs.pop("password", PASSWORD),
    )


def test_admin_invites_and_the_email_carries_a_working_link(
    admin_user, team, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invitation_create(
            actor=admin_user, email="New.Person@Example.com", roles=["marketer"], teams=[team]
        )
    assert invitation.email == "new.person@example.com"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.person@example.com"]
    assert invitation_token(invitation) in message.body
    html = message.alternatives[0].content
    assert invitation_token(invitation) in html


def test_invitation_email_is_in_the_invited_persons_language(
    admin_user, team, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_create(
            actor=admin_user, email="ar@example.com", roles=["reviewer"], teams=[], language="ar"
        )
    html = mail.outbox[0].alternatives[0].content
    assert 'dir="rtl"' in html
    assert 'lang="ar"' in html


def test_accepting_creates_the_account_with_roles_teams_and_verified_email(admin_user, team):
    invitation = InvitationFactory(
        invited_by=admin_user, roles=["marketer", "reviewer"], teams=[team]
    )
    user = accept(invitation, email=invitation.email.upper(), display_name="Nadia")
    assert user.display_name == "Nadia"
    assert user.check_password(PASSWORD)
    assert user.role_set == {"marketer", "reviewer"}
    assert list(user.teams.all()) == [team]
    assert EmailAddress.objects.get(user=user).verified
    invitation.refresh_from_db()
    assert invitation.accepted_user == user
    assert invitation.status == "accepted"


def test_expired_invitation_is_refused_and_creates_nothing(admin_user):
    invitation = InvitationFactory(
        invited_by=admin_user, expires_at=timezone.now() - timedelta(seconds=1)
    )
    with pytest.raises(ServiceError, match="expired"):
        accept(invitation)
    assert not User.objects.filter(email=invitation.email).exists()


def test_reused_invitation_is_refused(admin_user):
    invitation = InvitationFactory(invited_by=admin_user)
    accept(invitation)
    with pytest.raises(ServiceError, match="already been used"):
        accept(invitation, display_name="Someone else")
    assert User.objects.filter(email=invitation.email).count() == 1


def test_wrong_email_is_refused_and_leaves_the_invitation_usable(admin_user):
    invitation = InvitationFactory(invited_by=admin_user)
    with pytest.raises(ServiceError, match="different e-mail") as exc:
        accept(invitation, email="someone.else@example.com")
    assert exc.value.field == "email"
    assert not User.objects.filter(email="someone.else@example.com").exists()
    invitation.refresh_from_db()
    assert invitation.status == "pending"
    accept(invitation)  # the right person can still use it


def test_forged_or_tampered_token_is_refused(admin_user):
    invitation = InvitationFactory(invited_by=admin_user)
    token = invitation_token(invitation)
    with pytest.raises(ServiceError, match="not valid"):
        services.invitation_accept(
            token=token[:-2] + "xx", email=invitation.email, display_name="X", password=PASSWORD
        )
    other = InvitationFactory(invited_by=admin_user)
    other.nonce = invitation.nonce + "x"  # a token for a nonce that is not stored
    with pytest.raises(ServiceError, match="not valid"):
        services.invitation_accept(
            token=invitation_token(other), email=other.email, display_name="X", password=PASSWORD
        )


def test_revoked_invitation_is_refused(admin_user):
    invitation = InvitationFactory(invited_by=admin_user)
    services.invitation_revoke(actor=admin_user, invitation=invitation)
    with pytest.raises(ServiceError, match="withdrawn"):
        accept(invitation)


def test_new_invitation_replaces_a_pending_one(admin_user):
    first = services.invitation_create(
        actor=admin_user, email="x@example.com", roles=["reviewer"], teams=[]
    )
    second = services.invitation_create(
        actor=admin_user, email="x@example.com", roles=["chair"], teams=[]
    )
    first.refresh_from_db()
    assert first.status == "revoked"
    assert second.status == "pending"


def test_cannot_invite_an_existing_account(admin_user, marketer, team):
    with pytest.raises(ServiceError, match="already has an account"):
        services.invitation_create(
            actor=admin_user, email="MARKETER@example.com", roles=["marketer"], teams=[team]
        )
    assert not Invitation.objects.exists()


def test_manager_invites_only_marketers_and_managers_into_own_teams(manager, team):
    elsewhere = TeamFactory(slug="elsewhere")
    services.invitation_create(
        actor=manager, email="m1@example.com", roles=["marketer"], teams=[team]
    )
    for roles, teams in [
        (["reviewer"], [team]),
        (["admin"], [team]),
        (["marketer"], [elsewhere]),
        (["marketer"], []),
    ]:
        with pytest.raises(ServiceError):
            services.invitation_create(
                actor=manager, email="m2@example.com", roles=roles, teams=teams
            )
    assert Invitation.objects.count() == 1


@pytest.mark.parametrize("persona", ["marketer", "reviewer", "chair"])
def test_other_roles_cannot_invite(request, persona, team):
    actor = request.getfixturevalue(persona)
    with pytest.raises(ServiceError):
        services.invitation_create(
            actor=actor, email="z@example.com", roles=["marketer"], teams=[team]
        )
    assert not Invitation.objects.exists()


def test_expired_link_sends_no_email(admin_user):
    invitation = InvitationFactory(
        invited_by=admin_user, expires_at=timezone.now() - timedelta(minutes=1)
    )
    assert send_invitation_email(invitation.pk) is False
    assert mail.outbox == []
