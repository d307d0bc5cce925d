"""Each campaign's newest version (``latest_version`` and its number) and the seq of its
newest audit event (``last_event_seq``), kept by the services from now on (0043 fills them
in for existing data), so the campaign page reads them with the campaign instead of in
three subqueries."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0041_condition_report_every_days"),
    ]

    operations = [
        migrations.AddField(
            model_name="campaign",
            name="latest_version",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="assessments.campaignversion",
                verbose_name="latest version",
            ),
        ),
        migrations.AddField(
            model_name="campaign",
            name="latest_version_number",
            field=models.PositiveIntegerField(
                blank=True, editable=False, null=True, verbose_name="latest version number"
            ),
        ),
        migrations.AddField(
            model_name="campaign",
            name="last_event_seq",
            field=models.PositiveBigIntegerField(
                blank=True, editable=False, null=True, verbose_name="last audit event"
            ),
        ),
    ]
