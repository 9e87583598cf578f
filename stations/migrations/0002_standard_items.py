"""The station standard as the seed reports list it (九个有), editable in the admin afterwards."""

from django.db import migrations

ITEMS = [
    "有统一标识",
    "有固定场所",
    "有休息座椅",
    "有饮用水",
    "有充电设施",
    "有微波炉",
    "有应急药箱",
    "有管理制度",
    "有专人管理",
]


def add_items(apps, schema_editor):
    StandardItem = apps.get_model("stations", "StandardItem")
    for position, name in enumerate(ITEMS):
        StandardItem.objects.get_or_create(name=name, defaults={"position": position})


def remove_items(apps, schema_editor):
    apps.get_model("stations", "StandardItem").objects.filter(name__in=ITEMS).delete()


class Migration(migrations.Migration):
    dependencies = [("stations", "0001_stations")]

    operations = [migrations.RunPython(add_items, remove_items)]
