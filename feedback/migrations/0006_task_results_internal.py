"""A department's result (办理结果) is internal until staff publish it when they resolve the
suggestion (issue 15, point 14). Results of suggestions still being worked on were shown to the
submitter at once until now: they become internal, so staff decide when they resolve. Those of
suggestions already resolved or closed stay as they were shown."""

from django.db import migrations


def hide_undecided_results(apps, schema_editor):
    Event = apps.get_model("feedback", "Event")
    Event.objects.filter(kind="task_done", suggestion__state="accepted").update(public=False)


class Migration(migrations.Migration):
    dependencies = [("feedback", "0005_schedule_photo_retention")]

    operations = [migrations.RunPython(hide_undecided_results, migrations.RunPython.noop)]
