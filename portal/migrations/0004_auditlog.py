from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("portal", "0003_accesslog_notification"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameModel("AccessLog", "AuditLog"),
        migrations.RenameIndex(
            model_name="auditlog", new_name="auditlog_subject", old_name="accesslog_subject"
        ),
        migrations.AlterModelOptions(
            name="auditlog",
            options={
                "ordering": ["-created_at", "-id"],
                "verbose_name": "audit log entry",
                "verbose_name_plural": "audit log",
            },
        ),
        migrations.AlterField(
            model_name="auditlog",
            name="action",
            field=models.CharField(
                choices=[
                    ("viewed", "Viewed in full"),
                    ("exported", "Exported"),
                    ("points_adjusted", "Points adjusted"),
                    ("state_changed", "Suggestion state changed"),
                ],
                max_length=16,
                verbose_name="action",
            ),
        ),
        migrations.AddIndex(
            model_name="auditlog",
            index=models.Index(fields=["action", "-created_at"], name="auditlog_action"),
        ),
    ]
