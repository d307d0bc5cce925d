"""PostgreSQL: refuse TRUNCATE on the audit event table (row triggers never see it)."""

from django.db import migrations

from assessments.audit import POSTGRES_TRUNCATE_DROP, POSTGRES_TRUNCATE_INSTALL


def add_truncate_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            for statement in POSTGRES_TRUNCATE_INSTALL:
                cursor.execute(statement)


def remove_truncate_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            for statement in POSTGRES_TRUNCATE_DROP:
                cursor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0018_dashboard_one_covering_index"),
    ]

    operations = [
        migrations.RunPython(add_truncate_trigger, remove_truncate_trigger, elidable=False),
    ]
