"""Training reminders (issue #21): 30 and 7 days before a required module's training
expires, once each, through the notification outbox, in the person's language."""

import io
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.core.management import call_command

from assessments import notifications, services
from assessments.models import Notification, NotificationKind
from tests.factories import UserFactory
from tests.training_support import complete, make_module

pytestmark = pytest.mark.django_db

COMPLETED = datetime(2025, 6, 1, 9, 0, tzinfo=UTC)
EXPIRES = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def test_reminders_30_and_7_days_before_expiry_once_each(marketer):
    module = make_module(roles=["marketer"])
    complete(marketer, module, COMPLETED)
    assert services.training_reminders_send(now=EXPIRES - timedelta(days=31)) == 0
    assert services.training_reminders_send(now=EXPIRES - timedelta(days=30)) == 1
    assert services.training_reminders_send(now=EXPIRES - timedelta(days=20)) == 0  # sent
    assert services.training_reminders_send(now=EXPIRES - timedelta(days=7)) == 1
    assert services.training_reminders_send(now=EXPIRES - timedelta(days=1)) == 0  # sent
    assert services.training_reminders_send(now=EXPIRES) == 0  # expired: nothing to remind
    rows = list(Notification.objects.order_by("pk"))
    assert [r.params["days"] for r in rows] == [30, 7]
    assert {r.kind for r in rows} == {NotificationKind.TRAINING_EXPIRING}
    assert rows[0].url == "/training/"
    assert rows[0].params["expires"] == "2026-06-01"


def test_no_reminder_once_renewed_or_when_not_required(marketer, reviewer):
    module = make_module(roles=["marketer"])
    complete(marketer, module, COMPLETED)
    complete(marketer, module, COMPLETED + timedelta(days=300))  # renewed
    complete(reviewer, module, COMPLETED)  # not required for reviewers
    gone = UserFactory(roles=["marketer"], is_active=False)
    complete(gone, module, COMPLETED)
    assert services.training_reminders_send(now=EXPIRES - timedelta(days=10)) == 0


def test_the_reminder_is_in_arabic_for_an_arabic_reader(django_capture_on_commit_callbacks, team):
    person = UserFactory(roles=["marketer"], teams=[team], language="ar")
    complete(person, make_module(roles=["marketer"]), COMPLETED)
    with django_capture_on_commit_callbacks(execute=True):
        services.training_reminders_send(now=EXPIRES - timedelta(days=5))
    [notification] = Notification.objects.all()
    subject, text, _html = notifications.render_email(notification)
    assert "الخصوصية والموافقة" in text
    assert "تنتهي" in text  # the Arabic sentence, not the English one
    assert [m.to for m in mail.outbox] == [[person.email]]


def test_the_reminders_run_with_the_periodic_jobs(marketer, reference_time):
    module = make_module(roles=["marketer"])
    complete(marketer, module, reference_time - timedelta(days=360))
    call_command("run_periodic", stdout=io.StringIO())
    assert Notification.objects.filter(kind=NotificationKind.TRAINING_EXPIRING).count() == 1


def test_a_duplicate_completion_sends_one_reminder(marketer):
    module = make_module(roles=["marketer"])
    complete(marketer, module, COMPLETED)
    complete(marketer, module, COMPLETED)  # imported twice, say
    assert services.training_reminders_send(now=EXPIRES - timedelta(days=20)) == 1
