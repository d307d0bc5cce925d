"""Migration 0010 (the ``contacts_purged`` event kind) leaves the append-only triggers in
place: an AlterField may rebuild the event table on SQLite, which drops its triggers."""

import importlib

import pytest
from django.db import DatabaseError, connection, transaction

from assessments import audit
from assessments.models import AuditEvent, EventKind

from .test_triggers import REFUSED, _sql, _trigger_names

migration_0010 = importlib.import_module("assessments.migrations.0010_contacts_purged_event")

SQLITE_TRIGGERS = {"assessments_auditevent_no_update", "assessments_auditevent_no_delete"}


@pytest.mark.django_db
def test_after_the_migrations_a_purge_event_cannot_be_updated(sqlite, delete_guard_on):
    """The test database is built by running every migration, 0010 included."""
    assert _trigger_names() == SQLITE_TRIGGERS
    with transaction.atomic():
        event = audit.record(kind=EventKind.CONTACTS_PURGED, payload={"count": 1})

    with pytest.raises(DatabaseError, match=REFUSED), transaction.atomic():
        _sql("UPDATE assessments_auditevent SET payload = '{}' WHERE seq = %s", [event.seq])
    with pytest.raises(DatabaseError, match=REFUSED), transaction.atomic():
        _sql("DELETE FROM assessments_auditevent WHERE seq = %s", [event.seq])
    assert AuditEvent.objects.get(pk=event.pk).payload == {"count": 1}
    assert audit.verify().ok


@pytest.mark.django_db(transaction=True)
def test_the_migration_puts_the_triggers_back_after_a_table_rebuild(sqlite):
    try:
        with connection.schema_editor() as editor:
            editor._remake_table(AuditEvent)  # what a rebuilding AlterField does on SQLite
        assert _trigger_names() == set()  # the hazard: the rebuild dropped them

        with connection.schema_editor() as editor:
            migration_0010.reinstall_append_only_triggers(None, editor)

        assert _trigger_names() == SQLITE_TRIGGERS
        with transaction.atomic():
            event = audit.record(kind=EventKind.CONTACTS_PURGED, payload={"count": 1})
        with pytest.raises(DatabaseError, match=REFUSED), transaction.atomic():
            _sql("UPDATE assessments_auditevent SET kind = 'edited' WHERE seq = %s", [event.seq])
    finally:
        audit.install_triggers(connection)


def test_the_migration_reinstalls_after_the_alter_field_in_both_directions():
    operations = migration_0010.Migration.operations
    kinds = [type(op).__name__ for op in operations]
    assert kinds == ["RunPython", "AlterField", "RunPython"]
    # Forwards: reinstalled after the AlterField; backwards: after the reversed AlterField.
    assert operations[2].code is migration_0010.reinstall_append_only_triggers
    assert operations[0].reverse_code is migration_0010.reinstall_append_only_triggers
