"""Every dashboard count except the campaigns by state is also kept under the tier "*"
(every tier): assessments.dashboard.tiers_of keeps them from now on; this adds them for
the counts already there, each the sum of its team's tiers, and the index the dashboard
reads them by. The unique constraint on a count's cell puts team and tier before the
month, so a dashboard filtered by team and tier reads by it; on PostgreSQL it includes
(n, total) for index-only sums."""

from django.db import migrations, models

TABLE = "assessments_dashboardcount"
COLUMNS = "metric, channel, market, period, team_id, tier, key, n, total"


def add_every_tier(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TABLE} ({COLUMNS}) "  # noqa: S608 - fixed text
            "SELECT metric, channel, market, period, team_id, '*', key, SUM(n), SUM(total) "
            f"FROM {TABLE} WHERE metric <> 'state' AND tier <> '*' "
            "GROUP BY metric, channel, market, period, team_id, key"
        )


def remove_every_tier(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE tier = '*'")  # noqa: S608 - fixed text


CELL = ("metric", "channel", "market", "team", "tier", "period", "key")
OLD_CELL = ("metric", "channel", "market", "period", "team", "tier", "key")


def _constraint(fields):
    return models.UniqueConstraint(fields=fields, name="dashboardcount_cell")


def _reorder(apps, schema_editor, old, new):
    model = apps.get_model("assessments", "DashboardCount")
    if schema_editor.connection.vendor == "postgresql":
        columns = ", ".join("team_id" if f == "team" else f for f in new)
        schema_editor.execute(f"ALTER TABLE {TABLE} DROP CONSTRAINT dashboardcount_cell")
        schema_editor.execute(
            f"ALTER TABLE {TABLE} ADD CONSTRAINT dashboardcount_cell "
            f"UNIQUE ({columns}) INCLUDE (n, total)"
        )
    else:
        schema_editor.remove_constraint(model, _constraint(old))
        schema_editor.add_constraint(model, _constraint(new))


def cell_team_first(apps, schema_editor):
    _reorder(apps, schema_editor, OLD_CELL, CELL)


def cell_month_first(apps, schema_editor):
    _reorder(apps, schema_editor, CELL, OLD_CELL)


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0016_list_count_covering"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(cell_team_first, cell_month_first)],
            state_operations=[
                migrations.RemoveConstraint(
                    model_name="dashboardcount", name="dashboardcount_cell"
                ),
                migrations.AddConstraint(model_name="dashboardcount", constraint=_constraint(CELL)),
            ],
        ),
        migrations.AddIndex(
            model_name="dashboardcount",
            index=models.Index(
                condition=models.Q(("tier", "*")),
                fields=["metric", "channel", "market", "period", "team", "key"],
                include=("n", "total"),
                name="dashboardcount_every_tier",
            ),
        ),
        # After the index: on PostgreSQL the rows' deferred foreign-key checks would keep
        # CREATE INDEX from running in the same transaction.
        migrations.RunPython(add_every_tier, remove_every_tier),
    ]
