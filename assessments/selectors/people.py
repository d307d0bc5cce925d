"""Reads of people and invitations, and what the home page asks of each person."""

from django.db.models import Prefetch

from .. import permissions
from ..board_queue import review_queue_for
from ..models import CampaignStatus, Invitation, Team, User, UserRole
from ..roles import Role
from .assessment import campaign_result
from .campaigns import campaigns_for

ROLES_NEEDING_MFA = permissions.ROLES_NEEDING_MFA
user_has_mfa = permissions.user_has_mfa


def people_for(user: User):
    return (
        permissions.visible_people(user)
        .prefetch_related(
            Prefetch("roles", queryset=UserRole.objects.order_by("role")),
            Prefetch("teams", queryset=Team.objects.order_by("name")),
        )
        .order_by("display_name", "email")
    )


def invitations_for(user: User):
    qs = Invitation.objects.select_related("invited_by").prefetch_related(
        Prefetch("teams", queryset=Team.objects.order_by("name"))
    )
    if user.has_role(Role.ADMIN):
        return qs
    if user.has_role(Role.MANAGER):
        return qs.filter(invited_by=user)
    return qs.none()


def home_attention(user: User) -> dict:
    """What needs this person's attention on the home page."""
    attention = {
        "needs_mfa": bool(ROLES_NEEDING_MFA & user.role_set) and not user_has_mfa(user),
        "pending_invitations": 0,
        "expired_invitations": 0,
        "drafts": [],
        "review": None,
    }
    if permissions.can(user, permissions.Action.VIEW_MY_CAMPAIGNS):
        drafts = (
            campaigns_for(user)
            .filter(team_id__in=user.team_ids, status=CampaignStatus.DRAFT)
            .order_by("-updated_at")[:10]
        )
        attention["drafts"] = [(c, campaign_result(c)) for c in drafts]
    attention["review"] = review_queue_for(user) if permissions.is_board(user) else None
    if permissions.can(user, permissions.Action.MANAGE_PEOPLE):
        invitations = invitations_for(user).filter(
            accepted_at__isnull=True, revoked_at__isnull=True
        )
        attention["pending_invitations"] = invitations.pending().count()
        attention["expired_invitations"] = invitations.count() - attention["pending_invitations"]
    return attention


def people_with_ids(ids) -> list[User]:
    """The people with these ids (those that exist)."""
    return list(User.objects.filter(pk__in=ids))
