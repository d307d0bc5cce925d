"""The database refuses UPDATE and DELETE on audit events (on the database under test)."""

import sqlite3

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from assessments import audit
from assessments.models import AuditChainHead, AuditEvent, EventKind

REFUSED = "audit events are append-only"


def _sql(statement: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _trigger_names() -> set[str]:
    if connection.vendor == "postgresql":
        query = (
            "SELECT tgname FROM pg_trigger "
            "WHERE tgrelid = 'assessments_auditevent'::regclass AND NOT tgisinternal"
        )
    else:
        query = (
            "SELECT name FROM sqlite_master "
            "WHERE type = 'trigger' AND tbl_name = 'assessments_auditevent'"
        )
    with connection.cursor() as cursor:
        cursor.execute(query)
        return {name for (name,) in cursor.fetchall()}


@pytest.fixture
def event(db):
    return audit.record(kind=EventKind.COMMENTED, payload={"n": 1})


def test_event_table_name_matches_the_trigger_sql():
    assert AuditEvent._meta.db_table == audit.EVENT_TABLE


@pytest.mark.django_db
def test_the_migrations_installed_the_triggers():
    # A later migration that rebuilds the table on SQLite would silently drop them.
    expected = {
        "postgresql": {
            "assessments_auditevent_append_only",
            "assessments_auditevent_no_truncate",
        },
        "sqlite": {"assessments_auditevent_no_update", "assessments_auditevent_no_delete"},
    }[connection.vendor]
    assert _trigger_names() == expected


@pytest.mark.django_db
def test_raw_update_is_refused(event):
    with pytest.raises(DatabaseError, match=REFUSED), transaction.atomic():
        _sql("UPDATE assessments_auditevent SET kind = 'decided' WHERE seq = %s", [event.seq])
    assert AuditEvent.objects.get(pk=event.pk).kind == "commented"


@pytest.mark.django_db
def test_orm_update_and_save_are_refused(event):
    with pytest.raises(DatabaseError, match=REFUSED), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(payload={"n": 2})
    event.payload = {"n": 2}
    with pytest.raises(DatabaseError, match=REFUSED), transaction.atomic():
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).payload == {"n": 1}


@pytest.mark.django_db
def test_raw_delete_is_refused(event, delete_guard_on):
    with pytest.raises(DatabaseError, match=REFUSED), transaction.atomic():
        _sql("DELETE FROM assessments_auditevent WHERE seq = %s", [event.seq])
    with pytest.raises(DatabaseError, match=REFUSED), transaction.atomic():
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()
    assert audit.verify().ok


@pytest.mark.django_db
def test_postgres_refuses_delete_whatever_the_test_flush_switch_says(postgres, event):
    refused = pytest.raises(DatabaseError, match=REFUSED)
    with audit.allow_test_flush(), refused, transaction.atomic():
        _sql("DELETE FROM assessments_auditevent WHERE seq = %s", [event.seq])
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.django_db
def test_sqlite_test_flush_switch_lets_only_delete_through(sqlite, event):
    with audit.allow_test_flush():
        with pytest.raises(DatabaseError, match=REFUSED), transaction.atomic():
            _sql("UPDATE assessments_auditevent SET kind = 'decided'")
        _sql("DELETE FROM assessments_auditevent WHERE seq = %s", [event.seq])
    assert not AuditEvent.objects.filter(pk=event.pk).exists()


def test_sqlite_connection_without_the_guard_function_cannot_delete():
    """The sqlite3 shell or another program has no audit_guard(): its DELETE fails too."""
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE assessments_auditevent (id INTEGER PRIMARY KEY, kind TEXT)")
    for statement in audit.SQLITE_INSTALL:
        db.execute(statement)
    db.execute("INSERT INTO assessments_auditevent (kind) VALUES ('created')")

    with pytest.raises(sqlite3.OperationalError, match="no such function: audit_guard"):
        db.execute("DELETE FROM assessments_auditevent")
    with pytest.raises(sqlite3.IntegrityError, match=REFUSED):
        db.execute("UPDATE assessments_auditevent SET kind = 'edited'")
    assert db.execute("SELECT kind FROM assessments_auditevent").fetchall() == [("created",)]
    db.close()


@pytest.mark.django_db(transaction=True)
def test_installing_the_triggers_twice_is_harmless():
    audit.install_triggers(connection)
    assert len(_trigger_names()) >= 1
    audit.drop_triggers(connection)
    audit.drop_triggers(connection)
    assert _trigger_names() == set()
    audit.install_triggers(connection)
    audit.install_triggers(connection)
    with pytest.raises(DatabaseError, match=REFUSED), transaction.atomic():
        audit.record(kind=EventKind.COMMENTED)
        AuditEvent.objects.update(kind="decided")


@pytest.mark.django_db(transaction=True)
def test_django_flush_empties_the_log_and_a_new_chain_starts():
    """Transactional tests end with a flush (TRUNCATE on PostgreSQL, DELETE on SQLite)."""
    with transaction.atomic():
        audit.record(kind=EventKind.COMMENTED)
        audit.record(kind=EventKind.COMMENTED)

    call_command("flush", interactive=False, verbosity=0)

    assert not AuditEvent.objects.exists()
    assert not AuditChainHead.objects.exists()
    assert audit.verify().ok
    with transaction.atomic():
        event = audit.record(kind=EventKind.COMMENTED)
    assert (event.seq, event.prev_hash) == (1, audit.GENESIS)
    assert audit.verify() == audit.Verification(True, 1, None, "")
