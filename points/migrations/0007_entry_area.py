"""Each points entry keeps the worker's community at the time (`area`), so the dashboard counts
points where they were earned or spent, also after the worker moves.

Filled with the worker's community now; a worker whose timeline shows a change of community has
the entries made before the first change counted with the community they registered with. The
column becomes required in 0008. (The ledger's trigger refuses changes to the other columns only,
so filling the new one is allowed; 0008 adds it to what the trigger guards.)
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Min, OuterRef, Subquery


def fill(apps, schema_editor):
    # PostgreSQL: check the foreign keys as each UPDATE runs, so none are pending when the
    # migration then indexes the new column.
    immediately = schema_editor.connection.vendor == "postgresql"
    if immediately:
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    Entry = apps.get_model("points", "Entry")
    Worker = apps.get_model("registry", "Worker")
    WorkerEvent = apps.get_model("registry", "WorkerEvent")
    worker = Worker.objects.filter(pk=OuterRef("worker_id"))
    Entry.objects.update(area=Subquery(worker.values("area_id")[:1]))
    first_moves = (
        WorkerEvent.objects.filter(changes__has_key="area")
        .values("worker_id")
        .annotate(at=Min("created_at"))
        .order_by()
    )
    for move in first_moves.iterator():
        Entry.objects.filter(worker_id=move["worker_id"], created_at__lt=move["at"]).update(
            area=Subquery(worker.values("registered_area_id")[:1])
        )
    if immediately:
        schema_editor.execute("SET CONSTRAINTS ALL DEFERRED")


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0004_auditlog"),
        ("points", "0006_entry_kind_merged"),
        ("registry", "0011_worker_registered_area_required"),
    ]

    operations = [
        migrations.AddField(
            model_name="entry",
            name="area",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="portal.area",
                verbose_name="community",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
