"""Campaign search: the normalised ``search_text`` column, filled for every campaign, and on
PostgreSQL the pg_trgm extension and a GIN trigram index on it (``LIKE '%term%'`` is
answered from the index instead of by reading every campaign)."""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

from assessments.search import document

INDEX_NAME = "campaign_search_trgm"
BATCH = 5_000


def _index():
    return GinIndex(fields=["search_text"], opclasses=["gin_trgm_ops"], name=INDEX_NAME)


def backfill(apps, schema_editor):
    """Every campaign's ``search_text``, in batches by id."""
    Campaign = apps.get_model("assessments", "Campaign")
    connection = schema_editor.connection
    last = 0
    while True:
        rows = list(
            Campaign.objects.filter(pk__gt=last)
            .order_by("pk")
            .values_list(
                "pk", "name", "description", "team__name", "owner__display_name", "owner__email"
            )[:BATCH]
        )
        if not rows:
            return
        ids = [row[0] for row in rows]
        texts = [
            document(
                name=name,
                description=description,
                team_name=team_name,
                owner_name=owner_name,
                owner_email=owner_email,
            )
            for _pk, name, description, team_name, owner_name, owner_email in rows
        ]
        if connection.vendor == "postgresql":
            # One join with the batch's two arrays: bulk_update()'s CASE with a branch per
            # row made the backfill more than four times slower (docs/performance.md).
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE assessments_campaign AS c SET search_text = v.text "
                    "FROM unnest(%s::bigint[], %s::text[]) AS v(id, text) WHERE c.id = v.id",
                    [ids, texts],
                )
        else:
            Campaign.objects.bulk_update(
                [Campaign(pk=pk, search_text=text) for pk, text in zip(ids, texts, strict=True)],
                ["search_text"],
            )
        last = ids[-1]


def add_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("assessments", "Campaign"), _index())


def remove_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("assessments", "Campaign"), _index())


class Migration(migrations.Migration):
    dependencies = [("assessments", "0028_event_kinds")]

    operations = [
        TrigramExtension(),  # nothing on other databases
        migrations.AddField(
            model_name="campaign",
            name="search_text",
            field=models.TextField(
                blank=True, default="", editable=False, verbose_name="search text"
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.RunPython(add_index, remove_index),
    ]
