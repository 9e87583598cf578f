"""Every task gets its deadline to the minute: the end of its due day, local time, which is when
a task due on a day became overdue before (feedback.calendar.end_of_day). One update per
distinct due day, so a province's tasks take a few thousand statements, not a million."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import migrations, models


def forwards(apps, schema_editor):
    Task = apps.get_model("feedback", "Task")
    zone = ZoneInfo(settings.TIME_ZONE)
    days = Task.objects.filter(due_at__isnull=True).values_list("due_on", flat=True).distinct()
    for day in list(days.order_by()):
        end = datetime.combine(day, time(23, 59, 59), tzinfo=zone)
        Task.objects.filter(due_at__isnull=True, due_on=day).update(due_at=end)


class Migration(migrations.Migration):
    dependencies = [("feedback", "0016_desk_tasks")]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="task",
            name="due_at",
            field=models.DateTimeField(verbose_name="due at"),
        ),
    ]
