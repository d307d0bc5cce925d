"""audit.verify(): every kind of tampering is found and named by its first broken event.

Rows can only be changed with the append-only triggers out of the way, so these tests drop
them (as someone with DDL rights could) and put them back afterwards."""

import pytest
from django.db import connection, transaction

from assessments import audit
from assessments.models import AuditChainHead, AuditEvent, EventKind


def _chain(n: int, **kwargs) -> list[AuditEvent]:
    with transaction.atomic():
        return [
            audit.record(kind=EventKind.COMMENTED, payload={"n": i}, **kwargs) for i in range(n)
        ]


def _sql(statement: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


@pytest.mark.django_db
def test_an_intact_chain_verifies(campaign, marketer):
    before = audit.verify()
    events = _chain(5, campaign=campaign, actor=marketer)

    result = audit.verify()

    assert result == audit.Verification(True, before.count + 5, None, "")
    assert result.count == events[-1].seq


@pytest.mark.django_db
def test_an_empty_log_verifies():
    assert audit.verify() == audit.Verification(True, 0, None, "")


@pytest.mark.django_db
def test_verify_streams_the_chain_in_a_fixed_number_of_queries(django_assert_max_num_queries):
    _chain(2100)  # more than one 2,000-row chunk
    with django_assert_max_num_queries(4):
        result = audit.verify()
    assert (result.ok, result.count) == (True, 2100)


def test_altered_payload_is_found(triggers_dropped):
    events = _chain(4)
    json_param = "%s::jsonb" if connection.vendor == "postgresql" else "%s"
    _sql(
        f"UPDATE assessments_auditevent SET payload = {json_param} WHERE seq = %s",
        ['{"n": 99}', events[2].seq],
    )

    result = audit.verify()

    assert result == audit.Verification(
        False, events[1].seq, events[2].seq, "hash mismatch: content altered"
    )


def test_kind_rewritten_through_the_orm_is_found(triggers_dropped):
    events = _chain(3)
    AuditEvent.objects.filter(pk=events[1].pk).update(kind=EventKind.DECIDED)

    result = audit.verify()

    assert (result.ok, result.broken_seq) == (False, events[1].seq)
    assert result.reason == "hash mismatch: content altered"


def test_event_rewritten_with_a_recomputed_hash_breaks_the_link(triggers_dropped):
    events = _chain(3)
    forged = {
        "seq": events[1].seq,
        "kind": "commented",
        "campaign_id": None,
        "actor_id": None,
        "created_at": events[1].created_at,
        "payload": {"n": 99},
    }
    AuditEvent.objects.filter(pk=events[1].pk).update(
        payload={"n": 99}, hash=audit.compute_hash(events[1].prev_hash, forged)
    )

    result = audit.verify()

    assert (result.broken_seq, result.reason) == (events[2].seq, "prev_hash does not link")


def test_removed_middle_event_is_a_gap(triggers_dropped):
    events = _chain(5)
    _sql("DELETE FROM assessments_auditevent WHERE seq = %s", [events[2].seq])

    result = audit.verify()

    assert result.ok is False
    assert result.broken_seq == events[3].seq
    assert result.reason == f"sequence gap: event(s) removed before seq {events[3].seq}"


def test_removed_first_event_is_a_gap(triggers_dropped):
    events = _chain(2)
    _sql("DELETE FROM assessments_auditevent WHERE seq = %s", [events[0].seq])

    assert audit.verify().broken_seq == events[1].seq


def test_removed_last_event_no_longer_matches_the_head(triggers_dropped):
    events = _chain(4)
    _sql("DELETE FROM assessments_auditevent WHERE seq = %s", [events[-1].seq])

    result = audit.verify()

    assert result == audit.Verification(
        False,
        events[-2].seq,
        events[-1].seq,
        "chain head does not match the last event: events removed at the end",
    )


def test_whole_log_removed_is_found_through_the_head(triggers_dropped):
    _chain(3)
    _sql("DELETE FROM assessments_auditevent")

    result = audit.verify()

    assert (result.ok, result.count, result.broken_seq) == (False, 0, 1)
    assert "events removed at the end" in result.reason


def test_swapped_events_are_found(triggers_dropped):
    events = _chain(4)
    a, b = events[1].seq, events[2].seq
    _sql("UPDATE assessments_auditevent SET seq = %s WHERE seq = %s", [10**12, a])
    _sql("UPDATE assessments_auditevent SET seq = %s WHERE seq = %s", [a, b])
    _sql("UPDATE assessments_auditevent SET seq = %s WHERE seq = %s", [b, 10**12])

    result = audit.verify()

    assert (result.ok, result.broken_seq, result.reason) == (False, a, "prev_hash does not link")


def test_renumbered_event_is_found(triggers_dropped):
    events = _chain(3)
    _sql("UPDATE assessments_auditevent SET seq = %s WHERE seq = %s", [10**9, events[1].seq])

    result = audit.verify()

    assert (result.ok, result.broken_seq) == (False, events[2].seq)
    assert result.reason.startswith("sequence gap")


def test_last_event_renumbered_past_the_head_is_found(triggers_dropped):
    events = _chain(3)
    _sql(
        "UPDATE assessments_auditevent SET seq = %s WHERE seq = %s",
        [events[-1].seq + 1, events[-1].seq],
    )

    result = audit.verify()

    assert (result.ok, result.broken_seq) == (False, events[-1].seq)
    assert result.reason.startswith("chain head does not match the last event")


@pytest.mark.django_db
def test_event_appended_without_record_is_found():
    events = _chain(2)
    fields = {
        "seq": events[-1].seq + 1,
        "kind": "decided",
        "campaign_id": None,
        "actor_id": None,
        "created_at": events[-1].created_at,
        "payload": {"outcome": "approved"},
    }
    # INSERT is allowed (the log must grow); skipping the head is what gives it away.
    AuditEvent.objects.create(
        **fields, prev_hash=events[-1].hash, hash=audit.compute_hash(events[-1].hash, fields)
    )

    result = audit.verify()

    assert (result.ok, result.broken_seq) == (False, events[-1].seq + 1)
    assert result.reason == "events beyond the chain head: written without audit.record()"


@pytest.mark.django_db
def test_tampered_head_is_found():
    events = _chain(2)
    AuditChainHead.objects.filter(pk=audit.HEAD_PK).update(last_hash="f" * 64)

    result = audit.verify()

    assert (result.ok, result.broken_seq) == (False, events[-1].seq)
    assert result.reason == "chain head does not match the last event"


@pytest.mark.django_db
def test_missing_head_with_events_is_found():
    events = _chain(2)
    AuditChainHead.objects.all().delete()

    result = audit.verify()

    assert (result.ok, result.broken_seq) == (False, events[-1].seq + 1)
    assert result.reason.startswith("chain head is missing")
