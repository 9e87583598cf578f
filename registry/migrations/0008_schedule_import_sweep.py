"""Every 10 minutes, send again the survey lists stalled waiting to be read or saved
(registry.tasks.sweep_imports): those uploaded or saved while Redis was down."""

from django.db import migrations

TASK = "registry.tasks.sweep_imports"


def schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every, _ = IntervalSchedule.objects.get_or_create(every=10, period="minutes")
    PeriodicTask.objects.get_or_create(
        name="Send stalled survey-list imports again", defaults={"task": TASK, "interval": every}
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task=TASK).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0007_schedule_anonymise_departed"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
