"""Demo data for the working calendar: a board away day and a person in Riyadh's zone."""

from datetime import timedelta

from django.utils import timezone

from assessments import services, working_calendar
from assessments.models import ClosureDay, User

AWAY_DAY_REASON = "Board away day · يوم خارج المكتب للمجلس"


def seed_calendar() -> None:
    """Idempotent: a closure day three weeks ahead (declared by the chair, so it is in the
    audit log) unless one is already coming, and the Arabic-speaking marketer in Riyadh."""
    chair = User.objects.filter(email="chair@example.com").first()
    today = working_calendar.local_day(timezone.now())
    if chair is not None and not ClosureDay.objects.filter(day__gte=today).exists():
        services.closure_day_add(
            actor=chair, day=today + timedelta(days=21), reason=AWAY_DAY_REASON
        )
    User.objects.filter(email="marketer2@example.com", time_zone="").update(time_zone="Asia/Riyadh")
