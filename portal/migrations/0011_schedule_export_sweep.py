"""Every 10 minutes, portal.tasks.sweep_exports: exports whose worker died are shown as failed,
those whose message was lost are sent again, and files past EXPORT_KEEP_HOURS are deleted."""

from django.db import migrations

TASK = "portal.tasks.sweep_exports"


def schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every, _ = IntervalSchedule.objects.get_or_create(every=10, period="minutes")
    PeriodicTask.objects.get_or_create(
        name="Sweep background exports: stalled, lost and expired",
        defaults={"task": TASK, "interval": every},
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task=TASK).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0010_export_jobs"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
