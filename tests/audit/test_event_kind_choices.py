"""The audit event's kinds come from a function the migrations name: a kind added to
``EventKind`` needs no migration, and the field still validates and labels kinds."""

from unittest import mock

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.migrations.autodetector import MigrationAutodetector
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.state import ProjectState

from assessments.models import AuditEvent, EventKind
from assessments.models import audit as audit_models


def pending_changes() -> dict:
    """What ``makemigrations`` would write for the assessments app now."""
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    detector = MigrationAutodetector(loader.project_state(), ProjectState.from_apps(apps))
    return detector.changes(graph=loader.graph, trim_to_apps={"assessments"})


def test_the_field_names_the_function_not_the_kinds():
    field = AuditEvent._meta.get_field("kind")
    _name, _path, _args, kwargs = field.deconstruct()
    assert kwargs["choices"] is audit_models.event_kinds


@pytest.mark.django_db
def test_a_new_kind_needs_no_migration_and_is_valid_and_labelled():
    extended = models.TextChoices(
        "EventKind", [(k.name, (k.value, k.label)) for k in EventKind] + [("NEW", ("new", "New"))]
    )
    with mock.patch.object(audit_models, "EventKind", extended):
        assert ("new", "New") in AuditEvent._meta.get_field("kind").choices
        assert pending_changes() == {}
        event = AuditEvent(kind="new")
        assert event.get_kind_display() == "New"
        event.clean_fields(exclude=[f.name for f in AuditEvent._meta.fields if f.name != "kind"])
    with pytest.raises(ValidationError):
        event.clean_fields(exclude=[f.name for f in AuditEvent._meta.fields if f.name != "kind"])
    assert AuditEvent(kind=EventKind.VOTED).get_kind_display() == EventKind.VOTED.label
