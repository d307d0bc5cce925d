"""The board's closure days and each person's time zone."""

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import audit, permissions, working_calendar
from ..errors import ServiceError
from ..models import ClosureDay, EventKind, User
from ..permissions import Action

MAX_REASON = 200
# Closure days further than this from today are almost certainly a typo in the year.
MAX_YEARS_AHEAD = 5


def _check_manager(actor: User) -> None:
    if not permissions.can(actor, Action.MANAGE_CALENDAR):
        raise ServiceError(_("Only the chair and administrators may change the board's calendar."))


def closure_day_add(
    *, actor: User, day: date, reason: str, today: date | None = None
) -> ClosureDay:
    """Declare ``day`` a closure day: due dates set from now on skip it (due dates already
    set stay as they are, like any other rule change)."""
    _check_manager(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("Say why the board is closed that day."), field="reason")
    if len(reason) > MAX_REASON:
        raise ServiceError(
            _("Keep the reason under %(count)s characters.") % {"count": MAX_REASON},
            field="reason",
        )
    today = today or working_calendar.local_day(timezone.now())
    if day < today:
        raise ServiceError(_("A closure day cannot be in the past."), field="day")
    if day.year > today.year + MAX_YEARS_AHEAD:
        raise ServiceError(
            _("A closure day must be within %(years)s years.") % {"years": MAX_YEARS_AHEAD},
            field="day",
        )
    try:
        with transaction.atomic():
            closure = ClosureDay.objects.create(day=day, reason=reason, created_by=actor)
            audit.record(
                kind=EventKind.CLOSURE_DAY_ADDED,
                actor=actor,
                payload={"closure_day": closure.pk, "day": day.isoformat()},
            )
    except IntegrityError:
        raise ServiceError(_("That day is already a closure day."), field="day") from None
    return closure


def closure_day_remove(*, actor: User, closure: ClosureDay) -> None:
    _check_manager(actor)
    with transaction.atomic():
        locked = ClosureDay.objects.select_for_update().filter(pk=closure.pk).first()
        if locked is None:
            return
        audit.record(
            kind=EventKind.CLOSURE_DAY_REMOVED,
            actor=actor,
            payload={"closure_day": locked.pk, "day": locked.day.isoformat()},
        )
        locked.delete()


def user_set_time_zone(*, user: User, time_zone: str) -> None:
    """Times are shown to ``user`` in ``time_zone`` (an IANA name such as "Asia/Riyadh");
    empty means the installation default. Records and signatures stay in UTC."""
    time_zone = time_zone or ""
    if time_zone and not working_calendar.is_time_zone(time_zone):
        raise ServiceError(_("Choose a time zone from the list."), field="time_zone")
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(time_zone=time_zone)
    user.time_zone = time_zone
