"""Every 10 minutes, make the QR codes of stations still without them (stations.tasks.sweep_qr_codes):
those whose task was enqueued while Redis was down. Administrators may edit it later."""

from django.db import migrations

TASK = "stations.tasks.sweep_qr_codes"


def schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every, _ = IntervalSchedule.objects.get_or_create(every=10, period="minutes")
    PeriodicTask.objects.get_or_create(
        name="Make missing station QR codes", defaults={"task": TASK, "interval": every}
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task=TASK).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("stations", "0003_station_events"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
