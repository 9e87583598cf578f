"""Trigram similarity on PostgreSQL (similar suggestions while assessing); the daily follow-up
(reminders, escalation, closing unrated suggestions) at 08:30; starting reply templates."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

TASK = "feedback.tasks.follow_up"

TEMPLATES = [
    ("rejected", "", "不属于受理范围", "您好，感谢您的反馈。经研判，您反映的事项不属于本平台受理范围，建议您通过相关部门渠道反映。如有疑问，欢迎到站点咨询。"),
    ("rejected", "", "信息不足", "您好，感谢您的反馈。由于信息不足，暂时无法核实处理。欢迎补充具体地点、时间和照片后重新提交。"),
    ("duplicate", "", "已有人反映", "您好，感谢您的反馈。该问题已有其他骑手反映，正在统一处理，处理结果将同步告知您。"),
    ("resolved", "", "已办结", "您好，您反映的问题已办结。感谢您对社区工作的支持，欢迎对处理结果进行评价。"),
    ("resolved", "hazard", "隐患已整改", "您好，您随手拍反映的安全隐患已由相关部门现场整改完毕。感谢您当好“隐患哨兵”，积分已发放到您的账户。"),
    ("resolved", "need", "诉求已解决", "您好，您反映的诉求已协调相关部门解决。如仍有困难，请在本页点击“问题未解决”。"),
]


def forwards(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="30", hour="8", day_of_week="*", day_of_month="*", month_of_year="*",
        timezone="Asia/Shanghai",
    )
    PeriodicTask.objects.get_or_create(
        name="Follow up suggestions and tasks (跟踪落实)", defaults={"task": TASK, "crontab": crontab}
    )
    ResponseTemplate = apps.get_model("feedback", "ResponseTemplate")
    for state, category, title, text in TEMPLATES:
        ResponseTemplate.objects.get_or_create(
            state=state, category=category, title=title, defaults={"text": text}
        )


def backwards(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task=TASK).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [TrigramExtension(), migrations.RunPython(forwards, backwards)]
