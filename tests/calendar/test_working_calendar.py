"""The working calendar: weekend days, public holidays, closure days and the board's
zone decide due dates, reminders and "overdue"; each person sees times in their zone."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from assessments import listing, workflow, working_calendar
from assessments.models import Campaign, ClosureDay

pytestmark = pytest.mark.django_db

LONDON, RIYADH = ZoneInfo("Europe/London"), ZoneInfo("Asia/Riyadh")


@pytest.fixture
def gulf(settings):
    """A board in Riyadh: Friday–Saturday weekend, Saudi public holidays."""
    settings.WORKING_WEEKEND = [4, 5]
    settings.HOLIDAY_COUNTRY, settings.HOLIDAY_SUBDIVISION = "SA", ""
    settings.CALENDAR_TIME_ZONE = "Asia/Riyadh"


@pytest.fixture
def england(settings):
    settings.WORKING_WEEKEND = [5, 6]
    settings.HOLIDAY_COUNTRY, settings.HOLIDAY_SUBDIVISION = "GB", "ENG"
    settings.CALENDAR_TIME_ZONE = "Europe/London"


def at(zone, *parts) -> datetime:
    return datetime(*parts, tzinfo=zone)


# --- weekend days ----------------------------------------------------------------------------


def test_western_weekend_skips_saturday_and_sunday(settings):
    settings.WORKING_WEEKEND = [5, 6]
    friday = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)
    assert workflow.add_working_days(friday, 1) == datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
    assert workflow.add_working_days(friday, 3) == datetime(2026, 12, 9, 10, 0, tzinfo=UTC)


def test_gulf_weekend_skips_friday_and_saturday(settings):
    settings.WORKING_WEEKEND = [4, 5]
    thursday = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
    # Sunday is a working day in the Gulf; Monday–Friday counting would give Friday.
    assert workflow.add_working_days(thursday, 1) == datetime(2026, 12, 6, 10, 0, tzinfo=UTC)
    friday = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)
    assert not working_calendar.is_working_day(friday.date())
    assert working_calendar.is_working_day(date(2026, 12, 6))


@pytest.mark.parametrize("hostile", ["7", "0,1,2,3,4,5,6", "-1"])
def test_a_weekend_setting_that_leaves_no_working_day_is_refused(settings, hostile):
    from django.core.exceptions import ImproperlyConfigured

    settings.WORKING_WEEKEND = [int(day) for day in hostile.split(",")]
    with pytest.raises(ImproperlyConfigured):
        working_calendar.add_working_days(datetime(2026, 12, 4, tzinfo=UTC), 1)


# --- public holidays ---------------------------------------------------------------------------


def test_saudi_national_day_is_skipped(gulf):
    tuesday = at(RIYADH, 2026, 9, 22, 9, 0)
    # 23 September (Wednesday) is Saudi National Day: due Thursday the 24th.
    due = workflow.add_working_days(tuesday, 1)
    assert due == at(RIYADH, 2026, 9, 24, 9, 0)
    assert due.tzinfo == UTC  # records keep UTC
    # Then the weekend (Friday, Saturday): two working days land on Sunday.
    assert workflow.add_working_days(tuesday, 2) == at(RIYADH, 2026, 9, 27, 9, 0)


def test_uk_christmas_and_boxing_day_observed(england):
    christmas_eve = at(LONDON, 2026, 12, 24, 11, 0)  # Thursday
    # Christmas (Fri), the weekend, Boxing Day observed on Monday 28th: due Tuesday.
    assert workflow.add_working_days(christmas_eve, 1) == at(LONDON, 2026, 12, 29, 11, 0)


def test_due_date_across_the_year_end(england):
    new_years_eve = at(LONDON, 2026, 12, 31, 15, 0)  # Thursday
    # 1 January 2027 (Friday) is a holiday, then the weekend.
    assert workflow.add_working_days(new_years_eve, 1) == at(LONDON, 2027, 1, 4, 15, 0)
    assert workflow.add_working_days(new_years_eve, 2) == at(LONDON, 2027, 1, 5, 15, 0)


def test_no_country_means_no_public_holidays(settings):
    settings.HOLIDAY_COUNTRY = ""
    assert working_calendar.is_working_day(date(2026, 12, 25))


def test_holidays_are_built_once_per_year(england):
    working_calendar._holidays.cache_clear()
    day = date(2026, 1, 1)
    while day.year == 2026:
        working_calendar.is_working_day(day)
        day += timedelta(days=1)
    working_calendar.is_working_day(date(2027, 1, 1))
    info = working_calendar._holidays.cache_info()
    assert info.misses == 2  # 2026 and 2027, each once
    assert info.hits == 260  # every other weekday of 2026 from the cache


def test_holiday_names_in_arabic(gulf):
    names = working_calendar.public_holidays(2026, "ar")
    assert names[date(2026, 9, 23)] == "اليوم الوطني"
    assert "National" in working_calendar.public_holidays(2026, "en")[date(2026, 9, 23)]


# --- closure days ------------------------------------------------------------------------------


def test_closure_days_are_skipped(settings, django_assert_num_queries):
    settings.HOLIDAY_COUNTRY = ""
    ClosureDay.objects.create(day=date(2026, 12, 7), reason="Board away day")  # Monday
    friday = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)
    with django_assert_num_queries(1):  # one query for the year, not one per day
        assert working_calendar.add_working_days(friday, 2) == datetime(
            2026, 12, 9, 10, 0, tzinfo=UTC
        )
    assert not working_calendar.is_working_day(date(2026, 12, 7))


def test_closure_days_across_the_year_end(settings, django_assert_num_queries):
    settings.HOLIDAY_COUNTRY = ""
    ClosureDay.objects.create(day=date(2027, 1, 4), reason="Shutdown")
    thursday = datetime(2026, 12, 31, 10, 0, tzinfo=UTC)
    with django_assert_num_queries(1):  # only 2027 is counted (the start day is not)
        assert working_calendar.add_working_days(thursday, 2) == datetime(
            2027, 1, 5, 10, 0, tzinfo=UTC
        )


# --- the board's zone and daylight saving --------------------------------------------------------


def test_due_time_keeps_the_boards_wall_clock_across_a_dst_change(england):
    # British Summer Time ends on Sunday 25 October 2026.
    friday = at(LONDON, 2026, 10, 23, 9, 0)  # 08:00 UTC
    due = workflow.add_working_days(friday, 1)
    assert due == at(LONDON, 2026, 10, 26, 9, 0)  # 09:00 GMT = 09:00 UTC
    assert (friday.astimezone(UTC).hour, due.hour) == (8, 9)


def test_the_boards_day_decides_the_working_day(settings):
    settings.WORKING_WEEKEND = [4, 5]
    settings.HOLIDAY_COUNTRY = ""
    settings.CALENDAR_TIME_ZONE = "Asia/Riyadh"
    # Thursday 22:30 UTC is already Friday 01:30 in Riyadh: the count starts from Friday.
    late = datetime(2026, 12, 3, 22, 30, tzinfo=UTC)
    assert workflow.add_working_days(late, 1) == datetime(2026, 12, 5, 22, 30, tzinfo=UTC)


# --- overdue -----------------------------------------------------------------------------------


def test_overdue_once_the_due_day_is_over_in_the_boards_zone(settings, approved_campaign):
    due = datetime(2026, 12, 7, 22, 0, tzinfo=UTC)  # Tuesday 01:00 in Riyadh
    Campaign.objects.filter(pk=approved_campaign.pk).update(status="in_review", review_due_at=due)
    now = datetime(2026, 12, 8, 10, 0, tzinfo=UTC)

    def overdue():
        return listing.apply_filters(Campaign.objects.all(), {"overdue": True}, now=now).count()

    settings.CALENDAR_TIME_ZONE = "UTC"
    assert overdue() == 1  # due Monday (UTC), now Tuesday
    settings.CALENDAR_TIME_ZONE = "Asia/Riyadh"
    assert overdue() == 0  # due Tuesday (Riyadh), still Tuesday there
    assert working_calendar.overdue_cutoff(now) == datetime(2026, 12, 7, 21, 0, tzinfo=UTC)
