"""Fill the new search column for existing workers; remind care visits daily at 08:00."""

from django.db import migrations
from django.db.models.functions import Right

TASK = "registry.tasks.remind_care_visits"


def forwards(apps, schema_editor):
    apps.get_model("registry", "Worker").objects.update(mobile_tail=Right("mobile", 4))
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="0", hour="8", day_of_week="*", day_of_month="*", month_of_year="*",
        timezone="Asia/Shanghai",
    )
    PeriodicTask.objects.get_or_create(
        name="Remind care visits (三必访)", defaults={"task": TASK, "crontab": crontab}
    )


def backwards(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task=TASK).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0002_ledger"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
