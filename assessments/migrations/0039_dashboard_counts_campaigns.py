"""The dashboard's decided, voted-on, reasons and feedback figures count campaigns, each
once however many decisions, votes or items it had (``dashboard_counts.add_once_a_month``).
Recount those metrics from every campaign's stored facts, which this change leaves as
they are; the other counts stay. (Going back leaves them: run ``rebuild_dashboard``.)"""

from django.db import migrations

from assessments.dashboard_counts import AGAIN, DECIDED, FEEDBACK, REASON, VOTED, cells_of

METRICS = (DECIDED, REASON, FEEDBACK, VOTED, *AGAIN.values())
COLUMNS = ("metric", "channel", "market", "period", "team_id", "tier", "key")


def recount(apps, schema_editor):
    facts = apps.get_model("assessments", "CampaignFacts")
    count = apps.get_model("assessments", "DashboardCount")
    db = schema_editor.connection.alias
    count.objects.using(db).filter(metric__in=METRICS).delete()
    sums: dict[tuple, list[int]] = {}
    rows = facts.objects.using(db).order_by("pk").values_list("data", flat=True)
    for data in rows.iterator(chunk_size=2000):
        for cell, (n, total) in cells_of(data).items():
            if cell[0] in METRICS:
                had = sums.setdefault(cell, [0, 0])
                had[0] += n
                had[1] += total
    count.objects.using(db).bulk_create(
        (
            count(**dict(zip(COLUMNS, cell, strict=True)), n=n, total=total)
            for cell, (n, total) in sorted(sums.items())
        ),
        batch_size=2000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0038_event_kind_choices_callable"),
    ]

    operations = [migrations.RunPython(recount, migrations.RunPython.noop, elidable=True)]
