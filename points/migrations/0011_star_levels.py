"""The national volunteer service standard's star levels (星级志愿者): 1–5 stars from 100, 300,
600, 1000 and 1500 cumulative hours. Administrators change them in the admin afterwards."""

from django.db import migrations

DEFAULTS = {1: 100, 2: 300, 3: 600, 4: 1000, 5: 1500}


def seed(apps, schema_editor):
    StarLevel = apps.get_model("points", "StarLevel")
    for stars, hours in DEFAULTS.items():
        StarLevel.objects.get_or_create(stars=stars, defaults={"hours": hours})


class Migration(migrations.Migration):
    dependencies = [("points", "0010_signup_hours")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
