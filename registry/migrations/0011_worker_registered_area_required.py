"""`registered_area`, filled by 0010, is required from now on (a separate migration: PostgreSQL
cannot alter a table with the fill's deferred foreign-key checks pending in one transaction)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0010_worker_registered_area"),
    ]

    operations = [
        migrations.AlterField(
            model_name="worker",
            name="registered_area",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="portal.area",
                verbose_name="registered with",
            ),
        ),
    ]
