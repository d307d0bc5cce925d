"""Invitation links: a token signed with SECRET_KEY over (id, nonce)."""

from django.core import signing
from django.utils.translation import gettext as _

from .errors import ServiceError
from .models import Invitation

_INVITATION_SALT = "ethicsreview.invitation"


# --- invitations -----------------------------------------------------------------------


def invitation_token(invitation: Invitation) -> str:
    """The secret part of an invitation link (signed with SECRET_KEY)."""
    return signing.Signer(salt=_INVITATION_SALT).sign_object(
        {"i": invitation.pk, "n": invitation.nonce}
    )


def invitation_from_token(token: str) -> Invitation:
    """The invitation a link points at; ``ServiceError`` for a forged or unknown link."""
    try:
        data = signing.Signer(salt=_INVITATION_SALT).unsign_object(token)
        return Invitation.objects.get(pk=int(data["i"]), nonce=str(data["n"]))
    except (signing.BadSignature, Invitation.DoesNotExist, KeyError, TypeError, ValueError):
        raise ServiceError(_("This invitation link is not valid.")) from None


def check_invitation_usable(invitation: Invitation) -> None:
    if invitation.accepted_at:
        raise ServiceError(_("This invitation has already been used. Please sign in instead."))
    if invitation.revoked_at:
        raise ServiceError(_("This invitation has been withdrawn."))
    if invitation.is_expired:
        raise ServiceError(
            _("This invitation has expired. Ask the person who invited you to send a new one.")
        )
