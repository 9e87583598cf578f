"""The issue types riders, grid members (网格员) and food-safety supervisors (食品安全监督员) report,
from the practices in seeds/: 飞线充电 and 占道停车 (Shangqiu's grid members), 井盖破损 and
消防通道堵塞 (Chaohu's 骑手网格员), 网络交易 and 食品安全 (supervisors helping market regulation),
进门难 and 休息难 (Suzhou's 友好场景), legal aid, counselling and dispute mediation (the services
stations offer). Administrators edit, add and retire them in the admin.

Default departments are words of a department's name ("街道办事处", "市场监管"): the 属地 street
office for what happens on its streets, the bureau for its own field. Only hazard types carry
points of their own; the others earn none, as before."""

from django.db import migrations

# Finished within hours, not days (the 紧急 class of migration 0010): an open manhole, a blocked
# fire lane, a cable across a corridor endanger people now. The others take the default class.
URGENT = {"hazard-wire-charging", "hazard-fire-lane", "hazard-manhole"}

# (category, code, name, default department words, points or None)
TYPES = [
    ("hazard", "hazard-wire-charging", "飞线充电", "街道办事处", 20),
    ("hazard", "hazard-fire-lane", "消防通道堵塞", "街道办事处", 20),
    ("hazard", "hazard-manhole", "井盖破损", "街道办事处", 15),
    ("hazard", "hazard-road-parking", "占道停车", "交警", None),
    ("hazard", "hazard-traffic", "交通安全", "交警", 15),
    ("hazard", "hazard-food-safety", "食品安全", "市场监管", 15),
    ("complaint", "complaint-online-trading", "网络交易", "市场监管", None),
    ("complaint", "complaint-uncivil", "不文明现象", "街道办事处", None),
    ("complaint", "complaint-platform", "平台或站点", "行业党委", None),
    ("need", "need-access", "进门难、认路难", "街道办事处", None),
    ("need", "need-rest", "歇脚、喝水、充电", "总工会", None),
    ("need", "need-childcare", "子女看护", "社会工作部", None),
    ("need", "need-social-insurance", "社保医保", "人社", None),
    ("need", "need-ebike-plate", "电动车上牌", "交警", None),
    ("help", "help-wages", "工资拖欠", "人社", None),
    ("help", "help-injury", "工伤与意外", "人社", None),
    ("help", "help-legal-aid", "法律援助", "总工会", None),
    ("help", "help-counselling", "心理疏导", "总工会", None),
    ("help", "help-dispute", "矛盾纠纷调解", "街道办事处", None),
    ("suggestion", "suggestion-stations", "驿站与友好场景", "社会工作部", None),
    ("suggestion", "suggestion-governance", "社区治理", "街道办事处", None),
    ("suggestion", "suggestion-care", "关爱服务与活动", "社会工作部", None),
]


def seed(apps, schema_editor):
    IssueType = apps.get_model("feedback", "IssueType")
    urgent = apps.get_model("feedback", "UrgencyClass").objects.filter(name="紧急").first()
    for order, (category, code, name, department, points) in enumerate(TYPES, start=1):
        IssueType.objects.get_or_create(
            code=code,
            defaults={
                "category": category,
                "name": name,
                "order": order * 10,
                "default_department": department,
                "points": points,
                "urgency": urgent if code in URGENT else None,
            },
        )


def unseed(apps, schema_editor):
    IssueType = apps.get_model("feedback", "IssueType")
    codes = [code for _category, code, *_rest in TYPES]
    IssueType.objects.filter(code__in=codes, suggestions__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("feedback", "0012_issue_types")]

    operations = [migrations.RunPython(seed, unseed)]
