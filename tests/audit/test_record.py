"""audit.record(): the only writer of the chain."""

import pytest
from django.db import transaction

from assessments import audit
from assessments.models import AuditChainHead, AuditEvent, EventKind
from tests.factories import UserFactory


def _head() -> AuditChainHead:
    return AuditChainHead.objects.get(pk=audit.HEAD_PK)


@pytest.mark.django_db
def test_record_builds_a_linear_chain(campaign, marketer, reviewer):
    start = _head()
    events = [
        audit.record(kind=EventKind.EDITED, campaign=campaign, actor=marketer, payload={"f": 1}),
        audit.record(kind="submitted", campaign=campaign, actor=marketer),
        audit.record(kind=EventKind.ASSIGNED, campaign=campaign, payload={"to": reviewer.pk}),
        audit.record(kind=EventKind.FEEDBACK_RECEIVED),
    ]

    assert [e.seq for e in events] == list(range(start.last_seq + 1, start.last_seq + 5))
    assert events[0].prev_hash == start.last_hash
    for previous, event in zip(events, events[1:], strict=False):
        assert event.prev_hash == previous.hash
    for event in events:
        stored = AuditEvent.objects.get(pk=event.pk)
        fields = {
            "seq": stored.seq,
            "kind": stored.kind,
            "campaign_id": stored.campaign_id,
            "actor_id": stored.actor_id,
            "created_at": stored.created_at,
            "payload": stored.payload,
        }
        assert stored.hash == audit.compute_hash(stored.prev_hash, fields)
    assert len({e.hash for e in events}) == 4
    head = _head()
    assert (head.last_seq, head.last_hash) == (events[-1].seq, events[-1].hash)
    assert audit.verify().ok


@pytest.mark.django_db
def test_record_keeps_people_and_campaigns_by_id(campaign, marketer):
    event = audit.record(kind=EventKind.EDITED, campaign=campaign, actor=marketer)
    system = audit.record(kind=EventKind.EXPIRED, payload={"campaign": campaign.pk})

    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.kind, stored.campaign_id, stored.actor_id) == (
        "edited",
        campaign.pk,
        marketer.pk,
    )
    assert stored.payload == {}
    assert stored.created_at.utcoffset().total_seconds() == 0
    assert (system.campaign_id, system.actor_id) == (None, None)
    assert stored.get_kind_display() == "Campaign edited"


@pytest.mark.django_db
def test_timeline_lists_one_campaigns_events_in_order(
    campaign, marketer, django_assert_num_queries
):
    mine = [
        audit.record(kind=EventKind.EDITED, campaign=campaign, actor=marketer),
        audit.record(kind=EventKind.SUBMITTED, campaign=campaign, actor=marketer),
    ]
    audit.record(kind=EventKind.FEEDBACK_RECEIVED)

    with django_assert_num_queries(1):
        events = list(audit.timeline(campaign))

    assert [e.pk for e in events if e.kind in ("edited", "submitted")] == [e.pk for e in mine]
    assert all(e.campaign_id == campaign.pk for e in events)
    assert [e.seq for e in events] == sorted(e.seq for e in events)


@pytest.mark.django_db
def test_record_issues_a_fixed_number_of_queries(django_assert_num_queries):
    audit.record(kind=EventKind.COMMENTED)
    with django_assert_num_queries(3):  # lock the head, insert the event, move the head
        audit.record(kind=EventKind.COMMENTED, payload={"comment": 1})


@pytest.mark.django_db
def test_stored_payload_is_what_was_hashed_on_every_database():
    payload = {
        "big": 1e20,
        "negative_zero": -0.0,
        "ratio": 0.1,
        "tiny": 1.5e-07,
        "ids": (3, 1, 2),
        "text": "مراجعة أخلاقية",
        "nested": {"b": [1, 2.5, None, True]},
    }
    event = audit.record(kind=EventKind.VOTED, payload=payload)

    assert event.payload["ids"] == [3, 1, 2]
    assert event.payload["big"] == 10**20
    assert AuditEvent.objects.get(pk=event.pk).payload == event.payload
    assert audit.verify().ok


@pytest.mark.django_db(transaction=True)
def test_record_outside_a_transaction_is_refused():
    before = AuditEvent.objects.count()
    with pytest.raises(RuntimeError, match=r"inside transaction\.atomic\(\)"):
        audit.record(kind=EventKind.COMMENTED)
    assert AuditEvent.objects.count() == before


@pytest.mark.django_db(transaction=True)
def test_an_event_is_rolled_back_with_the_change_it_records():
    class Boom(Exception):
        pass

    before = audit.verify()
    with pytest.raises(Boom), transaction.atomic():
        audit.record(kind=EventKind.COMMENTED)
        raise Boom
    assert AuditEvent.objects.count() == before.count
    assert audit.verify() == before


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"kind": "approved"}, "Unknown audit event kind: 'approved'"),
        ({"kind": ""}, "Unknown audit event kind"),
        ({"kind": None}, "Unknown audit event kind"),
        ({"kind": "voted", "payload": {"when": object()}}, "not JSON-serialisable"),
        ({"kind": "voted", "payload": {"ids": {1, 2}}}, "not JSON-serialisable"),
        ({"kind": "voted", "payload": {"score": float("nan")}}, "not JSON-serialisable"),
        ({"kind": "voted", "payload": {1: "a", "b": 2}}, "not JSON-serialisable"),
        ({"kind": "voted", "payload": ["not", "a", "dict"]}, "must be a dict"),
        ({"kind": "voted", "payload": {"note": "a\x00b"}}, "NUL"),
        ({"kind": "voted", "actor": 5}, "actor must be a saved User"),
        ({"kind": "voted", "campaign": 5}, "campaign must be a saved Campaign"),
    ],
)
@pytest.mark.django_db
def test_bad_arguments_are_refused_and_change_nothing(arguments, message):
    before = audit.verify()
    with pytest.raises(ValueError, match=message):
        audit.record(**arguments)
    assert audit.verify() == before
    assert AuditEvent.objects.count() == before.count


@pytest.mark.django_db
def test_an_unsaved_actor_is_refused():
    with pytest.raises(ValueError, match="actor must be a saved User"):
        audit.record(kind=EventKind.COMMENTED, actor=UserFactory.build())


@pytest.mark.django_db
def test_a_missing_chain_head_is_recreated_for_an_empty_log():
    assert not AuditEvent.objects.exists()
    AuditChainHead.objects.all().delete()

    event = audit.record(kind=EventKind.COMMENTED)

    assert (event.seq, event.prev_hash) == (1, audit.GENESIS)
    assert (_head().last_seq, _head().last_hash) == (1, event.hash)


@pytest.mark.django_db
def test_a_missing_chain_head_with_events_left_is_refused_not_restarted():
    audit.record(kind=EventKind.COMMENTED)
    AuditChainHead.objects.all().delete()

    with pytest.raises(RuntimeError, match="chain head is missing"), transaction.atomic():
        audit.record(kind=EventKind.COMMENTED)
    assert not AuditChainHead.objects.exists()
