"""The working calendar page (closure days by the chair and administrators) and each
person's time zone: access for every role, hostile input, display in the person's zone,
Arabic."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from assessments import notifications, services
from assessments.errors import ServiceError
from assessments.models import AuditEvent, Campaign, ClosureDay, EventKind, Notification, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DAY = "2026-06-22"  # a week after the reference clock (2026-06-15)


def post_closure(client, person, **body):
    if person is not None:
        client.force_login(person)
    return client.post(reverse("working_calendar"), {"day": DAY, "reason": "Away day", **body})


# --- closure days: who may ---------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["chair", "admin"])
def test_chair_and_admin_declare_a_closure_day(client, personas, persona, reference_time):
    response = post_closure(client, personas[persona])
    assert response.status_code == 302
    closure = ClosureDay.objects.get()
    assert closure.day == date(2026, 6, 22) and closure.created_by == personas[persona]
    event = AuditEvent.objects.get(kind=EventKind.CLOSURE_DAY_ADDED)
    assert event.actor_id == personas[persona].pk and event.payload["day"] == DAY
    page = client.get(reverse("working_calendar"))
    assert b"Away day" in page.content and b'data-testid="closure-form"' in page.content


@pytest.mark.parametrize("persona", ["marketer", "outsider", "reviewer", "manager"])
def test_others_may_read_the_calendar_but_not_change_it(client, personas, persona, reference_time):
    ClosureDay.objects.create(day=date(2026, 6, 23), reason="Shutdown")
    assert post_closure(client, personas[persona]).status_code == 403
    assert ClosureDay.objects.count() == 1
    page = client.get(reverse("working_calendar"))
    assert page.status_code == 200 and b"Shutdown" in page.content
    assert b'data-testid="closure-form"' not in page.content
    closure = ClosureDay.objects.get()
    assert client.post(reverse("closure_day_remove", args=[closure.pk])).status_code == 403
    assert ClosureDay.objects.filter(pk=closure.pk).exists()


def test_deactivated_and_anonymous_people_change_nothing(client, reference_time):
    gone = UserFactory(roles=["chair"], is_active=False)
    client.force_login(gone)
    response = client.post(reverse("working_calendar"), {"day": DAY, "reason": "x"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.logout()
    response = client.post(reverse("working_calendar"), {"day": DAY, "reason": "x"})
    assert response.status_code == 302 and not ClosureDay.objects.exists()
    with pytest.raises(ServiceError):
        services.closure_day_add(actor=gone, day=date(2026, 6, 22), reason="x")


def test_remove_a_closure_day(client, chair, reference_time):
    closure = services.closure_day_add(actor=chair, day=date(2026, 6, 22), reason="Away day")
    client.force_login(chair)
    assert client.get(reverse("closure_day_remove", args=[closure.pk])).status_code == 405
    response = client.post(reverse("closure_day_remove", args=[closure.pk]))
    assert response.status_code == 302 and not ClosureDay.objects.exists()
    assert AuditEvent.objects.filter(kind=EventKind.CLOSURE_DAY_REMOVED).count() == 1
    assert client.post(reverse("closure_day_remove", args=[closure.pk])).status_code == 404


# --- closure days: hostile and mistaken input ----------------------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"day": "2026-06-14"}, b"cannot be in the past"),
        ({"day": "2099-01-01"}, b"within 5 years"),
        ({"day": "99999-01-01"}, b"valid date"),
        ({"day": "9" * 400}, b"valid date"),
        ({"day": "2026-02-30"}, b"valid date"),
        ({"day": "\x00"}, b"valid date"),
        ({"reason": ""}, b"This field is required"),
        ({"reason": "   "}, b"This field is required"),
        ({"reason": "x" * 201}, b"at most 200 characters"),
        ({"reason": "Away\x00day"}, b"Null characters are not allowed"),
    ],
)
def test_hostile_closure_input_gets_a_form_error(client, chair, reference_time, body, message):
    response = post_closure(client, chair, **body)
    assert response.status_code == 200
    assert message in response.content
    assert not ClosureDay.objects.exists()


def test_a_day_declared_twice_is_refused(client, chair, reference_time):
    post_closure(client, chair)
    response = post_closure(client, chair, reason="Again")
    assert response.status_code == 200 and b"already a closure day" in response.content
    assert ClosureDay.objects.get().reason == "Away day"


def test_arabic_and_bidi_reasons_are_kept_and_isolated(client, chair, reference_time):
    reason = "يوم خارج المكتب \u202eexe.pdf"
    assert post_closure(client, chair, reason=reason).status_code == 302
    page = client.get(reverse("working_calendar")).content.decode()
    assert f"<bdi>{reason}</bdi>" in page


# --- time zone: choosing ---------------------------------------------------------------------


def test_a_person_chooses_their_time_zone(client, marketer):
    client.force_login(marketer)
    response = client.post(reverse("time_zone_set"), {"time_zone": "Asia/Riyadh"})
    assert response.status_code == 302 and response["Location"] == reverse("notification_settings")
    assert User.objects.get(pk=marketer.pk).time_zone == "Asia/Riyadh"
    page = client.get(reverse("notification_settings")).content.decode()
    assert "Asia/Riyadh" in page and 'value="Asia/Riyadh" selected' in page
    client.post(reverse("time_zone_set"), {"time_zone": ""})
    assert User.objects.get(pk=marketer.pk).time_zone == ""


@pytest.mark.parametrize(
    "hostile",
    [
        "\x00",
        "Asia/Riyadh\x00",
        "../../../etc/passwd",
        "/etc/localtime",
        "localtime",
        "Factory",
        "Asia/Riyadh\u202e",
        "asia/riyadh",
        "x" * 100_000,
        "9" * 400,
        "Mars/Olympus_Mons",
        "UTC+03:00",
    ],
)
def test_hostile_time_zone_is_refused_clearly(client, marketer, hostile):
    client.force_login(marketer)
    response = client.post(reverse("time_zone_set"), {"time_zone": hostile}, follow=True)
    assert response.status_code == 200
    assert b"Choose a time zone from the list." in response.content
    assert User.objects.get(pk=marketer.pk).time_zone == ""
    with pytest.raises(ServiceError):
        services.user_set_time_zone(user=marketer, time_zone=hostile)


def test_a_stored_zone_the_system_no_longer_knows_falls_back_to_the_default(client, marketer):
    User.objects.filter(pk=marketer.pk).update(time_zone="Gone/Away")
    client.force_login(marketer)
    assert client.get(reverse("notification_settings")).status_code == 200
    assert str(User.objects.get(pk=marketer.pk).zone) == "UTC"


# --- time zone: display -------------------------------------------------------------------------


def test_due_dates_show_in_the_persons_zone(client, chair, approved_campaign):
    due = datetime(2026, 3, 29, 22, 30, tzinfo=UTC)  # already 30 March in Riyadh
    Campaign.objects.filter(pk=approved_campaign.pk).update(review_due_at=due)
    client.force_login(chair)
    page = client.get(reverse("campaign_list")).content.decode()
    assert '">2026-03-29</time>' in page
    services.user_set_time_zone(user=chair, time_zone="Asia/Riyadh")
    page = client.get(reverse("campaign_list")).content.decode()
    assert '">2026-03-30</time>' in page
    assert due.isoformat() in page  # the machine-readable instant stays UTC


def test_the_api_answers_in_utc_whatever_the_callers_zone(client, marketer, campaign):
    services.user_set_time_zone(user=marketer, time_zone="Asia/Riyadh")
    client.force_login(marketer)
    body = client.get(reverse("api_campaign", args=[campaign.pk])).json()
    assert body["created_at"].endswith("Z") or body["created_at"].endswith("+00:00")


def test_settings_page_shows_the_time_in_the_persons_zone_across_dst(marketer):
    services.user_set_time_zone(user=marketer, time_zone="Europe/London")
    # British Summer Time begins at 01:00 UTC on Sunday 29 March 2026.
    with time_machine.travel(datetime(2026, 3, 29, 0, 30, tzinfo=UTC), tick=False):
        client = Client()
        client.force_login(marketer)
        before = client.get(reverse("notification_settings")).content.decode()
    with time_machine.travel(datetime(2026, 3, 29, 1, 30, tzinfo=UTC), tick=False):
        client = Client()
        client.force_login(marketer)
        after = client.get(reverse("notification_settings")).content.decode()
    assert "2026-03-29 00:30" in before  # GMT
    assert "2026-03-29 02:30" in after  # BST


def test_emails_show_the_due_day_in_the_recipients_zone_across_dst(marketer, campaign):
    services.user_set_time_zone(user=marketer, time_zone="Europe/London")

    def email(due_at):
        note = Notification.objects.create(
            recipient=marketer,
            kind="review_due",
            campaign=campaign,
            params={"due": due_at.date().isoformat(), "due_at": due_at.isoformat()},
        )
        return notifications.render_email(note)[1]

    # 23:30 UTC is the same day in London in winter (GMT) but the next in summer (BST).
    assert "is due on 2026-01-15" in email(datetime(2026, 1, 15, 23, 30, tzinfo=UTC))
    assert "is due on 2026-07-16" in email(datetime(2026, 7, 15, 23, 30, tzinfo=UTC))


def test_the_bell_shows_the_due_day_in_the_readers_zone(client, marketer, campaign):
    due_at = datetime(2026, 7, 15, 23, 30, tzinfo=UTC)
    Notification.objects.create(
        recipient=marketer,
        kind="review_due",
        campaign=campaign,
        params={"due": "2026-07-15", "due_at": due_at.isoformat()},
    )
    client.force_login(marketer)
    assert "is due on 2026-07-15" in client.get(reverse("notifications")).content.decode()
    services.user_set_time_zone(user=marketer, time_zone="Asia/Tokyo")
    assert "is due on 2026-07-16" in client.get(reverse("notifications")).content.decode()


# --- Arabic ------------------------------------------------------------------------------------


def test_the_calendar_in_arabic(client, marketer, settings, reference_time):
    settings.HOLIDAY_COUNTRY, settings.WORKING_WEEKEND = "SA", [4, 5]
    services.user_set_language(user=marketer, language="ar")
    client.force_login(marketer)
    page = client.get(reverse("working_calendar")).content.decode()
    assert 'dir="rtl"' in page
    assert "تقويم العمل" in page  # "Working calendar"
    assert "اليوم الوطني" in page  # Saudi National Day, 23 September, by its Arabic name
    assert "الجمعة" in page and "السبت" in page  # the weekend: Friday, Saturday
    settings_page = client.get(reverse("notification_settings")).content.decode()
    assert "المنطقة الزمنية" in settings_page  # "Time zone"


def test_demo_seed_declares_an_away_day_once(reference_time):
    from seeding.calendar import seed_calendar

    UserFactory(email="chair@example.com", roles=["chair"])
    omar = UserFactory(email="marketer2@example.com", roles=["marketer"])
    seed_calendar()
    seed_calendar()
    closure = ClosureDay.objects.get()
    assert closure.day == date(2026, 7, 6)
    assert User.objects.get(pk=omar.pk).time_zone == "Asia/Riyadh"


def test_signatures_stay_in_utc_whatever_the_readers_zone(client, chair, approved_campaign):
    from assessments.models import Vote

    vote = Vote.objects.filter(campaign=approved_campaign).first()
    signed = vote.signed_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M")
    services.user_set_time_zone(user=chair, time_zone="Asia/Tokyo")
    client.force_login(chair)
    page = client.get(reverse("campaign_detail", args=[approved_campaign.pk])).content.decode()
    assert f"{signed} UTC</time>" in page
