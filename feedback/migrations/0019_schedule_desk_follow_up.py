"""The department desk's follow-up every 15 minutes (feedback.tasks.follow_up_desk): a 紧急 task
must be acknowledged within 2 working hours, which a daily run cannot follow. It acts only in
working hours on working days (FEEDBACK_WORKING_HOURS), so most runs do nothing but one check;
administrators may edit the schedule later."""

from django.db import migrations

TASK = "feedback.tasks.follow_up_desk"


def schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every, _ = IntervalSchedule.objects.get_or_create(every=15, period="minutes")
    PeriodicTask.objects.get_or_create(
        name="Follow up department tasks: acknowledgement (签收) and deadlines",
        defaults={"task": TASK, "interval": every},
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task=TASK).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0018_ledger"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
