"""Schedule portal.tasks.upkeep_accounts daily at 02:30: accounts unused for
ACCOUNT_INACTIVE_DAYS are disabled, and the security log's rows older than
AUDIT_LOG_RETENTION_DAYS are deleted. Administrators may edit the schedule later."""

from django.db import migrations

TASK = "portal.tasks.upkeep_accounts"


def schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="30", hour="2", day_of_week="*", day_of_month="*", month_of_year="*",
        timezone="Asia/Shanghai",
    )
    PeriodicTask.objects.get_or_create(
        name="Disable unused staff accounts and purge the old security log",
        defaults={"task": TASK, "crontab": crontab},
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task=TASK).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0006_audit_log_append_only"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
