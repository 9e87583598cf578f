"""Demo rows for `manage.py seed_demo`: departments, suggestions in every state of the loop, and
an Open311 API key.

梁园区 gets a department tree under its social work department (区委社会工作部), handled by the
demo's department handlers. The holidays come from the chinese-calendar package
(feedback.calendar), so the demo enters none.

Each suggestion is a story told through feedback.services — filed, assessed, split into tasks,
worked, resolved, rated — so its timeline is the real one; each step is then stamped with its
moment in the story instead of the moment the demo ran. Moments are counted back in days from
the last 18:00 before the run, so tenths of a day fall in office hours (.3 is 10:48).

A story whose text is already in its community is skipped, like a department, holiday or key that
exists, so a second run adds nothing.
"""

from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from feedback import apikeys, followup, services
from feedback.calendar import deadline
from feedback.models import (
    ApiKey,
    Callback,
    Category,
    Channel,
    DeadlineUnit,
    Department,
    Event,
    IssueType,
    Suggestion,
    SuggestionText,
    Support,
    Task,
    TaskEscalation,
    TaskSupervision,
)
from feedback.services import desk
from portal.models import Notification, Role, User
from registry.models import Worker, WorkerStatus
from stations.models import Station

DISTRICT = "411402"  # 梁园区

# (name, area code or None for the district, parent name, handlers' usernames)
DEPARTMENTS = [
    ("梁园区委社会工作部", None, None, ["zhaogang"]),
    ("梁园区新就业群体行业党委", None, "梁园区委社会工作部", ["wangqiang"]),
    ("梁园区总工会", None, "梁园区委社会工作部", ["sunli"]),
    ("梁园区市场监管局", None, "梁园区委社会工作部", ["wangqiang"]),
    ("梁园区交警大队", None, "梁园区委社会工作部", ["wangqiang"]),
    ("梁园区人社局", None, "梁园区委社会工作部", ["sunli"]),
    ("平原街道办事处", "411402001", "梁园区委社会工作部", ["wangqiang"]),
    ("长征街道办事处", "411402005", "梁园区委社会工作部", ["sunli"]),
    ("美团梁园区站点", None, "梁园区新就业群体行业党委", ["sunli"]),
    ("饿了么梁园区站点", None, "梁园区新就业群体行业党委", ["sunli"]),
]

API_KEY_NAME = "12345 热线（演示）"


@dataclass
class Story:
    """A suggestion as a rider filed it `days_ago`, then what staff did: (days ago, action,
    *arguments); a task's last argument is the days it is given."""

    community: str  # division code
    category: Category
    text: str
    days_ago: float
    channel: Channel = Channel.ONLINE
    from_station: bool = False
    # Filed with the mobile of a registered demo worker (a hazard then earns them points).
    by_worker: bool = False
    steps: list[tuple] = field(default_factory=list)
    issue_type: str = ""  # an issue type's code (feedback migration 0009)


A, B, C, D, E = "411402001001", "411402001002", "411402005001", "411402005002", "411403001001"
LAMP = "平原路菜市场门口的路灯坏了一个多月，晚上骑车看不清路面，已经有人摔倒了。"
LONGER_HOURS = "希望驿站能开到晚上十点，晚高峰送完单想找个地方热饭、歇一会儿。"

STORIES = [
    # Waiting for assessment, two of them for longer than they should.
    Story(
        A,
        Category.HAZARD,
        "建设路与平原路交叉口的井盖松动，电动车压上去会翘起来，晚上送餐很危险。",
        14.3,
        Channel.QR_CODE,
        from_station=True,
        by_worker=True,
        issue_type="hazard-manhole",
        steps=[
            (14.0, "publish", "建设路与平原路交叉口井盖松动，已有骑手反映，等待社区研判。"),
            (9.2, "support", 2),
        ],
    ),
    Story(B, Category.NEED, LONGER_HOURS, 4.3),
    Story(
        C,
        Category.SUGGESTION,
        "长征路驿站门口能不能加装几个充电插座？高峰期大家排队充电。",
        0.2,
        Channel.QR_CODE,
        from_station=True,
    ),
    Story(E, Category.COMPLAINT, "文化路商场地下车库不让外卖电动车进，取餐要绕很远的路。", 1.1),
    # Accepted and being worked on.
    Story(
        A,
        Category.NEED,
        "座谈会上骑手反映：不少小哥没有缴社保，想了解灵活就业人员怎么参保、怎么办职业伤害保障。",
        3.3,
        Channel.MEETING,
        issue_type="need-social-insurance",
        steps=[
            (3.2, "accept"),
            (3.1, "task", "梁园区人社局", "到驿站开一次参保政策宣讲，现场帮助办理参保登记", 8),
            (3.1, "task", "梁园区总工会", "摸排未参保骑手名单，对接职业伤害保障试点", 7),
            (3.0, "acknowledge", "梁园区人社局"),
            (2.9, "acknowledge", "梁园区总工会"),
            (1.2, "note", "梁园区总工会", "已和美团、饿了么站点约好下周二晚上宣讲"),
        ],
    ),
    Story(
        B,
        Category.HAZARD,
        LAMP,
        12.3,
        Channel.QR_CODE,
        from_station=True,
        by_worker=True,
        issue_type="hazard-traffic",
        steps=[
            (12.2, "accept"),
            (12.1, "task", "平原街道办事处", "联系路灯管理所尽快修复，修好前设置警示标志", 7),
            (11.9, "acknowledge", "平原街道办事处"),
            (11.8, "publish", "平原路菜市场门口路灯不亮，街道已报路灯管理所维修。"),
            (11.0, "support", 1),
            (6.2, "note", "平原街道办事处", "已报路灯管理所，等待排期"),
            (1.4, "escalate", "平原街道办事处"),
            (
                1.3,
                "supervise",
                "平原街道办事处",
                "路灯已坏一个多月，已有骑手摔倒，请本周内修复并反馈。",
            ),
        ],
    ),
    # Resolved, waiting for the rider's rating; staff called them back (回访) once, in vain.
    Story(
        A,
        Category.COMPLAINT,
        "建设路一家快餐店出餐慢还不让骑手在店里等，下雨天只能站在路边淋着。",
        8.3,
        by_worker=True,
        steps=[
            (8.2, "accept"),
            (8.1, "task", "梁园区市场监管局", "约谈商家，规范骑手等餐区", 7),
            (3.2, "done", "梁园区市场监管局", "已约谈商家，店内设置了骑手等餐区和雨伞架"),
            (2.3, "resolve", "您好，市场监管局已约谈商家，店内已设置骑手等餐区。感谢您的反映。"),
            (0.4, "callback", False, None, "无人接听，明天再打"),
        ],
    ),
    # Closed: rated by the rider, or nobody rated it in time.
    Story(
        A,
        Category.HAZARD,
        "建设路口红绿灯太短，电动车还没过完就变灯了，和右转车抢道很危险。",
        20.3,
        Channel.QR_CODE,
        from_station=True,
        by_worker=True,
        issue_type="hazard-traffic",
        steps=[
            (20.2, "accept"),
            (20.1, "task", "梁园区交警大队", "现场查看信号配时，评估是否延长非机动车绿灯", 7),
            (16.2, "done", "梁园区交警大队", "非机动车绿灯由 25 秒延长到 35 秒"),
            (15.3, "resolve", "您好，交警大队已把路口非机动车绿灯延长 10 秒。感谢您当好隐患哨兵！"),
            (14.1, "rate", 5, "交警很快就调整了，点赞"),
            (14.0, "publish", "建设路口非机动车绿灯由 25 秒延长到 35 秒，过路口不用再抢。"),
        ],
    ),
    Story(
        B,
        Category.HELP,
        "我们站的老乡送餐时摔伤住院，家里困难，希望能帮他申请困难职工救助。",
        25.3,
        Channel.VISIT,
        issue_type="help-injury",
        steps=[
            (25.2, "accept"),
            (25.1, "task", "梁园区总工会", "核实情况，按困难职工帮扶办法申请救助", 10),
            (20.2, "done", "梁园区总工会", "已发放救助金 3000 元，并上门慰问"),
            (19.3, "resolve", "您好，区总工会已为您的老乡申请救助并上门慰问。祝早日康复。"),
            (18.1, "rate", 4, "谢谢社区和工会"),
        ],
    ),
    Story(
        B,
        Category.SUGGESTION,
        "建议驿站备一些常用药品，比如创可贴、碘伏和藿香正气水，夏天用得上。",
        20.4,
        Channel.QR_CODE,
        from_station=True,
        steps=[
            (20.2, "accept"),
            (20.1, "task", "美团梁园区站点", "为站点附近驿站配齐常用药品", 10),
            (14.2, "done", "美团梁园区站点", "已为两个驿站配齐药箱"),
            (12.3, "resolve", "您好，驿站已配好常用药品，欢迎取用。"),
            (4.4, "close"),
            (4.3, "publish", "驿站已配齐创可贴、碘伏、藿香正气水等常用药品，欢迎取用。"),
        ],
    ),
    # 差评整改台账: rated low, and what staff did about it; reopened and worked on again.
    Story(
        A,
        Category.COMPLAINT,
        "建设路一家挂了暖新商户牌子的面馆，出示工作证也不给打折，说活动早结束了。",
        16.3,
        steps=[
            (16.2, "accept"),
            (16.1, "task", "梁园区新就业群体行业党委", "核实商户优惠是否仍在，督促兑现", 5),
            (12.2, "done", "梁园区新就业群体行业党委", "商户称店员不知情，已重新培训"),
            (11.3, "resolve", "您好，已督促商户兑现工作证优惠，店员已重新培训。"),
            (9.2, "rate", 2, "去了还是不给打折，说要等老板回来"),
            (8.1, "rectify", "再次约谈店主，优惠写进店内公示牌；电话向骑手致歉，请其再去核实"),
        ],
    ),
    Story(
        B,
        Category.HAZARD,
        "平原路 12 号楼道里有人从窗户拉电线给电动车充电，线就挂在楼道口。",
        13.3,
        Channel.QR_CODE,
        from_station=True,
        by_worker=True,
        issue_type="hazard-wire-charging",
        steps=[
            (13.2, "accept"),
            (13.1, "task", "平原街道办事处", "上门劝导拆除飞线，宣传集中充电点", 3),
            (10.2, "done", "平原街道办事处", "已上门劝导，住户当场拆除"),
            (9.3, "resolve", "您好，街道已上门劝导，飞线已拆除。感谢您当好隐患哨兵！"),
            (6.2, "reopen", "过了两天又拉上了，晚上还在充"),
            (5.3, "accept"),
            (5.2, "task", "平原街道办事处", "联合物业夜间巡查，在楼下加装充电桩", 10),
            (5.1, "publish", "平原路 12 号楼道飞线充电：已劝导拆除，正联合物业加装充电桩。"),
        ],
    ),
    # Not taken up, a duplicate and a merged one.
    Story(
        A,
        Category.COMPLAINT,
        "平台派单算法不合理，希望社区出面让平台把每单配送费提高两块钱。",
        5.3,
        steps=[
            (
                4.2,
                "reject",
                "您好，感谢您的反馈。配送费由平台与骑手协商确定，不属于社区受理范围；"
                "可向区总工会或平台的骑手申诉渠道反映，我们也会把意见转达行业党委。",
            ),
        ],
    ),
    Story(
        B,
        Category.HAZARD,
        "平原路菜市场那边的路灯一直不亮，晚上黑乎乎的。",
        10.3,
        Channel.QR_CODE,
        from_station=True,
        steps=[(10.2, "duplicate", LAMP)],
    ),
    Story(
        B,
        Category.NEED,
        "驿站晚上八点就关门了，下晚班没地方歇脚，能不能晚点关门？",
        2.2,
        steps=[(1.3, "merge", LONGER_HOURS)],
    ),
]


def seed(sender, areas, stdout, **kwargs):
    """The feedback loop's receiver of `portal.signals.seed_demo`."""
    departments = seed_departments(areas)
    evening = timezone.localtime().replace(hour=18, minute=0, second=0, microsecond=0)
    if evening > timezone.now():
        evening -= timedelta(days=1)
    created = sum(tell(story, areas, departments, evening) for story in STORIES)
    stdout.write(
        f"Demo suggestions: {Suggestion.objects.count()} ({created} new), "
        f"{len(departments)} departments."
    )
    seed_api_key(areas[DISTRICT], stdout)


def seed_departments(areas) -> dict[str, Department]:
    departments = {}
    for name, area_code, parent, usernames in DEPARTMENTS:
        department, created = Department.objects.get_or_create(
            area=areas[area_code or DISTRICT],
            name=name,
            defaults={"parent": departments.get(parent)},
        )
        if created:
            department.handlers.set(
                User.objects.filter(username__in=usernames, role=Role.DEPARTMENT_HANDLER)
            )
        departments[name] = department
    return departments


def seed_api_key(area, stdout) -> None:
    """The raw key is shown once, when it is made, and only in DEBUG."""
    if ApiKey.objects.filter(name=API_KEY_NAME).exists():
        return
    key, raw = apikeys.create_key(API_KEY_NAME, area)
    if settings.DEBUG:
        stdout.write(f"Open311 demo API key ({key.name}): {raw}")
    else:
        stdout.write("An Open311 demo API key was made; make one you can use in the admin.")


# ---------------------------------------------------------------------------------------------
# Stories


# Rows the services create stamped now; `as_of` moves them to the story's moment. Not the points
# ledger's entries: the database refuses any change to them (points migration 0003), so the
# points a demo hazard earns are dated the day the demo was seeded.
# The texts to the submitter too: those older than a day when the seeding commits are old news,
# and are not sent (feedback.texts).
STAMPED_ROWS = [
    Event,
    Notification,
    TaskEscalation,
    Callback,
    SuggestionText,
    TaskSupervision,
    Support,
]
SUGGESTION_TIMES = [
    "assessed_at",
    "replied_at",
    "resolved_at",
    "rated_at",
    "closed_at",
    "summary_approved_at",
]
TASK_TIMES = ["created_at", "done_at", "acknowledged_at"]


def _times(suggestion: Suggestion) -> dict:
    row = Suggestion.objects.values(*SUGGESTION_TIMES).get(pk=suggestion.pk)
    times = {(Suggestion, suggestion.pk, name): value for name, value in row.items()}
    for row in suggestion.tasks.values("pk", *TASK_TIMES):
        times.update({(Task, row["pk"], name): row[name] for name in TASK_TIMES})
    return times


@contextmanager
def as_of(moment: datetime, suggestion: Suggestion):
    """Stamp what the services write inside the block at `moment` instead of now."""
    last = {model: model.objects.aggregate(last=Max("pk"))["last"] or 0 for model in STAMPED_ROWS}
    before = _times(suggestion)
    yield
    for (model, pk, name), value in _times(suggestion).items():
        if value is not None and value != before.get((model, pk, name)):
            model.objects.filter(pk=pk).update(**{name: moment})
    for model, pk in last.items():
        model.objects.filter(pk__gt=pk).update(created_at=moment)
    suggestion.refresh_from_db()


def tell(story: Story, areas, departments, evening: datetime) -> bool:
    """File the story's suggestion and take it through its steps; False if it exists."""
    community = areas[story.community]
    if Suggestion.objects.filter(area=community, text=story.text).exists():
        return False
    staff = User.objects.filter(role=Role.COMMUNITY_STAFF, area=community).first()
    details = {"category": story.category, "text": story.text}
    if story.issue_type:
        details["issue_type"] = IssueType.objects.filter(code=story.issue_type).first()
    worker = None
    if story.by_worker:
        worker = (
            Worker.objects.filter(area=community, status=WorkerStatus.CONFIRMED)
            .order_by("mobile")
            .first()
        )
        if worker:
            details |= {"name": worker.name, "mobile": worker.mobile}
    station = (
        Station.objects.filter(area=community).order_by("name").first()
        if story.from_station
        else None
    )
    filed = evening - timedelta(days=story.days_ago)
    offline = story.channel in (Channel.MEETING, Channel.PHONE, Channel.VISIT)
    suggestion = services.submit(
        details,
        channel=story.channel,
        area=community,
        station=station,
        by=staff if offline else None,
        worker=worker,
    )
    Suggestion.objects.filter(pk=suggestion.pk).update(submitted_at=filed, queued_at=filed)
    suggestion.events.update(created_at=filed)
    for days_ago, action, *arguments in story.steps:
        moment = evening - timedelta(days=days_ago)
        with as_of(moment, suggestion):
            _act(suggestion, action, arguments, moment, staff, departments)
    return True


def _act(suggestion, action, arguments, moment, staff, departments) -> None:
    """One step of a story, through the services."""

    def task(name):
        return suggestion.tasks.get(department=departments[name])

    def handler(name):
        return departments[name].handlers.filter(is_active=True).first()

    match action, arguments:
        case "accept", []:
            services.accept(suggestion, version=None, by=staff)
        case "reject", [reply]:
            services.reject(suggestion, version=None, reply=reply, by=staff)
        case "duplicate", [text]:
            original = Suggestion.objects.get(text=text)
            services.mark_duplicate(suggestion, original, version=None, by=staff)
        case "merge", [text]:
            services.merge(suggestion, Suggestion.objects.get(text=text), version=None, by=staff)
        case "task", [name, instructions, days]:
            due_on = timezone.localdate(moment) + timedelta(days=days)
            added = services.add_task(
                suggestion, departments[name], instructions=instructions, due_on=due_on, by=staff
            )
            # To acknowledge within a working day of the story's moment, not of the demo's run.
            acknowledge_by = min(deadline(moment, 1, DeadlineUnit.WORKING_DAYS), added.due_at)
            Task.objects.filter(pk=added.pk).update(acknowledge_by=acknowledge_by)
        case "acknowledge", [name]:
            acknowledged = task(name)
            desk.acknowledge(acknowledged, by=handler(name))
            # On time or late as of the story's moment, not as of the demo's run.
            if moment <= acknowledged.acknowledge_by:
                acknowledged.events.filter(kind=Event.Kind.ACKNOWLEDGED).update(text="")
        case "supervise", [name, text]:
            desk.supervise(task(name), text=text, by=staff)
        case "note", [name, text]:
            services.add_note(task(name), text, by=handler(name))
        case "done", [name, result]:
            services.complete_task(task(name), result=result, by=handler(name))
        case "resolve", [reply]:
            services.resolve(suggestion, version=None, reply=reply, by=staff)
        case "rate", [stars, comment]:
            services.rate(suggestion, rating=stars, comment=comment)
        case "close", []:
            services.close_unrated(suggestion)
        case "reopen", [comment]:
            services.reopen(suggestion, comment=comment)
        case "rectify", [text]:
            services.record_rectification(suggestion, text, by=staff)
        case "callback", [reached, satisfaction, words]:
            services.record_callback(
                suggestion, reached=reached, satisfaction=satisfaction, words=words, by=staff
            )
        case "publish", [summary]:
            services.publish_summary(suggestion, summary, version=None, by=staff)
        case "support", [riders]:
            # 我也遇到了 from the community's other confirmed riders
            others = Worker.objects.filter(
                area=suggestion.area, status=WorkerStatus.CONFIRMED
            ).exclude(pk=suggestion.worker_id)
            for worker in others.order_by("-mobile")[:riders]:
                services.support(suggestion, worker)
        case "escalate", [name]:
            with transaction.atomic():
                followup.escalate(task(name), moment)
        case _:
            raise ValueError(f"unknown step {action} {arguments}")
