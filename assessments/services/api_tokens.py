"""Personal API tokens: created and revoked by their owner."""

import hashlib
import logging
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..errors import ServiceError
from ..models import ApiToken, User

logger = logging.getLogger(__name__)

TOKEN_PREFIX = "er_"
MAX_ACTIVE_TOKENS = 20


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns it with the secret, which is never stored."""
    name = (name or "").strip()
    if not name:
        raise ServiceError(_("Give the token a name (what will use it?)."), field="name")
    if len(name) > 100:
        raise ServiceError(_("Keep the name under 100 characters."), field="name")
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if not locked.is_active:
            raise ServiceError(_("This account is deactivated."))
        if locked.api_tokens.filter(revoked_at__isnull=True).count() >= MAX_ACTIVE_TOKENS:
            raise ServiceError(
                _("You have %(count)s active tokens: revoke one first.")
                % {"count": MAX_ACTIVE_TOKENS}
            )
        raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = ApiToken.objects.create(
            user=locked, name=name, prefix=raw[:10], digest=token_digest(raw)
        )
    logger.info("API token %s created by user %s", token.pk, user.pk)
    return token, raw


def api_token_revoke(*, user: User, token: ApiToken) -> None:
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().get(pk=token.pk)
        if locked.user_id != user.pk:
            raise ServiceError(_("This is not your token."))
        if locked.revoked_at is None:
            locked.revoked_at = timezone.now()
            locked.save(update_fields=["revoked_at"])
    logger.info("API token %s revoked by user %s", token.pk, user.pk)
