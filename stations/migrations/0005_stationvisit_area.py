"""Each check-in keeps the station's area on the day (`area`), so the dashboard counts it where
it happened, also after the station moves to another area.

Filled with the station's area now; a station whose history shows a change of area has the
check-ins before the first change counted with the area before it (found by name, beside the
current one where names repeat). The column becomes required in 0006.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def first_areas(apps):
    """[(station id, when it first moved, the area before)], where the name is clear."""
    Area = apps.get_model("portal", "Area")
    StationEvent = apps.get_model("stations", "StationEvent")
    first = {}
    moves = (
        StationEvent.objects.filter(changes__has_key="area")
        .order_by("created_at", "id")
        .values_list("station_id", "station__area__parent_id", "created_at", "changes")
    )
    for station_id, parent_id, at, changes in moves.iterator():
        first.setdefault(station_id, (parent_id, at, str(changes["area"][0])))
    found = []
    for station_id, (parent_id, at, name) in first.items():
        named = Area.objects.filter(name=name)
        area = named.filter(parent_id=parent_id).first() or (
            named.first() if named.count() == 1 else None
        )
        if area is not None:
            found.append((station_id, at, area.pk))
    return found


def fill(apps, schema_editor):
    # PostgreSQL: check the foreign keys as each UPDATE runs, so none are pending when the
    # migration then indexes the new column.
    immediately = schema_editor.connection.vendor == "postgresql"
    if immediately:
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    Station = apps.get_model("stations", "Station")
    StationVisit = apps.get_model("stations", "StationVisit")
    station = Station.objects.filter(pk=OuterRef("station_id"))
    StationVisit.objects.update(area=Subquery(station.values("area_id")[:1]))
    for station_id, at, area_id in first_areas(apps):
        StationVisit.objects.filter(station_id=station_id, created_at__lt=at).update(
            area_id=area_id
        )
    if immediately:
        schema_editor.execute("SET CONSTRAINTS ALL DEFERRED")


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0004_auditlog"),
        ("stations", "0004_schedule_qr_sweep"),
    ]

    operations = [
        migrations.AddField(
            model_name="stationvisit",
            name="area",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="portal.area",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
