"""The audit log's only writer, and its checker.

Every event is one row in a single global hash chain. ``record()`` locks the chain head row,
appends the next event and moves the head, all inside the caller's transaction, so an event
exists exactly when the change it describes was committed. Each event's hash covers its
canonical content and the previous event's hash; ``verify()`` walks the chain and names the
first event that does not check out. Database triggers (installed by migrations 0003 and 0019
through ``install_triggers()``) refuse UPDATE and DELETE on the event table, and TRUNCATE on
PostgreSQL (SQLite has no TRUNCATE; its ``DELETE FROM`` without WHERE fires the DELETE trigger).

Limit: the chain is not keyed, so someone who can write to the database *and* drop the
triggers can rewrite the chain from some event onwards and recompute every later hash. The
periodic ``log_head()`` writes the head to the security log, outside the database, and
``verify_audit_log --expect-head SEQ:HASH`` checks the chain against such a copy.
"""

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connections, transaction
from django.db.models import Max, OuterRef, QuerySet, Subquery
from django.utils import timezone

from . import security_log
from .models import AuditChainHead, AuditEvent, Campaign, EventKind, User

GENESIS = "0" * 64
HEAD_PK = 1
EVENT_TABLE = "assessments_auditevent"
APPEND_ONLY_MESSAGE = "audit events are append-only"


# --- Hashing (pure) --------------------------------------------------------------------------


def _iso_utc(value: datetime) -> str:
    if timezone.is_naive(value):
        raise ValueError("audit timestamps must be timezone-aware")
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def _normalised(value):
    """The JSON value as every database hands it back. PostgreSQL's jsonb keeps numbers as
    decimals, so 1e20 comes back as the integer 100000000000000000000 and -0.0 as 0: integral
    floats are hashed as integers to make the hash independent of the database."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _normalised(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_normalised(item) for item in value]
    return value


def canonical(event_fields: dict) -> bytes:
    """The bytes an event's hash covers: sorted, compact UTF-8 JSON of its content."""
    created_at = event_fields["created_at"]
    document = {
        "seq": event_fields["seq"],
        "kind": str(event_fields["kind"]),
        "campaign_id": event_fields["campaign_id"],
        "actor_id": event_fields["actor_id"],
        "created_at": _iso_utc(created_at) if isinstance(created_at, datetime) else created_at,
        "payload": _normalised(event_fields["payload"]),
    }
    return json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def compute_hash(prev_hash: str, fields: dict) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + canonical(fields)).hexdigest()


def _clean_payload(payload) -> dict:
    """The payload as it will be stored and hashed, or ValueError."""
    if payload is None:
        return {}
    if not isinstance(payload, dict):
        raise ValueError(f"audit payload must be a dict, not {type(payload).__name__}")
    try:
        text = json.dumps(payload, sort_keys=True, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"audit payload is not JSON-serialisable: {exc}") from exc
    if "\\u0000" in text and _contains_nul(payload):
        raise ValueError("audit payload must not contain NUL characters (PostgreSQL refuses them)")
    return _normalised(json.loads(text))


def _contains_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_contains_nul(str(key)) or _contains_nul(item) for key, item in value.items())
    if isinstance(value, list | tuple):
        return any(_contains_nul(item) for item in value)
    return False


# --- Writing ---------------------------------------------------------------------------------


def _locked_head() -> AuditChainHead:
    try:
        return AuditChainHead.objects.select_for_update().get(pk=HEAD_PK)
    except AuditChainHead.DoesNotExist:
        pass
    # Migration 0003 creates the row, but a flush (tests) or a partial restore removes it.
    # INSERT ... ON CONFLICT DO NOTHING is safe when several writers find it missing at once:
    # the losers wait for the winner's commit, then lock the winner's row.
    AuditChainHead.objects.bulk_create(
        [AuditChainHead(pk=HEAD_PK, last_seq=0, last_hash=GENESIS)], ignore_conflicts=True
    )
    head = AuditChainHead.objects.select_for_update().get(pk=HEAD_PK)
    if head.last_seq == 0 and AuditEvent.objects.exists():
        raise RuntimeError(
            "The audit chain head is missing but events exist; run verify_audit_log."
        )
    return head


def record(
    *,
    kind: str,
    campaign: Campaign | None = None,
    actor: User | None = None,
    payload: dict | None = None,
) -> AuditEvent:
    """Append one event to the chain, in the caller's transaction, and make it the
    campaign's last event (``Campaign.last_event_seq``, the key of its page's caches).

    ``actor`` is the person who acted (None for the system); only the id is kept. ``payload``
    holds structured facts (ids, codes, numbers), never names or free text about people.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(
            "audit.record() must run inside transaction.atomic(), in the same transaction "
            "as the change it records."
        )
    if kind not in EventKind.values:
        raise ValueError(f"Unknown audit event kind: {kind!r}")
    if campaign is not None and (not isinstance(campaign, Campaign) or campaign.pk is None):
        raise ValueError("campaign must be a saved Campaign or None")
    if actor is not None and (not isinstance(actor, User) or actor.pk is None):
        raise ValueError("actor must be a saved User or None (the system)")
    payload = _clean_payload(payload)

    if campaign is not None:
        # The campaign before the chain, the order the services lock in: a caller that
        # has not locked it cannot deadlock with one that has (the event's foreign key
        # and the campaign's last_event_seq wait on that row).
        Campaign.objects.select_for_update().filter(pk=campaign.pk).exists()
    head = _locked_head()
    fields = {
        "seq": head.last_seq + 1,
        "kind": str(kind),
        "campaign_id": campaign.pk if campaign is not None else None,
        "actor_id": actor.pk if actor is not None else None,
        "created_at": timezone.now(),
        "payload": payload,
    }
    event = AuditEvent.objects.create(
        seq=fields["seq"],
        kind=fields["kind"],
        campaign=campaign,
        actor_id=fields["actor_id"],
        created_at=fields["created_at"],
        payload=payload,
        prev_hash=head.last_hash,
        hash=compute_hash(head.last_hash, fields),
    )
    head.last_seq = event.seq
    head.last_hash = event.hash
    head.save(update_fields=["last_seq", "last_hash"])
    if campaign is not None:
        Campaign.objects.filter(pk=campaign.pk).update(last_event_seq=event.seq)
        campaign.last_event_seq = event.seq
    return event


def last_events_refill(campaigns: QuerySet) -> int:
    """Set ``Campaign.last_event_seq`` from the chain, for loads that append events
    without ``record()`` (``seeding.bulk``). Returns the number of campaigns."""
    newest = AuditEvent.objects.filter(campaign_id=OuterRef("pk")).order_by("-seq")
    return campaigns.update(last_event_seq=Subquery(newest.values("seq")[:1]))


# --- Reading and checking --------------------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    ok: bool
    count: int  # events checked and found intact
    broken_seq: int | None
    reason: str


_WALK_COLUMNS = (
    "seq",
    "kind",
    "campaign_id",
    "actor_id",
    "created_at",
    "payload",
    "prev_hash",
    "hash",
)


def verify() -> Verification:
    """Walk the whole chain in seq order (streamed, constant memory) and report the first
    event that is missing, out of place, unlinked or altered."""
    head = AuditChainHead.objects.filter(pk=HEAD_PK).values_list("last_seq", "last_hash").first()
    events = AuditEvent.objects.order_by("seq").values_list(*_WALK_COLUMNS)
    if head is not None:
        # Events appended while we walk are beyond the head we read; leave them for next time.
        events = events.filter(seq__lte=head[0])

    expected_seq, prev_hash = 1, GENESIS
    for row in events.iterator(chunk_size=2000):
        fields = dict(zip(_WALK_COLUMNS, row, strict=True))
        seq = fields["seq"]
        if seq != expected_seq:
            if seq > expected_seq:
                reason = f"sequence gap: event(s) removed before seq {seq}"
            else:
                reason = f"sequence out of order: expected seq {expected_seq}"
            return Verification(False, expected_seq - 1, seq, reason)
        if fields["prev_hash"] != prev_hash:
            return Verification(False, seq - 1, seq, "prev_hash does not link")
        if compute_hash(prev_hash, fields) != fields["hash"]:
            return Verification(False, seq - 1, seq, "hash mismatch: content altered")
        expected_seq, prev_hash = seq + 1, fields["hash"]
    count = expected_seq - 1

    if count == 0 and Campaign.objects.exists() and not AuditEvent.objects.exists():
        # Every campaign's creation is an event: an empty chain beside campaigns was emptied.
        return Verification(
            False, 0, 1, "the audit log is empty but campaigns exist: events were removed"
        )
    if head is None:
        if count:
            return Verification(
                False,
                count,
                count + 1,
                "chain head is missing: events may have been removed at the end",
            )
        return Verification(True, 0, None, "")
    last_seq, last_hash = head
    if count < last_seq:
        return Verification(
            False,
            count,
            count + 1,
            "chain head does not match the last event: events removed at the end",
        )
    if prev_hash != last_hash:
        return Verification(False, count, max(count, 1), "chain head does not match the last event")
    # Read the newest seq before the head: a committed event always has a head at or past it.
    newest = AuditEvent.objects.aggregate(newest=Max("seq"))["newest"] or 0
    current_head = (
        AuditChainHead.objects.filter(pk=HEAD_PK).values_list("last_seq", flat=True).first() or 0
    )
    if newest > current_head:
        return Verification(
            False,
            count,
            current_head + 1,
            "events beyond the chain head: written without audit.record()",
        )
    return Verification(True, count, None, "")


def parse_head(text: str) -> tuple[int, str]:
    """``"SEQ:HASH"`` (as the security log's ``audit_chain_head`` lines give them) as
    ``(seq, hash)``, or ValueError saying what is wrong."""
    seq_text, sep, hash_text = (text or "").strip().partition(":")
    hash_text = hash_text.strip().lower()
    seq_text = seq_text.strip()
    if not sep or not (seq_text.isascii() and seq_text.isdigit()):
        raise ValueError("expected SEQ:HASH, e.g. 1042:9f86d081…, with SEQ a whole number")
    if len(hash_text) != 64 or any(c not in "0123456789abcdef" for c in hash_text):
        raise ValueError("the hash must be 64 hexadecimal characters (SHA-256)")
    return int(seq_text), hash_text


def check_expected_head(seq: int, expected_hash: str) -> Verification:
    """Is the event ``seq`` recorded elsewhere (the security log) still in the chain with the
    same hash, and the chain's head at or past it? Run after ``verify()`` has passed: the
    chain is then linked from that event to the head, so nothing after it was rewritten
    without rewriting it too. ``seq`` 0 is the empty chain (hash ``GENESIS``)."""
    head = AuditChainHead.objects.filter(pk=HEAD_PK).values_list("last_seq", "last_hash").first()
    last_seq = head[0] if head else 0
    if seq > last_seq:
        return Verification(
            False,
            last_seq,
            last_seq + 1,
            f"history was cut: the chain ends at event {last_seq}, before the expected head {seq}",
        )
    if seq == 0:
        actual = GENESIS
    else:
        actual = AuditEvent.objects.filter(seq=seq).values_list("hash", flat=True).first()
        if actual is None:
            return Verification(False, seq - 1, seq, "the expected head event is missing")
    if actual != expected_hash:
        return Verification(
            False, max(seq - 1, 0), seq, "the expected head event has another hash: rewritten"
        )
    return Verification(True, last_seq, None, "")


@dataclass(frozen=True)
class HeadSnapshot:
    seq: int
    hash: str
    events: int  # rows in the event table (equal to seq while the chain is intact)


def head_snapshot() -> HeadSnapshot:
    head = AuditChainHead.objects.filter(pk=HEAD_PK).values_list("last_seq", "last_hash").first()
    seq, last_hash = head if head else (0, GENESIS)
    return HeadSnapshot(seq=seq, hash=last_hash, events=AuditEvent.objects.count())


def log_head() -> HeadSnapshot:
    """Periodic: write the chain head to the security log (``ethicsreview.security``), which
    lives outside the database, so a later ``verify_audit_log --expect-head SEQ:HASH`` can
    tell whether the history up to that point is still the one that was written."""
    snapshot = head_snapshot()
    security_log.log_event(
        "audit_chain_head",
        seq=snapshot.seq,
        hash=snapshot.hash,
        events=snapshot.events,
        expect_head=f"{snapshot.seq}:{snapshot.hash}",
    )
    return snapshot


def timeline(campaign: Campaign) -> QuerySet[AuditEvent]:
    """The campaign's events, oldest first."""
    return AuditEvent.objects.filter(campaign=campaign).order_by("seq")


# --- Append-only triggers ----------------------------------------------------------------------
# The SQL is spelled out (no string formatting) so it can be read as it runs.

POSTGRES_INSTALL = (
    """
    CREATE OR REPLACE FUNCTION assessments_auditevent_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'audit events are append-only' USING DETAIL = TG_OP || ' refused';
    END;
    $$
    """,
    """
    CREATE OR REPLACE TRIGGER assessments_auditevent_append_only
    BEFORE UPDATE OR DELETE ON assessments_auditevent
    FOR EACH ROW EXECUTE FUNCTION assessments_auditevent_append_only()
    """,
)
# TRUNCATE is a statement of its own that row triggers never see. Django's test teardown
# empties PostgreSQL tables with it, so the test session (and only a test database: its name
# starts with "test_") may open the guard with a session setting; nothing sets it otherwise,
# and an unset setting keeps TRUNCATE refused.
POSTGRES_TRUNCATE_INSTALL = (
    """
    CREATE OR REPLACE FUNCTION assessments_auditevent_no_truncate() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF current_setting('ethicsreview.audit_test_flush', true) = 'on'
           AND starts_with(current_database(), 'test_') THEN
            RETURN NULL;
        END IF;
        RAISE EXCEPTION 'audit events are append-only' USING DETAIL = 'TRUNCATE refused';
    END;
    $$
    """,
    """
    CREATE OR REPLACE TRIGGER assessments_auditevent_no_truncate
    BEFORE TRUNCATE ON assessments_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION assessments_auditevent_no_truncate()
    """,
)
POSTGRES_TRUNCATE_DROP = (
    "DROP TRIGGER IF EXISTS assessments_auditevent_no_truncate ON assessments_auditevent",
    "DROP FUNCTION IF EXISTS assessments_auditevent_no_truncate()",
)
POSTGRES_INSTALL += POSTGRES_TRUNCATE_INSTALL
POSTGRES_DROP = (
    "DROP TRIGGER IF EXISTS assessments_auditevent_append_only ON assessments_auditevent",
    "DROP FUNCTION IF EXISTS assessments_auditevent_append_only()",
    *POSTGRES_TRUNCATE_DROP,
)
TEST_FLUSH_SETTING = "ethicsreview.audit_test_flush"
# audit_guard() is registered on every Django SQLite connection (see AssessmentsConfig.ready)
# and answers 1 unless the test session allows flushes; where it is not registered (sqlite3
# shell, other programs) the DELETE fails with "no such function", which refuses it too.
SQLITE_INSTALL = (
    """
    CREATE TRIGGER IF NOT EXISTS assessments_auditevent_no_update
    BEFORE UPDATE ON assessments_auditevent
    BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END
    """,
    """
    CREATE TRIGGER IF NOT EXISTS assessments_auditevent_no_delete
    BEFORE DELETE ON assessments_auditevent WHEN audit_guard()
    BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END
    """,
)
SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS assessments_auditevent_no_update",
    "DROP TRIGGER IF EXISTS assessments_auditevent_no_delete",
)
TRIGGER_SQL = {
    "postgresql": (POSTGRES_INSTALL, POSTGRES_DROP),
    "sqlite": (SQLITE_INSTALL, SQLITE_DROP),
}


def _trigger_sql(connection) -> tuple[tuple[str, ...], tuple[str, ...]]:
    try:
        return TRIGGER_SQL[connection.vendor]
    except KeyError:
        raise NotImplementedError(
            f"No append-only audit triggers for the {connection.vendor} database"
        ) from None


def install_triggers(connection) -> None:
    """Make the event table refuse UPDATE and DELETE (idempotent)."""
    install, _ = _trigger_sql(connection)
    with connection.cursor() as cursor:
        for statement in install:
            cursor.execute(statement)


def drop_triggers(connection) -> None:
    _, drop = _trigger_sql(connection)
    with connection.cursor() as cursor:
        for statement in drop:
            cursor.execute(statement)


# --- The test flush switch -------------------------------------------------------------------
# Django's test teardown empties SQLite tables with DELETE FROM and PostgreSQL tables with
# TRUNCATE. Only the test session turns this switch on: SQLite's audit_guard() reads it, and
# PostgreSQL connections get the session setting the TRUNCATE trigger reads.

_maintenance_delete_allowed = False


def set_test_flush_allowed(allowed: bool) -> bool:
    """Let (or stop letting) Django's SQLite connections DELETE, and its PostgreSQL
    connections to a test database TRUNCATE, audit events; returns the previous setting.
    For the test session's flushes only."""
    global _maintenance_delete_allowed
    previous = _maintenance_delete_allowed
    _maintenance_delete_allowed = bool(allowed)
    for connection in connections.all(initialized_only=True):
        # Not inside a transaction: its rollback would undo the setting behind our back.
        if (
            connection.vendor == "postgresql"
            and connection.connection is not None
            and not connection.in_atomic_block
        ):
            _apply_postgres_flush_setting(connection)
    return previous


@contextmanager
def allow_test_flush(allowed: bool = True) -> Iterator[None]:
    previous = set_test_flush_allowed(allowed)
    try:
        yield
    finally:
        set_test_flush_allowed(previous)


def _audit_guard() -> int:
    return 0 if _maintenance_delete_allowed else 1


def _apply_postgres_flush_setting(connection) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config(%s, %s, false)",
            [TEST_FLUSH_SETTING, "on" if _maintenance_delete_allowed else "off"],
        )


def register_sqlite_functions(sender, connection, **kwargs) -> None:
    """``connection_created`` receiver: give SQLite connections the trigger's audit_guard(),
    and PostgreSQL connections the test flush setting while the test session allows it."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("audit_guard", 0, _audit_guard, deterministic=True)
    elif connection.vendor == "postgresql" and _maintenance_delete_allowed:
        _apply_postgres_flush_setting(connection)
