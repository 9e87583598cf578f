"""Texts to submitters that failed or were never picked up are sent again every 10 minutes
(feedback.tasks.sweep_rider_texts); administrators may edit it later."""

from django.db import migrations

TASK = "feedback.tasks.sweep_rider_texts"


def schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every, _ = IntervalSchedule.objects.get_or_create(every=10, period="minutes")
    PeriodicTask.objects.get_or_create(
        name="Send texts to submitters again (failed or lost)",
        defaults={"task": TASK, "interval": every},
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task=TASK).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0014_callback_satisfaction_not_null"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
