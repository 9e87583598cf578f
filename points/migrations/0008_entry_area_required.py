"""An entry's `area`, filled by 0007, is required, and the ledger's trigger (0003) refuses an
UPDATE that changes it like any other column of what an entry says. SQLite rebuilds the table to
make the column required, dropping its trigger: it is created again here in any case."""

import django.db.models.deletion
from django.db import migrations, models

COLUMNS = ["worker_id", "amount", "kind", "cause", "note", "created_at"]


def changed(columns, differs):
    return " OR ".join(f"NEW.{column} {differs} OLD.{column}" for column in columns) + (
        f" OR (NEW.recorded_by_id {differs} OLD.recorded_by_id AND NEW.recorded_by_id IS NOT NULL)"
    )


def trigger(vendor, columns) -> list[str]:
    if vendor == "postgresql":
        return [
            "DROP TRIGGER IF EXISTS points_entry_append_only ON points_entry",
            f"""CREATE TRIGGER points_entry_append_only BEFORE UPDATE ON points_entry
            FOR EACH ROW WHEN ({changed(columns, "IS DISTINCT FROM")})
            EXECUTE FUNCTION points_entry_append_only()""",
        ]
    if vendor == "sqlite":
        return [
            "DROP TRIGGER IF EXISTS points_entry_append_only",
            f"""CREATE TRIGGER points_entry_append_only BEFORE UPDATE ON points_entry
            WHEN {changed(columns, "IS NOT")}
            BEGIN SELECT RAISE(ABORT, 'the points ledger is append-only'); END""",
        ]
    return []


def guard_area(apps, schema_editor):
    for statement in trigger(schema_editor.connection.vendor, [*COLUMNS, "area_id"]):
        schema_editor.execute(statement)


def unguard_area(apps, schema_editor):
    for statement in trigger(schema_editor.connection.vendor, COLUMNS):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("points", "0007_entry_area"),
    ]

    operations = [
        migrations.AlterField(
            model_name="entry",
            name="area",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="portal.area",
                verbose_name="community",
            ),
        ),
        migrations.RunPython(guard_area, unguard_area),
    ]
