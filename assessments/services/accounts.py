"""Accounts: invitations, roles, activation, language, teams."""

import logging
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import permissions, security_log
from ..errors import ServiceError
from ..invitations import check_invitation_usable, invitation_from_token
from ..models import (
    Campaign,
    Invitation,
    Team,
    User,
    UserRole,
    normalize_email,
)
from ..roles import Role
from ..task_dispatch import enqueue_each
from . import assignments
from .read_models import cached_lists_refresh
from .search_text import search_text_refresh

logger = logging.getLogger(__name__)


def _schedule_invitation_email(invitation_id: int) -> None:
    # By name through the Celery registry: tasks.py calls services, so importing it here
    # would make a cycle. Broker down: the invitation stays, it can be re-sent.
    transaction.on_commit(
        lambda: enqueue_each(
            "assessments.tasks.send_invitation_email", [invitation_id], "invitation e-mail"
        )
    )


def invitation_create(
    *,
    actor: User,
    email: str,
    roles: list[str],
    teams: list[Team],
    display_name: str = "",
    language: str = "en",
) -> Invitation:
    email = normalize_email(email)
    roles = sorted(set(roles))
    if not roles:
        raise ServiceError(_("Choose at least one role."), field="roles")
    if not set(roles) <= set(Role.values):
        raise ServiceError(_("Unknown role."), field="roles")
    if not permissions.can_invite(actor, roles=roles, teams=teams):
        raise ServiceError(_("You may not invite people with these roles or teams."))
    if {Role.MARKETER, Role.MANAGER} & set(roles) and not teams:
        raise ServiceError(_("Marketers and managers must belong to a team."), field="teams")
    if language not in dict(settings.LANGUAGES):
        raise ServiceError(_("Unknown language."), field="language")
    with transaction.atomic():
        if User.objects.filter(email__iexact=email).exists():
            raise ServiceError(_("Someone with this e-mail address already has an account."))
        # A new invitation to the same address replaces any pending one.
        Invitation.objects.pending().filter(email__iexact=email).update(revoked_at=timezone.now())
        now = timezone.now()
        invitation = Invitation.objects.create(
            email=email,
            display_name=display_name.strip(),
            roles=roles,
            language=language,
            invited_by=actor,
            created_at=now,
            expires_at=now + timedelta(days=settings.INVITATION_VALID_DAYS),
        )
        invitation.teams.set(teams)
        logger.info("invitation %s created by user %s", invitation.pk, actor.pk)
        _schedule_invitation_email(invitation.pk)
    return invitation


def invitation_resend(*, actor: User, invitation: Invitation) -> None:
    if not permissions.can_revoke_invitation(actor, invitation):
        raise ServiceError(_("This invitation can no longer be sent."))
    _schedule_invitation_email(invitation.pk)


def invitation_revoke(*, actor: User, invitation: Invitation) -> None:
    if not permissions.can_revoke_invitation(actor, invitation):
        raise ServiceError(_("This invitation can no longer be withdrawn."))
    with transaction.atomic():
        changed = Invitation.objects.filter(
            pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=timezone.now())
        if not changed:
            raise ServiceError(_("This invitation can no longer be withdrawn."))
        logger.info("invitation %s revoked by user %s", invitation.pk, actor.pk)


def invitation_accept(*, token: str, email: str, display_name: str, password: str) -> User:
    """Create the invited person's account. Refuses expired, used, withdrawn or
    forged invitations and an e-mail address that is not the invited one."""
    with transaction.atomic():
        cached_lists_refresh()
        found = invitation_from_token(token)
        invitation = Invitation.objects.select_for_update().get(pk=found.pk)
        check_invitation_usable(invitation)
        if normalize_email(email) != normalize_email(invitation.email):
            raise ServiceError(
                _("This invitation was sent to a different e-mail address."), field="email"
            )
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise ServiceError(_("Someone with this e-mail address already has an account."))
        user = User.objects.create_user(
            email=invitation.email,
            password=password,
            display_name=display_name.strip() or invitation.display_name,
            language=invitation.language,
        )
        _apply_roles(user, invitation.roles)
        user.teams.set(invitation.teams.all())
        # Following the link proves the person reads this mailbox.
        EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
        invitation.accepted_at = timezone.now()
        invitation.accepted_user = user
        invitation.save(update_fields=["accepted_at", "accepted_user"])
        logger.info("invitation %s accepted: user %s", invitation.pk, user.pk)
    return user


# --- people ----------------------------------------------------------------------------


def _apply_roles(user: User, roles: list[str]) -> None:
    UserRole.objects.filter(user=user).exclude(role__in=roles).delete()
    for role in roles:
        UserRole.objects.get_or_create(user=user, role=role)
    is_admin = Role.ADMIN in roles
    if user.is_staff != is_admin or user.is_superuser != is_admin:
        user.is_staff = user.is_superuser = is_admin
        user.save(update_fields=["is_staff", "is_superuser"])
    user.__dict__.pop("role_set", None)


def _check_keeps_an_admin(*, actor: User, user: User, roles: list[str]) -> None:
    """Refuse taking the administrator role from oneself or from the last active
    administrator. Call inside the transaction: it locks the administrators' role rows,
    so two administrators demoting each other at once cannot leave none."""
    if Role.ADMIN in roles:
        return
    if user.pk == actor.pk:
        raise ServiceError(_("You cannot remove your own administrator role."), field="roles")
    admins = list(
        UserRole.objects.select_for_update(of=("self",))
        .filter(role=Role.ADMIN, user__is_active=True)
        .order_by("pk")
        .values_list("user_id", flat=True)
    )
    if user.pk in admins and not set(admins) - {user.pk}:
        raise ServiceError(
            _("This is the last administrator: give someone else the role first."),
            field="roles",
        )


def user_set_roles(*, actor: User, user: User, roles: list[str]) -> None:
    if not actor.has_role(Role.ADMIN) or not actor.is_active:
        raise ServiceError(_("Only administrators may change roles."))
    if not set(roles) <= set(Role.values):
        raise ServiceError(_("Unknown role."), field="roles")
    with transaction.atomic():
        cached_lists_refresh()
        _check_keeps_an_admin(actor=actor, user=user, roles=roles)
        locked = User.objects.select_for_update().get(pk=user.pk)
        _apply_roles(locked, sorted(set(roles)))
        # Losing the reviewer role (or joining a campaign's team) ends open reviews now.
        assignments.reviewer_assignments_withdraw(user=locked, actor=actor)
    user.__dict__.pop("role_set", None)
    security_log.log_event(
        "roles_set",
        actor=actor,
        target_id=user.pk,
        target_email=user.email,
        roles=sorted(set(roles)),
    )


def user_update(
    *, actor: User, user: User, roles: list[str], teams: list[Team], is_specialist: bool
) -> bool:
    """Set ``user``'s roles, teams and privacy/legal specialist flag from the People page.

    Administrators change anyone (not their own administrator role, never the last
    administrator's); managers, as with invitations, give only marketer and manager roles
    and their own teams to people of their teams, keep the person's other teams, and
    cannot change the specialist flag. Open review assignments the person may no longer
    hold are withdrawn (lost the reviewer role, or joined a campaign's team); the change
    goes to the security log and the person's next request gets a new session id.
    Returns whether anything changed."""
    roles = sorted(set(roles))
    if not permissions.can_edit_person(actor, user):
        raise ServiceError(_("You may not change this person's roles or teams."))
    if not roles:
        raise ServiceError(_("Choose at least one role."), field="roles")
    if not set(roles) <= set(Role.values):
        raise ServiceError(_("Unknown role."), field="roles")
    if not permissions.can_invite(actor, roles=roles, teams=teams):
        raise ServiceError(_("You may not give these roles or teams."), field="teams")
    if not actor.has_role(Role.ADMIN) and bool(is_specialist) != user.is_specialist:
        raise ServiceError(
            _("Only administrators may change the specialist flag."), field="is_specialist"
        )
    grantable = set(permissions.invitable_teams(actor).values_list("pk", flat=True))
    with transaction.atomic():
        cached_lists_refresh()
        _check_keeps_an_admin(actor=actor, user=user, roles=roles)
        locked = User.objects.select_for_update().get(pk=user.pk)
        if not permissions.can_edit_person(actor, locked):  # as it is now, not as it was read
            raise ServiceError(_("You may not change this person's roles or teams."))
        before_roles = sorted(UserRole.objects.filter(user=locked).values_list("role", flat=True))
        before_teams = set(locked.teams.values_list("pk", flat=True))
        before_specialist = locked.is_specialist
        # Teams the actor may not give (a manager's view of someone's other teams) stay.
        team_ids = {t.pk for t in teams} | (before_teams - grantable)
        if {Role.MARKETER, Role.MANAGER} & set(roles) and not team_ids:
            raise ServiceError(_("Marketers and managers must belong to a team."), field="teams")
        changed = (
            before_roles != roles
            or before_teams != team_ids
            or before_specialist != bool(is_specialist)
        )
        if not changed:
            return False
        _apply_roles(locked, roles)
        locked.teams.set(team_ids)
        locked.is_specialist = bool(is_specialist)
        locked.access_version += 1
        locked.save(update_fields=["is_specialist", "access_version"])
        # Losing the reviewer role (or joining a campaign's team) ends open reviews now.
        assignments.reviewer_assignments_withdraw(user=locked, actor=actor)
        logger.info("user %s roles/teams changed by user %s", user.pk, actor.pk)
    for attr in ("role_set", "team_ids"):
        user.__dict__.pop(attr, None)
    user.is_specialist = locked.is_specialist
    user.access_version = locked.access_version
    security_log.log_event(
        "access_changed",
        actor=actor,
        target_id=user.pk,
        target_email=user.email,
        roles_before=before_roles,
        roles=roles,
        teams_before=sorted(before_teams),
        teams=sorted(team_ids),
        specialist_before=before_specialist,
        specialist=locked.is_specialist,
    )
    return True


def user_set_active(*, actor: User, user: User, active: bool) -> None:
    """Deactivation takes effect at the person's next request: the authentication
    backend refuses inactive users, so their open sessions stop working at once."""
    if not permissions.can_change_activation(actor, user):
        raise ServiceError(_("You may not change this person's access."))
    with transaction.atomic():
        cached_lists_refresh()
        changed = User.objects.filter(pk=user.pk).exclude(is_active=active).update(is_active=active)
        if changed and not active:
            assignments.reviewer_assignments_withdraw(user=user, actor=actor)
        if changed:
            logger.info(
                "user %s %s by user %s", user.pk, "activated" if active else "deactivated", actor.pk
            )
    if changed:
        security_log.log_event(
            "user_activated" if active else "user_deactivated",
            actor=actor,
            target_id=user.pk,
            target_email=user.email,
        )
    user.is_active = active


def user_set_language(*, user: User, language: str) -> None:
    if language not in dict(settings.LANGUAGES):
        raise ServiceError(_("Unknown language."))
    User.objects.filter(pk=user.pk).update(language=language)
    user.language = language


def team_create(*, actor: User, name: str, slug: str) -> Team:
    if not actor.has_role(Role.ADMIN):
        raise ServiceError(_("Only administrators may create teams."))
    with transaction.atomic():
        cached_lists_refresh()
        return Team.objects.create(name=name.strip(), slug=slug)


def team_rename(*, actor: User, team: Team, name: str) -> None:
    """Give ``team`` a new name; its campaigns are found by the new one at once."""
    if not actor.has_role(Role.ADMIN):
        raise ServiceError(_("Only administrators may rename teams."))
    name = name.strip()
    if not name:
        raise ServiceError(_("Enter the team's name."), field="name")
    with transaction.atomic():
        cached_lists_refresh()
        locked = Team.objects.select_for_update().get(pk=team.pk)
        if locked.name == name:
            return
        locked.name = name
        locked.save(update_fields=["name"])
        search_text_refresh(campaigns=Campaign.objects.filter(team=locked))
        logger.info("team %s renamed by user %s", team.pk, actor.pk)
    team.name = name
