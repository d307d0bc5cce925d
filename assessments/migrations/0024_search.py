"""Campaign search: the normalised ``search_text`` column, filled for every campaign, and on
PostgreSQL the pg_trgm extension and a GIN trigram index on it (``LIKE '%term%'`` is
answered from the index instead of by reading every campaign)."""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

from assessments.search import document

INDEX_NAME = "campaign_search_trgm"
BATCH = 2_000


def _index():
    return GinIndex(fields=["search_text"], opclasses=["gin_trgm_ops"], name=INDEX_NAME)


def backfill(apps, schema_editor):
    """Every campaign's ``search_text``, in batches by id."""
    Campaign = apps.get_model("assessments", "Campaign")
    last = 0
    while True:
        batch = list(
            Campaign.objects.filter(pk__gt=last)
            .order_by("pk")
            .select_related("team", "owner")
            .only("pk", "name", "description", "team__name", "owner__display_name", "owner__email")[
                :BATCH
            ]
        )
        if not batch:
            return
        for campaign in batch:
            campaign.search_text = document(
                name=campaign.name,
                description=campaign.description,
                team_name=campaign.team.name,
                owner_name=campaign.owner.display_name,
                owner_email=campaign.owner.email,
            )
        Campaign.objects.bulk_update(batch, ["search_text"])
        last = batch[-1].pk


def add_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("assessments", "Campaign"), _index())


def remove_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("assessments", "Campaign"), _index())


class Migration(migrations.Migration):
    dependencies = [("assessments", "0023_notice_public_title_and_contact")]

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
