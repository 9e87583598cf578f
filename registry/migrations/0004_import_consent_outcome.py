"""Imports: the consent the uploader attests for the list, and each row's outcome."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0003_fill_mobile_tail_schedule_care_reminders"),
    ]

    operations = [
        migrations.AddField(
            model_name="importjob",
            name="consent_version",
            field=models.CharField(blank=True, max_length=20, verbose_name="consent text version"),
        ),
        migrations.AddField(
            model_name="importjob",
            name="sensitive_consent",
            field=models.BooleanField(default=False, verbose_name="consent to sensitive data"),
        ),
        migrations.AddField(
            model_name="importrow",
            name="outcome",
            field=models.CharField(
                choices=[
                    ("new", "New worker"),
                    ("update", "Update"),
                    ("unchanged", "No change"),
                    ("rejected", "Rejected"),
                ],
                default="rejected",
                max_length=10,
                verbose_name="outcome",
            ),
            preserve_default=False,
        ),
        migrations.AddIndex(
            model_name="importrow",
            index=models.Index(fields=["job", "outcome", "number"], name="import_row_outcome"),
        ),
    ]
