"""The board's working calendar and people's time zones.

Every due date, reminder and "overdue" goes through here: working days are the days that
are not installation weekend days (``WORKING_WEEKEND``), not public holidays of
``HOLIDAY_COUNTRY``/``HOLIDAY_SUBDIVISION`` (the maintained ``holidays`` package) and not
board-declared ``ClosureDay`` rows. Days begin and end in the board's zone
(``CALENDAR_TIME_ZONE``); records keep UTC and each person sees times in their own zone.
"""

import functools
import zoneinfo
from datetime import UTC, date, datetime, time, timedelta, tzinfo

import holidays
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

# Holiday names in the interface language where the package has them.
_HOLIDAY_LANGUAGES = {"en": ("en_US", "en_GB", "en"), "ar": ("ar",)}


# --- time zones -------------------------------------------------------------------------


@functools.cache
def time_zone_names() -> tuple[str, ...]:
    """The IANA zone names a person may choose (sorted; no aliases such as "localtime")."""
    names = zoneinfo.available_timezones() - {"localtime", "Factory"}
    return tuple(sorted(name for name in names if "/" in name or name == "UTC"))


def is_time_zone(name: object) -> bool:
    return isinstance(name, str) and name in frozenset(time_zone_names())


@functools.lru_cache(maxsize=128)
def _zone(name: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(name)


def default_zone() -> zoneinfo.ZoneInfo:
    return _zone(settings.DEFAULT_USER_TIME_ZONE)


def person_zone(name: str) -> tzinfo:
    """A person's chosen zone, or the installation default when empty or unknown (a zone
    removed from the system's database must not break their pages)."""
    return _zone(name) if is_time_zone(name) else default_zone()


def board_zone() -> zoneinfo.ZoneInfo:
    try:
        return _zone(settings.CALENDAR_TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ImproperlyConfigured(
            f"CALENDAR_TIME_ZONE: {settings.CALENDAR_TIME_ZONE!r} is not a time zone"
        ) from exc


def local_day(moment: datetime, zone: tzinfo | None = None) -> date:
    """The calendar day of ``moment`` in ``zone`` (the board's by default)."""
    return moment.astimezone(zone or board_zone()).date()


def day_start(day: date, zone: tzinfo | None = None) -> datetime:
    """Midnight at the start of ``day`` in ``zone`` (the board's by default), in UTC."""
    return datetime.combine(day, time.min, tzinfo=zone or board_zone()).astimezone(UTC)


# --- working days -----------------------------------------------------------------------


def weekend_days() -> frozenset[int]:
    days = frozenset(int(day) for day in settings.WORKING_WEEKEND)
    if not days <= set(range(7)) or len(days) > 6:
        raise ImproperlyConfigured(
            f"WORKING_WEEKEND: {settings.WORKING_WEEKEND!r} must be weekday numbers 0-6 "
            "(Monday 0) and leave at least one working day"
        )
    return days


@functools.lru_cache(maxsize=256)
def _holidays(country: str, subdivision: str, year: int, language: str) -> dict[date, str]:
    """One country's (and subdivision's) public holidays of one year, built once per
    process: the package computes moving feasts (Easter, the Hijri calendar) each time."""
    if not country:
        return {}
    try:
        calendar = holidays.country_holidays(
            country, subdiv=subdivision or None, years=year, language=language or None
        )
    except NotImplementedError as exc:
        raise ImproperlyConfigured(
            f"HOLIDAY_COUNTRY/HOLIDAY_SUBDIVISION: {country!r}/{subdivision!r} is not known "
            "to the holidays package"
        ) from exc
    return dict(calendar.items())


def public_holidays(year: int, language: str = "") -> dict[date, str]:
    """``{day: name}`` of the configured country's public holidays in ``year``."""
    country, subdivision = settings.HOLIDAY_COUNTRY, settings.HOLIDAY_SUBDIVISION
    chosen = ""
    if country and language:
        supported = _supported_languages(country)
        chosen = next(
            (code for code in _HOLIDAY_LANGUAGES.get(language[:2], ()) if code in supported), ""
        )
    return _holidays(country, subdivision, year, chosen)


@functools.lru_cache(maxsize=16)
def _supported_languages(country: str) -> tuple[str, ...]:
    try:
        calendar = holidays.country_holidays(country)
    except NotImplementedError:
        return ()  # _holidays() reports the unknown country
    return tuple(getattr(calendar, "supported_languages", ()))


def closure_days(start: date, end: date) -> set[date]:
    """Board-declared closure days from ``start`` to ``end`` inclusive (one query)."""
    from .models import ClosureDay

    return set(ClosureDay.objects.filter(day__range=(start, end)).values_list("day", flat=True))


class WorkingDays:
    """Answers "is this a working day?" with the closure days read one year at a time (one
    query per year asked about), so loops over many campaigns do not query per day."""

    def __init__(self) -> None:
        self.weekend = weekend_days()
        self._closed: dict[int, set[date]] = {}

    def closed(self, day: date) -> bool:
        if day.year not in self._closed:
            self._closed[day.year] = closure_days(date(day.year, 1, 1), date(day.year, 12, 31))
        return day in self._closed[day.year]

    def is_working_day(self, day: date) -> bool:
        return (
            day.weekday() not in self.weekend
            and day not in public_holidays(day.year)
            and not self.closed(day)
        )

    def add(self, start: datetime, days: int) -> datetime:
        """``start`` plus ``days`` working days: the same wall-clock time in the board's
        zone on the ``days``-th working day after ``start``'s day, returned in UTC."""
        zone = board_zone()
        local = start.astimezone(zone)
        day, added = local.date(), 0
        while added < days:
            day += timedelta(days=1)
            if self.is_working_day(day):
                added += 1
        return datetime.combine(day, local.time(), tzinfo=zone).astimezone(UTC)


def is_working_day(day: date) -> bool:
    return WorkingDays().is_working_day(day)


def add_working_days(start: datetime, days: int) -> datetime:
    return WorkingDays().add(start, days)


def overdue_cutoff(now: datetime | None = None) -> datetime:
    """A review is overdue once its due DAY (in the board's zone) is over: due before the
    start of today there. A review due today is not overdue yet."""
    now = now or timezone.now()
    return day_start(local_day(now))
