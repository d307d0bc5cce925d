"""The domain's models, one module per concern; import them from here."""

from .accounts import (
    Invitation,
    InvitationQuerySet,
    Team,
    User,
    UserManager,
    UserRole,
    new_invitation_nonce,
    normalize_email,
)
from .campaigns import (
    Assessment,
    Campaign,
    CampaignStatus,
    EvidenceFile,
    EvidenceKind,
    Questionnaire,
    _list_default,
    evidence_path,
)

__all__ = [
    "Assessment",
    "Campaign",
    "CampaignStatus",
    "EvidenceFile",
    "EvidenceKind",
    "Invitation",
    "InvitationQuerySet",
    "Questionnaire",
    "Team",
    "User",
    "UserManager",
    "UserRole",
    "_list_default",
    "evidence_path",
    "new_invitation_nonce",
    "normalize_email",
]
