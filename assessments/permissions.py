"""The one place that answers "may this user do X (to that object)?".

Views authorise with these functions and templates show links and buttons from the
same answers (through the ``navigation`` context processor and ``perms`` helpers), so
the two can never disagree.
"""

from enum import StrEnum

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .errors import ServiceError
from .models import (
    Campaign,
    CampaignStatus,
    CampaignVersion,
    Invitation,
    Team,
    User,
)
from .roles import Role
from .workflow import EDITABLE_STATES, OPEN_REVIEW_STATES, TRANSITIONS

WITHDRAWABLE_STATES = TRANSITIONS["withdraw"][0]
OVERRULABLE_STATES = TRANSITIONS["overrule"][0]
REREVIEW_STATES = TRANSITIONS["request_rereview"][0]
NOTICE_STATES = frozenset({CampaignStatus.APPROVED, CampaignStatus.APPROVED_WITH_CONDITIONS})


class Action(StrEnum):
    VIEW_MY_CAMPAIGNS = "view_my_campaigns"
    VIEW_CAMPAIGNS = "view_campaigns"
    VIEW_REVIEW_QUEUE = "view_review_queue"
    VIEW_DASHBOARD = "view_dashboard"
    MANAGE_PEOPLE = "manage_people"
    USE_ADMIN = "use_admin"
    VIEW_GUIDELINES = "view_guidelines"
    WRITE_GUIDELINES = "write_guidelines"
    MANAGE_TRAINING = "manage_training"
    MANAGE_CALENDAR = "manage_calendar"
    VIEW_REGISTER = "view_register"


# Which roles may do each page-level action.
_ACTION_ROLES: dict[Action, frozenset[str]] = {
    Action.VIEW_MY_CAMPAIGNS: frozenset({Role.MARKETER}),
    Action.VIEW_CAMPAIGNS: frozenset(
        {Role.MARKETER, Role.REVIEWER, Role.CHAIR, Role.MANAGER, Role.ADMIN}
    ),
    Action.VIEW_REVIEW_QUEUE: frozenset({Role.REVIEWER, Role.CHAIR}),
    Action.VIEW_DASHBOARD: frozenset({Role.MANAGER, Role.CHAIR, Role.ADMIN}),
    Action.MANAGE_PEOPLE: frozenset({Role.MANAGER, Role.ADMIN}),
    Action.USE_ADMIN: frozenset({Role.ADMIN}),
    Action.VIEW_GUIDELINES: frozenset(Role.values),
    Action.WRITE_GUIDELINES: frozenset({Role.CHAIR, Role.ADMIN}),
    Action.MANAGE_TRAINING: frozenset({Role.ADMIN}),
    # Board-declared closure days move every due date: the chair and administrators.
    Action.MANAGE_CALENDAR: frozenset({Role.CHAIR, Role.ADMIN}),
    Action.VIEW_REGISTER: frozenset(Role.values),
}


def _active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


# --- two-factor authentication --------------------------------------------------------------

# Reviewers, chairs and administrators (and any staff account) sign decisions or administer:
# they need an authenticator app (TOTP) before the actions below and the Django admin.
ROLES_NEEDING_MFA = frozenset({Role.REVIEWER, Role.CHAIR, Role.ADMIN})
# The campaign actions (``available_actions``) that need it.
MFA_ACTIONS = frozenset(
    {"vote", "assign", "confirm", "overrule", "verify_conditions", "triage", "send_back"}
)
MFA_REQUIRED_MESSAGE = _(
    "Set up two-factor authentication (an authenticator app) before you vote, decide or "
    "administer. Nothing was changed."
)


def user_has_mfa(user: User) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def needs_mfa(user: User) -> bool:
    """Holds a role (or staff access) whose actions need two-factor authentication."""
    return _active(user) and (user.is_staff or not ROLES_NEEDING_MFA.isdisjoint(user.role_set))


def mfa_missing(user: User) -> bool:
    """Must set up two-factor authentication before any of ``MFA_ACTIONS`` or the Django
    admin (while ``REQUIRE_MFA_FOR_BOARD`` is on, the default)."""
    return bool(settings.REQUIRE_MFA_FOR_BOARD and needs_mfa(user) and not user_has_mfa(user))


def check_mfa(user: User) -> None:
    """The services' guard (the views check first and show a page explaining it)."""
    if mfa_missing(user):
        raise ServiceError(MFA_REQUIRED_MESSAGE)


def can(user: User, action: Action | str) -> bool:
    """May ``user`` do the page-level ``action``?"""
    if not _active(user):
        return False
    allowed = _ACTION_ROLES[Action(action)]
    return not allowed.isdisjoint(user.role_set)


def allowed_actions(user: User) -> frozenset[Action]:
    return frozenset(action for action in Action if can(user, action))


def invitable_roles(user: User) -> list[str]:
    """Roles ``user`` may give in an invitation: administrators any, managers marketers."""
    if not _active(user):
        return []
    if user.has_role(Role.ADMIN):
        return list(Role.values)
    if user.has_role(Role.MANAGER):
        return [Role.MARKETER, Role.MANAGER]
    return []


def invitable_teams(user: User):
    """Teams ``user`` may invite into: administrators all, managers their own."""
    if not _active(user):
        return Team.objects.none()
    if user.has_role(Role.ADMIN):
        return Team.objects.all()
    if user.has_role(Role.MANAGER):
        return Team.objects.filter(pk__in=user.team_ids)
    return Team.objects.none()


def can_invite(user: User, *, roles: list[str], teams: list[Team]) -> bool:
    allowed_roles = set(invitable_roles(user))
    if not allowed_roles or not set(roles) <= allowed_roles:
        return False
    if user.has_role(Role.ADMIN):
        return True
    # A manager invites only into teams they belong to, and at least one of them.
    return bool(teams) and all(team.pk in user.team_ids for team in teams)


def visible_people(user: User):
    """The people ``user`` may see and manage on the People page."""
    if not _active(user):
        return User.objects.none()
    if user.has_role(Role.ADMIN):
        return User.objects.all()
    if user.has_role(Role.MANAGER):
        return User.objects.filter(teams__in=user.team_ids).distinct()
    return User.objects.none()


def can_change_activation(user: User, target: User) -> bool:
    """Administrators (de)activate anyone but themselves; managers only marketers of
    their teams who hold no other role."""
    if not _active(user) or target.pk == user.pk:
        return False
    if user.has_role(Role.ADMIN):
        return True
    if user.has_role(Role.MANAGER):
        return target.role_set <= {Role.MARKETER} and not target.team_ids.isdisjoint(user.team_ids)
    return False


def can_edit_person(user: User, target: User) -> bool:
    """Who may change ``target``'s roles, teams (and, administrators only, the specialist
    flag): administrators anyone; managers, as with invitations, only marketers and
    managers who share a team with them, never themselves. What they may give is
    ``can_invite``'s rule."""
    if not _active(user):
        return False
    if user.has_role(Role.ADMIN):
        return True
    if user.has_role(Role.MANAGER) and target.pk != user.pk:
        return target.role_set <= set(invitable_roles(user)) and not target.team_ids.isdisjoint(
            user.team_ids
        )
    return False


def can_revoke_invitation(user: User, invitation: Invitation) -> bool:
    if not _active(user) or invitation.status != "pending":
        return False
    if user.has_role(Role.ADMIN):
        return True
    return user.has_role(Role.MANAGER) and invitation.invited_by_id == user.pk


# --- campaigns ---------------------------------------------------------------------------


def can_create_campaign(user: User) -> bool:
    return _active(user) and user.has_role(Role.MARKETER) and bool(user.team_ids)


def campaign_teams(user: User):
    """Teams ``user`` may create campaigns for."""
    if not can_create_campaign(user):
        return Team.objects.none()
    return Team.objects.filter(pk__in=user.team_ids)


def is_team_marketer(user: User, campaign: Campaign) -> bool:
    return _active(user) and user.has_role(Role.MARKETER) and campaign.team_id in user.team_ids


def can_edit_campaign(user: User, campaign: Campaign) -> bool:
    """The campaign's team edits its intake, answers and evidence while it is a draft or
    after changes were requested."""
    return is_team_marketer(user, campaign) and campaign.status in EDITABLE_STATES


def is_chair(user: User) -> bool:
    return _active(user) and user.has_role(Role.CHAIR)


def is_board(user: User) -> bool:
    """Reviewers and the chair."""
    return _active(user) and not {Role.REVIEWER, Role.CHAIR}.isdisjoint(user.role_set)


def can_comment(user: User, campaign: Campaign) -> bool:
    """The board and the campaign's team (of a campaign read through
    ``Campaign.objects.visible_to``)."""
    return is_board(user) or is_team_marketer(user, campaign)


def can_open_campaign(user: User, campaign: Campaign) -> bool:
    """Whether ``user`` may open ``campaign``: the one visibility rule
    (``Campaign.objects.visible_to``) asked for one row."""
    return Campaign.objects.visible_to(user).filter(pk=campaign.pk).exists()


def _read_for(campaign: Campaign, user: User) -> bool:
    """Whether ``campaign`` carries the facts about ``user`` (read ``with_viewer(user)``)."""
    return getattr(campaign, "viewer_pk", None) == user.pk


def _check_read_for(campaign: Campaign, user: User) -> None:
    if not _read_for(campaign, user):
        raise ValueError("read the campaign with Campaign.objects.with_viewer(user)")


def can_vote(user: User, campaign: Campaign) -> bool:
    """The review is open and the user's accepted assignment still waits for their vote
    (``Assignment.objects.open``). ``campaign`` is read ``with_viewer(user)``."""
    if not _active(user) or campaign.status != CampaignStatus.IN_REVIEW:
        return False
    _check_read_for(campaign, user)
    return campaign.viewer_to_vote


# --- the AI tool register ---------------------------------------------------------------


def can_view_register(user: User) -> bool:
    """Everyone signed in reads the register (marketers pick their tools from it)."""
    return _active(user)


def can_edit_register(user: User) -> bool:
    """The board (reviewers and the chair) proposes and edits entries."""
    return is_board(user)


def can_review_register(user: User) -> bool:
    """The chair records the board's decision on a tool."""
    return is_chair(user)


# --- separation of duties -------------------------------------------------------------------

# The acts that judge a campaign. Nobody does them to a campaign of their own team, or one
# they own or submitted (``is_party``); the services check again under the row lock
# (``check_judge``).
JUDGING_ACTIONS = frozenset(
    {"assign", "vote", "confirm", "overrule", "verify_conditions", "triage", "send_back"}
)
# The role each judging act needs (only reviewers are assigned, so only they vote).
JUDGING_ROLES: dict[str, frozenset[str]] = {
    "assign": frozenset({Role.CHAIR}),
    "vote": frozenset({Role.REVIEWER}),
    "accept": frozenset({Role.REVIEWER}),
    "confirm": frozenset({Role.CHAIR}),
    "overrule": frozenset({Role.CHAIR}),
    "send_back": frozenset({Role.CHAIR}),
    "verify_conditions": frozenset({Role.REVIEWER, Role.CHAIR}),
    "triage": frozenset({Role.REVIEWER, Role.CHAIR}),
}
PARTY_MESSAGE = _(
    "You cannot judge a campaign of your own team, or one you own or submitted. "
    "Nothing was changed."
)
ROLE_MESSAGE = _("You no longer hold the role this needs. Nothing was changed.")


def parties_of(campaign: Campaign) -> Q:
    """The people on the campaign's side, as a condition on users: the members of its team,
    its owner, and whoever submitted one of its versions. The one rule of separation of
    duties (``is_party`` for one person, ``services.eligible_reviewers`` for the pool)."""
    submitters = CampaignVersion.objects.filter(campaign_id=campaign.pk).values("submitted_by")
    return Q(pk=campaign.owner_id) | Q(teams=campaign.team_id) | Q(pk__in=submitters)


def is_party(user: User, campaign: Campaign) -> bool:
    """``parties_of`` for one person: from the facts a campaign read
    ``with_viewer(user)`` carries for a board member, otherwise asked of the database."""
    if campaign.owner_id == user.pk:
        return True
    if _read_for(campaign, user) and hasattr(campaign, "viewer_submitted"):
        return campaign.team_id in user.team_ids or campaign.viewer_submitted
    return User.objects.filter(parties_of(campaign), pk=user.pk).exists()


def check_judge(user: User, campaign: Campaign, act: str) -> User:
    """The services' guard for a judging act, called inside the transaction with the
    campaign row locked: re-reads the person (row locked, so a change of roles or teams
    waits for the act) and checks, as they are at this moment, that they are active, hold
    the role, are not a party to the campaign and have the second factor. Returns the
    fresh person; raises ``ServiceError``."""
    fresh = User.objects.select_for_update().filter(pk=user.pk).first()
    if fresh is None or not fresh.is_active or fresh.role_set.isdisjoint(JUDGING_ROLES[act]):
        raise ServiceError(ROLE_MESSAGE)
    current = Campaign.objects.only("owner_id", "team_id").get(pk=campaign.pk)
    if is_party(fresh, current):
        raise ServiceError(PARTY_MESSAGE)
    check_mfa(fresh)
    return fresh


def may_verify(user: User, condition) -> bool:
    """Whoever fulfilled a condition never verifies it."""
    return condition.fulfilled_by_id != user.pk


def available_actions(campaign: Campaign, user: User) -> frozenset[str]:
    """What ``user`` may do to ``campaign`` now: views authorise with it and templates
    show buttons from it. No queries: ``campaign`` is one ``user`` may see, read
    ``with_viewer(user)`` (``selectors.campaign_for``)."""
    if not _active(user):
        return frozenset()
    _check_read_for(campaign, user)
    actions = set()
    status = campaign.status
    if can_edit_campaign(user, campaign):
        actions |= {"edit", "submit"}
    if is_team_marketer(user, campaign) and status in WITHDRAWABLE_STATES:
        actions.add("withdraw")
    if is_team_marketer(user, campaign) and status == CampaignStatus.APPROVED_WITH_CONDITIONS:
        actions.add("fulfil_conditions")
    if can_comment(user, campaign):
        actions.add("comment")
    if is_chair(user):
        if status in (CampaignStatus.SUBMITTED, CampaignStatus.IN_REVIEW):
            actions.add("assign")
        if status == CampaignStatus.AWAITING_CONFIRMATION:
            actions.add("confirm")
        if status in OVERRULABLE_STATES:
            actions.add("overrule")
    if is_board(user) and status == CampaignStatus.APPROVED_WITH_CONDITIONS:
        actions.add("verify_conditions")
    if status in OPEN_REVIEW_STATES and campaign.viewer_pending_id is not None:
        actions.add("respond")
    if can_vote(user, campaign):
        actions.add("vote")
    actions.add("feedback")
    if is_board(user):
        actions.add("triage")
    if is_team_marketer(user, campaign) and status in NOTICE_STATES:
        actions.add("notice")
    if is_chair(user) and status in REREVIEW_STATES:
        actions.add("send_back")
    if actions & JUDGING_ACTIONS and is_party(user, campaign):
        actions -= JUDGING_ACTIONS
    return frozenset(actions)
