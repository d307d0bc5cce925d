"""Consumers' reply e-mails are kept FEEDBACK_CONTACT_RETENTION_DAYS, then blanked by the
daily purge, which leaves one audit event (count and cutoff, no addresses)."""

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from assessments import audit, dashboard_counts, services, tasks
from assessments.models import AuditEvent, EventKind, Feedback, TransparencyNotice

pytestmark = pytest.mark.django_db

NOW = datetime(2027, 6, 1, 3, 15, tzinfo=UTC)


def feedback(campaign, *, source="consumer", email="", consent=False, age_days=0, author=None):
    item = Feedback.objects.create(
        campaign=campaign,
        source=source,
        category="privacy",
        severity="concern",
        text="Why was I targeted?",
        author=author,
        contact_email=email,
        contact_consent=consent,
    )
    Feedback.objects.filter(pk=item.pk).update(created_at=NOW - timedelta(days=age_days))
    return item


def purge_events():
    return list(AuditEvent.objects.filter(kind=EventKind.CONTACTS_PURGED))


@pytest.fixture
def mixed(campaign, marketer):
    return {
        "old": feedback(campaign, email="old@example.org", consent=True, age_days=200),
        "older": feedback(campaign, email="older@example.org", consent=True, age_days=400),
        "just_kept": feedback(campaign, email="new@example.org", consent=True, age_days=179),
        "old_no_email": feedback(campaign, age_days=300),
        # Colleagues' feedback is not the consumers' contact data: never touched.
        "internal": feedback(
            campaign,
            source="internal",
            author=marketer,
            email="colleague@example.com",
            consent=True,
            age_days=500,
        ),
    }


def reload(item):
    return Feedback.objects.get(pk=item.pk)


def test_old_consumer_contacts_are_blanked_and_recent_ones_kept(settings, mixed):
    assert settings.FEEDBACK_CONTACT_RETENTION_DAYS == 180

    assert services.feedback_contacts_purge(now=NOW) == 2

    for name in ("old", "older"):
        item = reload(mixed[name])
        assert (item.contact_email, item.contact_consent) == ("", False)
        assert item.text == "Why was I targeted?"  # the feedback itself stays
    kept = reload(mixed["just_kept"])
    assert (kept.contact_email, kept.contact_consent) == ("new@example.org", True)
    internal = reload(mixed["internal"])
    assert (internal.contact_email, internal.contact_consent) == ("colleague@example.com", True)


def test_the_purge_is_recorded_once_with_the_count_and_no_addresses(mixed):
    before = AuditEvent.objects.count()
    services.feedback_contacts_purge(now=NOW)

    (event,) = purge_events()
    assert AuditEvent.objects.count() == before + 1
    assert event.campaign_id is None and event.actor_id is None
    assert event.payload == {
        "count": 2,
        "cutoff": "2026-12-03T03:15:00+00:00",
        "retention_days": 180,
    }
    assert "@" not in str(event.payload)
    assert audit.verify().ok


def test_nothing_to_purge_records_nothing(mixed):
    services.feedback_contacts_purge(now=NOW)
    seq = AuditEvent.objects.latest("seq").seq

    assert services.feedback_contacts_purge(now=NOW) == 0  # already blank
    assert services.feedback_contacts_purge(now=NOW - timedelta(days=365)) == 0

    assert len(purge_events()) == 1
    assert AuditEvent.objects.latest("seq").seq == seq
    assert audit.verify().ok


def test_an_empty_install_records_nothing():
    assert services.feedback_contacts_purge() == 0
    assert purge_events() == []


def test_the_retention_is_configurable(settings, mixed):
    settings.FEEDBACK_CONTACT_RETENTION_DAYS = 365
    assert services.feedback_contacts_purge(now=NOW) == 1
    assert reload(mixed["old"]).contact_email == "old@example.org"
    assert reload(mixed["older"]).contact_email == ""
    assert purge_events()[0].payload["retention_days"] == 365


def test_the_purge_is_not_on_any_campaign_timeline_nor_refreshes_dashboards(
    mixed, campaign, monkeypatch
):
    refreshed = []
    monkeypatch.setattr(dashboard_counts, "refresh", refreshed.append)
    services.feedback_contacts_purge(now=NOW)
    assert refreshed == []
    assert EventKind.CONTACTS_PURGED not in {e.kind for e in audit.timeline(campaign)}


def test_the_event_kind_has_a_label():
    assert EventKind("contacts_purged").label == "Consumer contact details purged"


def test_a_consumer_who_just_wrote_keeps_their_address(campaign):
    notice = TransparencyNotice.objects.create(
        campaign=campaign,
        title_en="AI in this campaign",
        title_ar="AI",
        body_en="How we use AI",
        body_ar="AI",
        contact="team@example.com",
        published_at=timezone.now(),
    )
    item = services.feedback_add_public(
        notice=notice, category="privacy", text="Reply please", email="me@example.org", consent=True
    )
    assert services.feedback_contacts_purge() == 0
    assert reload(item).contact_email == "me@example.org"
    assert services.feedback_contacts_purge(now=timezone.now() + timedelta(days=181)) == 1
    assert reload(item).contact_email == ""


def test_the_task_and_run_periodic_run_the_purge(settings, mixed):
    entry = settings.CELERY_BEAT_SCHEDULE["purge-feedback-contacts"]
    assert entry["task"] == "assessments.tasks.purge_feedback_contacts"
    Feedback.objects.update(created_at=timezone.now() - timedelta(days=200))

    out = StringIO()
    call_command("run_periodic", stdout=out)

    assert "purge-feedback-contacts: 3" in out.getvalue()  # old, older, just_kept
    assert tasks.purge_feedback_contacts.apply().get() == 0
    assert len(purge_events()) == 1
    assert audit.verify().ok
