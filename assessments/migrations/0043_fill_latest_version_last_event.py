"""Fill in each campaign's newest version and newest audit event (migration 0042) from the
versions and the chain. Separate from 0042: on PostgreSQL, rows updated in the migration
that adds a foreign key leave pending trigger events that block its index. Going back
leaves them as they are."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def fill(apps, schema_editor):
    db = schema_editor.connection.alias
    campaign = apps.get_model("assessments", "Campaign")
    version = apps.get_model("assessments", "CampaignVersion")
    event = apps.get_model("assessments", "AuditEvent")
    newest = version.objects.using(db).filter(campaign_id=OuterRef("pk")).order_by("-number")
    campaign.objects.using(db).filter(
        pk__in=version.objects.using(db).values("campaign_id")
    ).update(
        latest_version=Subquery(newest.values("pk")[:1]),
        latest_version_number=Subquery(newest.values("number")[:1]),
    )
    last = event.objects.using(db).filter(campaign_id=OuterRef("pk")).order_by("-seq")
    campaign.objects.using(db).update(last_event_seq=Subquery(last.values("seq")[:1]))


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0042_campaign_latest_version_last_event"),
    ]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
