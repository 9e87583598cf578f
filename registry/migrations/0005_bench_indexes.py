"""The rosters' head count from an index (docs/BENCHMARKS.md).

Numbered 0005 to follow the import branch's 0004; until that lands it depends on 0003, and then on
0004 instead.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0004_import_consent_outcome"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="worker",
            index=models.Index(fields=["area", "status"], name="worker_roster_count"),
        ),
    ]
