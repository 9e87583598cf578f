"""Suggestion.public_id, the Open311 service_request_id: added empty, one random id per existing
suggestion, then made unique and required."""

from django.db import migrations, models

import feedback.models


def fill(apps, schema_editor):
    Suggestion = apps.get_model("feedback", "Suggestion")
    for suggestion in Suggestion.objects.filter(public_id__isnull=True).only("pk").iterator():
        Suggestion.objects.filter(pk=suggestion.pk).update(
            public_id=feedback.models.new_tracking_code()
        )


class Migration(migrations.Migration):
    dependencies = [("feedback", "0002_trigrams_schedule_templates")]

    operations = [
        migrations.AddField(
            model_name="suggestion",
            name="public_id",
            field=models.CharField(editable=False, max_length=16, null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="suggestion",
            name="public_id",
            field=models.CharField(
                default=feedback.models.new_tracking_code,
                editable=False,
                max_length=16,
                unique=True,
                verbose_name="public id",
            ),
        ),
    ]
