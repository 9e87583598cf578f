"""Photos left unprocessed (a lost message, a worker stopped mid-way) are processed again every
5 minutes (feedback.tasks.sweep_photos); administrators may edit it later."""

from django.db import migrations

TASK = "feedback.tasks.sweep_photos"


def schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every, _ = IntervalSchedule.objects.get_or_create(every=5, period="minutes")
    PeriodicTask.objects.get_or_create(
        name="Process photos left unprocessed",
        defaults={"task": TASK, "interval": every},
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task=TASK).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0021_photo_processing"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
