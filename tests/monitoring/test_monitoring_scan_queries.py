"""The daily monitoring scan finds overdue reports in a fixed number of queries, whatever the
number of live campaigns: only the reminders and flags it writes cost per overdue campaign."""

from datetime import UTC, date, datetime

import pytest
import time_machine

from assessments import services
from assessments.models import Campaign, MonitoringRule, Notification
from assessments.services import campaign_create
from tests.conftest import INTAKE_POST

pytestmark = pytest.mark.django_db

SCAN_AT = datetime(2027, 1, 10, 9, tzinfo=UTC)
# The rules; the live campaigns with their report counts; nothing overdue: stop there.
QUIET_SCAN = 2
# + the overdue campaigns' marketers (one query for all), then for the one overdue campaign
# only: the reminder (dedupe check, the marketer's preferences, the notification: 3) and,
# beyond the grace period, the flag (the locked campaign, its audit event with the
# campaign's last event, the chairs' notifications and the read models' refresh: 23).
ONE_OVERDUE = QUIET_SCAN + 1 + 3 + 23


def _live(questionnaire, marketer, team, *, count: int, flight_start: date) -> list[int]:
    """``count`` approved tier IV campaigns (reporting every 14 days from the flight's start)."""
    intake = {
        **INTAKE_POST,
        "reaches_minors": False,
        "reaches_vulnerable": False,
        "flight_start": flight_start,
        "flight_end": date(2027, 3, 1),
    }
    ids = [
        campaign_create(actor=marketer, team=team, intake=intake, questionnaire=questionnaire).pk
        for _ in range(count)
    ]
    # Only what the scan reads: approved before the flight, tier IV.
    Campaign.objects.filter(pk__in=ids).update(
        status="approved", tier="IV", decided_at=datetime(2026, 11, 20, 9, tzinfo=UTC)
    )
    return ids


@pytest.fixture
def every_two_weeks():
    MonitoringRule.objects.update_or_create(
        tier="IV", defaults={"cadence": "every", "every_days": 14}
    )


def _scan_queries(django_assert_num_queries, expected: int) -> int:
    with (
        time_machine.travel(SCAN_AT, tick=False),
        django_assert_num_queries(expected),
    ):
        return services.monitoring_scan()


@pytest.mark.usefixtures("every_two_weeks")
def test_a_scan_with_nothing_overdue_is_two_queries_for_3_or_12_campaigns(
    questionnaire, marketer, team, django_assert_num_queries
):
    # Flights from 1 January: the first report is due on 15 January, after the scan.
    _live(questionnaire, marketer, team, count=3, flight_start=date(2027, 1, 1))
    assert _scan_queries(django_assert_num_queries, QUIET_SCAN) == 0
    _live(questionnaire, marketer, team, count=9, flight_start=date(2027, 1, 1))
    assert Campaign.objects.filter(status="approved").count() == 12
    assert _scan_queries(django_assert_num_queries, QUIET_SCAN) == 0


@pytest.mark.usefixtures("every_two_weeks")
@pytest.mark.parametrize("quiet", [3, 12])
def test_one_overdue_campaign_costs_the_same_among_3_or_12_quiet_ones(
    questionnaire, marketer, team, chair, settings, django_assert_num_queries, quiet
):
    settings.MONITORING_GRACE_DAYS = 7
    # From 1 December: due 15 December, 26 days late on 10 January.
    [overdue] = _live(questionnaire, marketer, team, count=1, flight_start=date(2026, 12, 1))
    _live(questionnaire, marketer, team, count=quiet, flight_start=date(2027, 1, 1))
    assert _scan_queries(django_assert_num_queries, ONE_OVERDUE) == 1
    note = Notification.objects.get(kind="monitoring_due")
    assert note.campaign_id == overdue and note.recipient == marketer
    assert Campaign.objects.get(pk=overdue).rereview_flagged_at is not None
    assert Campaign.objects.filter(rereview_flagged_at__isnull=False).count() == 1
