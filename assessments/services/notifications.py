"""Notification reads and preferences (sending is in ``assessments.notifications``)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..errors import ServiceError
from ..models import Channel, Notification, NotificationKind, NotificationPreference, User


def notifications_mark_read(*, user: User, ids: list[int] | None = None) -> int:
    """Mark the user's notifications (all, or ``ids``) as read."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())


def notification_preferences_set(*, user: User, choices: dict[str, str]) -> None:
    """Per kind: in the app only, in the app and by e-mail, or in a daily digest."""
    unknown = [
        k for k, v in choices.items() if k not in NotificationKind.values or v not in Channel.values
    ]
    if unknown:
        raise ServiceError(_("Unknown notification setting."))
    with transaction.atomic():
        for kind, channel in choices.items():
            NotificationPreference.objects.update_or_create(
                user=user, kind=kind, defaults={"channel": channel}
            )
