"""A department's rate figures are stored once, under its own area, and read by the department
through an index of their own: the copies made for every area above it go."""

from django.db import migrations, models


def drop_copies_above(apps, schema_editor):
    Figure = apps.get_model("dashboard", "Figure")
    Department = apps.get_model("feedback", "Department")
    for department_id, area_id in Department.objects.values_list("pk", "area_id").iterator():
        Figure.objects.filter(name__startswith="dept:", key=str(department_id)).exclude(
            area_id=area_id
        ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("dashboard", "0002_schedule_refreshes"),
        ("feedback", "0020_event_changed_past_days"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="figure",
            index=models.Index(
                condition=models.Q(("name__startswith", "dept:")),
                fields=["key", "span", "day"],
                include=("name", "value"),
                name="dashboard_figure_department",
            ),
        ),
        # Going back needs `refresh_dashboard --all` to copy them up again.
        migrations.RunPython(drop_copies_above, migrations.RunPython.noop),
    ]
