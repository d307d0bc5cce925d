"""Emptying the audit table at once is refused: TRUNCATE on PostgreSQL (a statement trigger;
row triggers never see it) and SQLite's DELETE FROM without WHERE (its truncate optimisation
is off while a DELETE trigger exists).

The test session lets Django's own teardown flush through (tests/conftest.py
``_audit_flush_allowed``): on PostgreSQL by a session setting that only opens the guard in a
database whose name starts with ``test_``. These tests close it again, or use connections
and databases without it, as production has."""

import psycopg
import pytest
from django.db import DatabaseError, connection, transaction

from assessments import audit
from assessments.models import AuditChainHead, AuditEvent, EventKind

REFUSED = "audit events are append-only"


def _sql(statement: str, params=None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _chain(n: int) -> list[AuditEvent]:
    with transaction.atomic():
        return [audit.record(kind=EventKind.COMMENTED, payload={"n": i}) for i in range(n)]


def _conninfo(dbname: str | None = None) -> str:
    db = connection.settings_dict
    return psycopg.conninfo.make_conninfo(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"] or None,
        dbname=dbname or db["NAME"],
        connect_timeout=5,
    )


# --- PostgreSQL -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_migrations_installed_the_truncate_trigger(postgres):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'assessments_auditevent'::regclass "
            "AND NOT tgisinternal AND (tgtype & 32) <> 0"  # 32: TRIGGER_TYPE_TRUNCATE
        )
        assert cursor.fetchall() == [("assessments_auditevent_no_truncate",)]


# Transactional: PostgreSQL will not TRUNCATE a table with pending (deferred) FK checks of
# rows inserted in the same transaction, which would hide the trigger's answer.
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "statement",
    [
        "TRUNCATE assessments_auditevent",
        "TRUNCATE assessments_auditevent, assessments_auditchainhead",
        "TRUNCATE assessments_auditevent RESTART IDENTITY CASCADE",
        # Tables the events refer to: CASCADE reaches the event table, and the trigger fires.
        "TRUNCATE assessments_campaign CASCADE",
    ],
)
def test_truncate_is_refused_without_the_test_session_setting(postgres, statement):
    events = _chain(3)
    with pytest.raises(DatabaseError, match=REFUSED), transaction.atomic():
        _sql("SELECT set_config(%s, 'off', true)", [audit.TEST_FLUSH_SETTING])
        _sql(statement)
    assert list(AuditEvent.objects.values_list("seq", flat=True)) == [e.seq for e in events]
    assert AuditChainHead.objects.get().last_seq == events[-1].seq
    assert audit.verify().ok


@pytest.mark.django_db(transaction=True)
def test_a_connection_without_the_setting_cannot_truncate(postgres):
    """A psql session or any other program, as in production: nothing has set the setting."""
    events = _chain(2)
    with psycopg.connect(_conninfo(), autocommit=True) as other:
        other.execute("SET lock_timeout = '10s'")
        assert other.execute(
            "SELECT current_setting(%s, true)", [audit.TEST_FLUSH_SETTING]
        ).fetchone() in [(None,), ("",)]
        with pytest.raises(psycopg.errors.RaiseException, match=REFUSED):
            other.execute("TRUNCATE assessments_auditevent, assessments_auditchainhead")
    assert AuditEvent.objects.count() == len(events)
    assert audit.verify().ok


def test_the_setting_does_not_open_the_guard_outside_a_test_database(postgres):
    """Production databases are not named test_…: setting the switch by hand there changes
    nothing. A scratch database (created and dropped here) with the same trigger shows it."""
    name = "guard_" + connection.settings_dict["NAME"]
    with psycopg.connect(_conninfo("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        with psycopg.connect(_conninfo(name), autocommit=True) as scratch:
            scratch.execute("CREATE TABLE assessments_auditevent (id integer PRIMARY KEY)")
            for statement in audit.POSTGRES_INSTALL:
                scratch.execute(statement)
            scratch.execute("INSERT INTO assessments_auditevent VALUES (1)")
            scratch.execute("SELECT set_config(%s, 'on', false)", [audit.TEST_FLUSH_SETTING])
            with pytest.raises(psycopg.errors.RaiseException, match=REFUSED):
                scratch.execute("TRUNCATE assessments_auditevent")
            with pytest.raises(psycopg.errors.RaiseException, match=REFUSED):
                scratch.execute("DELETE FROM assessments_auditevent")
            assert scratch.execute("SELECT id FROM assessments_auditevent").fetchall() == [(1,)]
    finally:
        with psycopg.connect(_conninfo("postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')


@pytest.mark.django_db(transaction=True)
def test_switching_the_test_flush_off_closes_open_connections_too(postgres):
    _chain(1)
    refused = pytest.raises(DatabaseError, match=REFUSED)
    with audit.allow_test_flush(False), refused, transaction.atomic():
        _sql("TRUNCATE assessments_auditevent")
    assert AuditEvent.objects.count() == 1
    # Back on (the session's state): Django's teardown flush after this test must work.
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting(%s, true)", [audit.TEST_FLUSH_SETTING])
        assert cursor.fetchone() == ("on",)


# --- SQLite -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_sqlite_delete_without_where_is_refused(sqlite, delete_guard_on):
    events = _chain(3)
    with pytest.raises(DatabaseError, match=REFUSED), transaction.atomic():
        _sql("DELETE FROM assessments_auditevent")
    with pytest.raises(DatabaseError, match=REFUSED), transaction.atomic():
        _sql("DELETE FROM main.assessments_auditevent")
    assert AuditEvent.objects.count() == len(events)
    assert audit.verify().ok
