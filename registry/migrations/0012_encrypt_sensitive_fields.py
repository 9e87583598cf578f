import portal.fields
from django.db import migrations, models


class Migration(migrations.Migration):
    """The columns become text, wide enough for a token; 0013 encrypts what they hold."""

    dependencies = [
        ("registry", "0011_worker_registered_area_required"),
    ]

    operations = [
        migrations.AddField(
            model_name="worker",
            name="id_number_hash",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.AlterField(
            model_name="importrow",
            name="values",
            field=portal.fields.EncryptedJSONField(default=dict),
        ),
        migrations.AlterField(
            model_name="worker",
            name="id_number",
            field=portal.fields.EncryptedCharField(
                blank=True, max_length=18, verbose_name="ID number"
            ),
        ),
        migrations.AlterField(
            model_name="worker",
            name="membership_held_at",
            field=portal.fields.EncryptedCharField(
                blank=True, max_length=100, verbose_name="where the membership is held"
            ),
        ),
        migrations.AlterField(
            model_name="worker",
            name="party_branch",
            field=portal.fields.EncryptedCharField(
                blank=True, max_length=100, verbose_name="party branch"
            ),
        ),
    ]
