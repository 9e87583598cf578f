"""The starting urgency classes (editable in the admin), and the demo's hand-entered holidays
dropped: the working-day calendar now reads chinese-calendar, which follows the State Council's
notices, so the demo's 2026 rows said nothing it does not, and its 2027 rows were a guess."""

from datetime import date

from django.db import migrations

# (name, acknowledge within, unit, finish within, unit, default, order)
CLASSES = [
    # 紧急: acknowledged within 2 working hours, finished within 2 hours around the clock (a
    # danger does not wait for Monday); the acknowledgement is never due after the task.
    ("紧急", 2, "working_hours", 2, "hours", False, 10),
    ("一般", 1, "working_days", 5, "working_days", True, 20),
]

# What feedback/demo.py used to enter, exactly: (date, name, working day).
DEMO_DAYS = [
    *[(date(2026, 1, d), "元旦", False) for d in (1, 2)],
    (date(2026, 1, 4), "元旦调休上班", True),
    *[(date(2026, 2, d), "春节", False) for d in (16, 17, 18, 19, 20, 23)],
    (date(2026, 2, 14), "春节调休上班", True),
    (date(2026, 2, 28), "春节调休上班", True),
    (date(2026, 4, 6), "清明节", False),
    *[(date(2026, 5, d), "劳动节", False) for d in (1, 4, 5)],
    (date(2026, 5, 9), "劳动节调休上班", True),
    (date(2026, 6, 19), "端午节", False),
    (date(2026, 9, 25), "中秋节", False),
    *[(date(2026, 10, d), "国庆节", False) for d in (1, 2, 5, 6, 7)],
    (date(2026, 9, 20), "国庆节调休上班", True),
    (date(2026, 10, 10), "国庆节调休上班", True),
    *[(date(2027, 1, d), "元旦", False) for d in (1,)],
    *[(date(2027, 2, d), "春节", False) for d in (5, 8, 9, 10, 11, 12)],
    (date(2027, 1, 31), "春节调休上班", True),
    (date(2027, 2, 20), "春节调休上班", True),
    *[(date(2027, 4, d), "清明节", False) for d in (5,)],
    *[(date(2027, 5, d), "劳动节", False) for d in (3, 4, 5)],
    (date(2027, 4, 25), "劳动节调休上班", True),
    (date(2027, 5, 8), "劳动节调休上班", True),
    (date(2027, 6, 9), "端午节", False),
    (date(2027, 9, 15), "中秋节", False),
    *[(date(2027, 10, d), "国庆节", False) for d in (1, 4, 5, 6, 7)],
    (date(2027, 9, 26), "国庆节调休上班", True),
    (date(2027, 10, 9), "国庆节调休上班", True),
]


def forwards(apps, schema_editor):
    UrgencyClass = apps.get_model("feedback", "UrgencyClass")
    for name, ack, ack_unit, finish, finish_unit, default, order in CLASSES:
        UrgencyClass.objects.get_or_create(
            name=name,
            defaults={
                "acknowledge_within": ack,
                "acknowledge_unit": ack_unit,
                "finish_within": finish,
                "finish_unit": finish_unit,
                "is_default": default,
                "order": order,
            },
        )
    CalendarDay = apps.get_model("feedback", "CalendarDay")
    for day, name, working in DEMO_DAYS:
        CalendarDay.objects.filter(date=day, name=name, is_working_day=working).delete()


def backwards(apps, schema_editor):
    names = [name for name, *_rest in CLASSES]
    apps.get_model("feedback", "UrgencyClass").objects.filter(name__in=names).delete()


class Migration(migrations.Migration):
    dependencies = [("feedback", "0009_urgency_class")]

    operations = [migrations.RunPython(forwards, backwards)]
