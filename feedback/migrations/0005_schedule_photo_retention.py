"""Retention: delete the photos of suggestions closed more than FEEDBACK_PHOTO_RETENTION_DAYS ago,
daily at 04:00 (feedback.services.delete_expired_photos); administrators may edit it later."""

from django.db import migrations

TASK = "feedback.tasks.delete_expired_photos"


def schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="0", hour="4", day_of_week="*", day_of_month="*", month_of_year="*",
        timezone="Asia/Shanghai",
    )
    PeriodicTask.objects.get_or_create(
        name="Delete photos of suggestions closed long ago (retention)",
        defaults={"task": TASK, "crontab": crontab},
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task=TASK).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0004_task_in_progress_label"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
