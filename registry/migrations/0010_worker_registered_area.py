"""Each worker remembers the community their record was registered with (`registered_area`), so
the dashboard counts a past registration where it happened, also after the worker moves.

Filled from the timeline: a worker whose details show a change of community counts with the
community before the first change (found by name, beside the current one where names repeat);
everyone else with their community now. The column becomes required in 0011.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import F


def first_communities(apps):
    """{worker id: the community before their first recorded move}, where the name is clear."""
    Area = apps.get_model("portal", "Area")
    WorkerEvent = apps.get_model("registry", "WorkerEvent")
    before = {}
    moves = (
        WorkerEvent.objects.filter(changes__has_key="area")
        .order_by("created_at", "id")
        .values_list("worker_id", "worker__area__parent_id", "changes")
    )
    for worker_id, parent_id, changes in moves.iterator():
        before.setdefault(worker_id, (parent_id, str(changes["area"][0])))
    found = {}
    for worker_id, (parent_id, name) in before.items():
        named = Area.objects.filter(name=name)
        area = named.filter(parent_id=parent_id).first() or (
            named.first() if named.count() == 1 else None
        )
        if area is not None:
            found[worker_id] = area.pk
    return found


def fill(apps, schema_editor):
    # PostgreSQL: check the foreign keys as each UPDATE runs, so none are pending when the
    # migration then indexes the new column.
    immediately = schema_editor.connection.vendor == "postgresql"
    if immediately:
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    Worker = apps.get_model("registry", "Worker")
    Worker.objects.update(registered_area=F("area"))
    for worker_id, area_id in first_communities(apps).items():
        Worker.objects.filter(pk=worker_id).update(registered_area_id=area_id)
    if immediately:
        schema_editor.execute("SET CONSTRAINTS ALL DEFERRED")


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0004_auditlog"),
        ("registry", "0009_worker_refusal_and_merge"),
    ]

    operations = [
        migrations.AddField(
            model_name="worker",
            name="registered_area",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="portal.area",
                verbose_name="registered with",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
