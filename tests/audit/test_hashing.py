"""The pure hashing helpers: what exactly an event's hash covers."""

import hashlib
from datetime import UTC, datetime, timedelta, timezone

import pytest

from assessments.audit import GENESIS, canonical, compute_hash

FIELDS = {
    "seq": 7,
    "kind": "voted",
    "campaign_id": 12,
    "actor_id": 3,
    "created_at": datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC),
    "payload": {"vote": "approve", "conditions": [2, 1], "note": "موافق"},
}


def test_canonical_is_sorted_compact_utf8_json_with_a_microsecond_utc_timestamp():
    assert (
        canonical(FIELDS)
        == (
            '{"actor_id":3,"campaign_id":12,"created_at":"2026-01-02T03:04:05.000006+00:00",'
            '"kind":"voted","payload":{"conditions":[2,1],"note":"موافق","vote":"approve"},'
            '"seq":7}'
        ).encode()
    )


def test_canonical_ignores_fields_outside_the_hashed_set():
    assert canonical({**FIELDS, "hash": "x", "prev_hash": "y", "id": 99}) == canonical(FIELDS)


def test_timestamps_in_other_zones_hash_as_the_same_utc_instant():
    riyadh = FIELDS["created_at"].astimezone(timezone(timedelta(hours=3)))
    assert canonical({**FIELDS, "created_at": riyadh}) == canonical(FIELDS)


def test_naive_timestamps_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        canonical({**FIELDS, "created_at": datetime(2026, 1, 2)})


def test_integral_floats_hash_as_integers_as_postgresql_returns_them():
    assert canonical({**FIELDS, "payload": {"a": 1e20, "b": -0.0, "c": 2.0}}) == canonical(
        {**FIELDS, "payload": {"a": 100000000000000000000, "b": 0, "c": 2}}
    )
    assert b'"r":0.1' in canonical({**FIELDS, "payload": {"r": 0.1}})


def test_hash_is_sha256_of_the_previous_hash_then_the_canonical_bytes():
    expected = hashlib.sha256(GENESIS.encode() + canonical(FIELDS)).hexdigest()
    assert compute_hash(GENESIS, FIELDS) == expected
    assert len(expected) == 64


@pytest.mark.parametrize(
    "change",
    [
        {"seq": 8},
        {"kind": "decided"},
        {"campaign_id": None},
        {"actor_id": 4},
        {"created_at": FIELDS["created_at"] + timedelta(microseconds=1)},
        {"payload": {**FIELDS["payload"], "vote": "reject"}},
    ],
)
def test_every_hashed_field_changes_the_hash(change):
    assert compute_hash(GENESIS, {**FIELDS, **change}) != compute_hash(GENESIS, FIELDS)


def test_the_previous_hash_changes_the_hash():
    assert compute_hash("1" * 64, FIELDS) != compute_hash(GENESIS, FIELDS)
