"""A check-in's `area`, filled by 0005, is required from now on."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("stations", "0005_stationvisit_area"),
    ]

    operations = [
        migrations.AlterField(
            model_name="stationvisit",
            name="area",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="portal.area",
            ),
        ),
    ]
