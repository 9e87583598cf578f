"""Recount the dashboard every DASHBOARD_REFRESH_MINUTES and settle the last weeks nightly at
02:30; administrators may edit both later."""

from django.conf import settings
from django.db import migrations

REFRESH = "portal.dashboard.tasks.refresh_dashboard"
SETTLE = "portal.dashboard.tasks.settle_dashboard"


def schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every, _ = IntervalSchedule.objects.get_or_create(
        every=settings.DASHBOARD_REFRESH_MINUTES, period="minutes"
    )
    PeriodicTask.objects.get_or_create(
        name="Recount the dashboard", defaults={"task": REFRESH, "interval": every}
    )
    nightly, _ = CrontabSchedule.objects.get_or_create(
        minute="30", hour="2", day_of_week="*", day_of_month="*", month_of_year="*",
        timezone="Asia/Shanghai",
    )
    PeriodicTask.objects.get_or_create(
        name="Settle the dashboard's last weeks", defaults={"task": SETTLE, "crontab": nightly}
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        task__in=[REFRESH, SETTLE]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("dashboard", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
