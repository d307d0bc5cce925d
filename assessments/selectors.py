"""Reads that pages need, with a fixed number of queries whatever the data size."""

from allauth.mfa.models import Authenticator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404

from . import permissions
from .models import Campaign, Invitation, Questionnaire, Team, User, UserRole
from .questionnaire import score
from .roles import Role

ROLES_NEEDING_MFA = frozenset({Role.REVIEWER, Role.CHAIR, Role.ADMIN})


def user_has_mfa(user: User) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


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
    }
    if permissions.can(user, permissions.Action.MANAGE_PEOPLE):
        invitations = invitations_for(user).filter(
            accepted_at__isnull=True, revoked_at__isnull=True
        )
        attention["pending_invitations"] = invitations.pending().count()
        attention["expired_invitations"] = invitations.count() - attention["pending_invitations"]
    return attention


# --- questionnaires and campaigns --------------------------------------------------------

DEFAULT_QUESTIONNAIRE = "ai-marketing-impact"


def current_questionnaire(slug: str = DEFAULT_QUESTIONNAIRE) -> Questionnaire | None:
    return Questionnaire.objects.filter(slug=slug).order_by("-version").first()


def campaigns_for(user: User):
    return (
        permissions.visible_campaigns(user)
        .select_related("team", "owner", "assessment__questionnaire")
        .order_by("-updated_at")
    )


def campaign_for(user: User, pk: int) -> Campaign:
    """The campaign if ``user`` may see it; Http404 otherwise (no hint that it exists)."""
    return get_object_or_404(
        permissions.visible_campaigns(user).select_related(
            "team", "owner", "assessment__questionnaire"
        ),
        pk=pk,
    )


def campaign_result(campaign: Campaign):
    """The live score of the campaign's assessment."""
    assessment = campaign.assessment
    return score(assessment.questionnaire.parsed, campaign.intake(), assessment.answers)
