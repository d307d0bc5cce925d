from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from assessments import notifications, services
from assessments.models import (
    Assignment,
    Campaign,
    EmailStatus,
    Notification,
    NotificationPreference,
)
from tests.factories import PASSWORD

# Reminders are keyed per calendar day: the clock starts mid-morning so "an hour later"
# never crosses midnight, whatever time the suite runs.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_time")]


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


def assigned(complete_campaign, marketer, chair, board, capture):
    with capture(execute=True):
        services.campaign_submit(actor=marketer, campaign=complete_campaign)
        services.review_assign(actor=chair, campaign=complete_campaign, reviewers=board[:1])
    return Assignment.objects.get(reviewer=board[0])


def test_assignment_notifies_by_email_and_bell(
    client, complete_campaign, marketer, chair, board, capture
):
    assigned(complete_campaign, marketer, chair, board, capture)
    note = Notification.objects.get(recipient=board[0], kind="assignment")
    assert note.email_status == EmailStatus.SENT
    to_reviewer = [m for m in mail.outbox if m.to == [board[0].email]]
    assert len(to_reviewer) == 1
    assert f"/campaigns/{complete_campaign.pk}/#review" in to_reviewer[0].body
    assert to_reviewer[0].alternatives[0].mimetype == "text/html"
    client.force_login(board[0])
    page = client.get(reverse("home")).text
    assert 'data-testid="unread-count">1' in page
    client.post(reverse("notifications_read"))
    assert 'data-testid="unread-count"' not in client.get(reverse("home")).text


def test_chairs_hear_of_new_submissions(complete_campaign, marketer, chair, capture):
    with capture(execute=True):
        services.campaign_submit(actor=marketer, campaign=complete_campaign)
    assert Notification.objects.filter(recipient=chair, kind="submitted").exists()


def test_delivering_twice_sends_one_email(complete_campaign, marketer, chair, board, capture):
    with capture(execute=False):
        services.campaign_submit(actor=marketer, campaign=complete_campaign)
        services.review_assign(actor=chair, campaign=complete_campaign, reviewers=board[:1])
    note = Notification.objects.get(recipient=board[0], kind="assignment")
    assert note.email_status == EmailStatus.PENDING
    assert notifications.deliver(note.pk) is True
    assert notifications.deliver(note.pk) is False
    assert len([m for m in mail.outbox if m.to == [board[0].email]]) == 1


def test_decision_email_in_arabic(complete_campaign, marketer, chair, board, capture):
    marketer.language = "ar"
    marketer.save()
    assignment = assigned(complete_campaign, marketer, chair, board, capture)
    services.assignment_accept(actor=board[0], assignment=assignment, declaration="None")
    with capture(execute=True):
        services.vote_cast(
            actor=board[0],
            campaign=complete_campaign,
            decision="approve",
            rationale="ok",
            password=PASSWORD,
        )
    to_owner = [m for m in mail.outbox if m.to == [marketer.email]]
    decision = [m for m in to_owner if 'dir="rtl"' in m.alternatives[0].content]
    assert decision and "ar" in decision[-1].alternatives[0].content[:80], [
        m.subject for m in to_owner
    ]


def test_preferences_in_app_only_and_daily_digest(
    client, complete_campaign, marketer, chair, board, capture
):
    client.force_login(board[0])
    client.post(reverse("notification_settings"), {"assignment": "digest", "submitted": "in_app"})
    assert NotificationPreference.objects.get(user=board[0], kind="assignment").channel == "digest"
    assigned(complete_campaign, marketer, chair, board, capture)
    assert not [m for m in mail.outbox if m.to == [board[0].email]]
    assert Notification.objects.get(recipient=board[0]).email_status == EmailStatus.DIGEST
    assert notifications.send_daily_digests() == 1
    digest = [m for m in mail.outbox if m.to == [board[0].email]]
    assert len(digest) == 1 and complete_campaign.name in digest[0].body
    assert notifications.send_daily_digests() == 0


def test_unknown_preference_is_refused(client, reviewer):
    client.force_login(reviewer)
    client.post(reverse("notification_settings"), {"assignment": "pigeon"})
    assert not NotificationPreference.objects.exists()


# --- reminders, with the clock set by hand ---------------------------------------------------


def in_review(complete_campaign, marketer, chair, board, capture):
    assignment = assigned(complete_campaign, marketer, chair, board, capture)
    services.assignment_accept(actor=board[0], assignment=assignment, declaration="None")
    return Campaign.objects.get(pk=complete_campaign.pk)


def test_review_due_and_overdue_reminders_once_per_period(
    complete_campaign, marketer, chair, board, capture
):
    campaign = in_review(complete_campaign, marketer, chair, board, capture)
    due = campaign.review_due_at
    assert notifications.scan_reminders(now=due - timedelta(days=3)) == 0
    assert notifications.scan_reminders(now=due - timedelta(days=1)) == 1
    assert notifications.scan_reminders(now=due - timedelta(hours=2)) == 0  # already reminded
    assert due.weekday() == 3  # Thursday (the reference clock: submitted Monday)
    assert notifications.scan_reminders(now=due + timedelta(hours=1)) == 0  # due today
    day1 = due + timedelta(days=1)  # Friday: the due day is over
    assert notifications.scan_reminders(now=day1) == 2  # reviewer + chair (once)
    assert notifications.scan_reminders(now=day1 + timedelta(hours=1)) == 0
    assert notifications.scan_reminders(now=day1 + timedelta(days=1)) == 0  # Saturday: no nag
    assert notifications.scan_reminders(now=day1 + timedelta(days=3)) == 1  # Monday, daily
    kinds = list(
        Notification.objects.filter(kind__startswith="review_").values_list("recipient_id", "kind")
    )
    assert kinds.count((chair.pk, "review_overdue")) == 1


def test_no_reminders_for_withdrawn_or_decided(complete_campaign, marketer, chair, board, capture):
    campaign = in_review(complete_campaign, marketer, chair, board, capture)
    services.campaign_withdraw(actor=marketer, campaign=campaign)
    assert notifications.scan_reminders(now=campaign.review_due_at + timedelta(days=1)) == 0


def test_approval_expiring_in_30_and_7_days(approved_campaign):
    expires = Campaign.objects.get(pk=approved_campaign.pk).approval_expires_at
    assert notifications.scan_reminders(now=expires - timedelta(days=31)) == 0
    assert notifications.scan_reminders(now=expires - timedelta(days=29)) == 1
    assert notifications.scan_reminders(now=expires - timedelta(days=20)) == 0
    assert notifications.scan_reminders(now=expires - timedelta(days=6)) == 1
    assert notifications.scan_reminders(now=expires - timedelta(days=5)) == 0


def test_weekly_manager_digest_once_a_week(manager, approved_campaign):
    now = timezone.now()
    assert notifications.weekly_manager_digest(now=now) == 1
    assert notifications.weekly_manager_digest(now=now) == 0
    note = Notification.objects.get(recipient=manager, kind="weekly_digest")
    assert note.params["decided"] >= 1
