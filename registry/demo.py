"""Demo rows for `manage.py seed_demo`, and synthetic workers for benchmarks.

The demo city gets PER_COMMUNITY workers in each community: riders, couriers and drivers on their
platforms; party members, some of them mobile party members (流动党员), with their check-ins over
the last weeks; grid members, supervisors and volunteers; some waiting for confirmation, a few who
left. Beside them, the enterprise ledger: the platform companies and their local stations (网点).
`seed_demo --workers N` adds N synthetic workers for benchmarks.

Every row is drawn from random generators with fixed seeds, so each run plans the same rows; a
worker whose mobile exists, or an enterprise whose name exists in its area, is skipped, so a second
run adds nothing. Dates are counted back from today, so the demo always shows recent activity.
"""

import random
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.db import reset_queries
from django.utils import timezone

from portal.models import AreaLevel, Role, User
from registry import services
from registry.models import (
    Channel,
    CheckIn,
    Enterprise,
    EnterpriseKind,
    Occupation,
    PartyOrganisation,
    Platform,
    PoliticalStatus,
    RecruitmentCall,
    Worker,
    WorkerEvent,
    WorkerRole,
    WorkerRoleKind,
    WorkerStatus,
)
from registry.services import recruitment

# Surnames by frequency; they are drawn with Zipf-like weights, as surnames occur.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏"
    "魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵"
)
SURNAME_WEIGHTS = [1 / (rank + 4) for rank in range(len(SURNAMES))]
MALE_NAMES = [
    "伟", "强", "磊", "军", "勇", "杰", "涛", "超", "明", "刚", "辉", "鹏", "飞", "鑫", "波", "斌",
    "宇", "浩", "凯", "健", "俊", "帅", "旭", "龙", "阳", "建国", "建华", "志强", "志伟", "海涛",
    "晓东", "国强", "文博", "子豪", "浩然", "俊杰", "宇航", "家豪", "明辉", "永刚", "红军", "小龙",
    "春雷", "立新", "振华", "德明", "新民", "保国", "向东", "光辉", "金龙", "海峰", "思远", "天宇",
    "一鸣", "广亮", "云飞", "晨阳", "卫东", "长江", "少华", "志刚", "玉柱", "军伟",
]  # fmt: skip
FEMALE_NAMES = [
    "芳", "娜", "敏", "静", "丽", "艳", "霞", "燕", "玲", "婷", "雪", "慧", "晓燕", "丽娟", "秀英",
    "春梅", "海燕", "雅琪", "欣怡", "梦瑶", "佳怡", "晓丽",
]  # fmt: skip
# Riders, couriers and drivers are mostly men.
SHARE_OF_MEN = 0.88

# occupation: (weight, {platform: weight}), roughly the mix the seed reports describe.
JOBS = {
    Occupation.FOOD_DELIVERY: (40, {Platform.MEITUAN: 6, Platform.ELEME: 4}),
    Occupation.COURIER: (
        33,
        {
            Platform.SF: 3,
            Platform.JD: 3,
            Platform.ZTO: 2,
            Platform.YTO: 2,
            Platform.YUNDA: 2,
            Platform.JT: 2,
            Platform.STO: 1,
            Platform.EMS: 1,
        },
    ),
    Occupation.RIDE_HAILING: (13, {Platform.DIDI: 1}),
    Occupation.TRUCK: (9, {Platform.HUOLALA: 3, Platform.FULL_TRUCK: 2}),
    Occupation.OTHER: (5, {Platform.OTHER: 1}),
}
OTHER_EMPLOYERS = ["闪送", "UU跑腿", "达达快送", "同城急送"]

# Where mobile party members' membership is held: their home villages and townships.
HOME_BRANCHES = [
    "周口市郸城县汲冢镇李楼村党支部",
    "驻马店市平舆县东和店镇前刘村党支部",
    "商丘市虞城县利民镇后张村党支部",
    "信阳市固始县陈淋子镇黄庄村党支部",
    "开封市兰考县东坝头镇张庄村党支部",
    "周口市太康县马头镇党委",
    "安徽省亳州市谯城区古井镇党委",
    "山东省菏泽市曹县庄寨镇党委",
]
LEAVING_REASONS = ["回老家发展", "转行做别的工作", "搬到其他城市", "跟着站点调到外区"]

# Per community, out of PER_COMMUNITY: exact counts, so the demo reads the same everywhere.
PER_COMMUNITY = 40
PARTY_MEMBERS = 6  # 15 %
MOBILE_PARTY_MEMBERS = 2  # of the party members
PROBATIONARY_MEMBERS = 1  # of the party members who are not mobile
LEAGUE_MEMBERS = 5
PENDING = 6
LEFT = 2
ROLE_HOLDERS = 6  # besides the party members, who all volunteer
STAFF_ENTERED = 0.25  # share of the confirmed workers without a role entered at the desk

# Demo workers' mobiles are 1390370 and four digits; synthetic ones 170 and eight digits.
DEMO_MOBILE = "1390370{:04d}"
SYNTHETIC_MOBILE = "170{:08d}"
SYNTHETIC_FIRST, SYNTHETIC_LAST = SYNTHETIC_MOBILE.format(0), SYNTHETIC_MOBILE.format(10**8 - 1)
SYNTHETIC_BATCH = 5_000
# Synthetic workers' mix, in per cent; few wait for confirmation, as in a ledger kept up to date.
SYNTHETIC_POLITICS = {
    PoliticalStatus.PARTY_MEMBER: 13,
    PoliticalStatus.PROBATIONARY: 2,
    PoliticalStatus.LEAGUE: 12,
    PoliticalStatus.MASSES: 73,
}
SYNTHETIC_STATUSES = {WorkerStatus.PENDING: 1, WorkerStatus.LEFT: 8, WorkerStatus.CONFIRMED: 91}
SYNTHETIC_MOBILE_PARTY_MEMBERS = 0.4  # of the party members
SYNTHETIC_ROLE_HOLDERS = 0.04  # of the confirmed workers
SYNTHETIC_DAYS = 3 * 365  # they registered over the last three years
DAY = 86400  # seconds


def seed(sender, areas, stdout, workers=0, **kwargs):
    """The registry's receiver of `portal.signals.seed_demo`."""
    communities = sorted(
        (area for area in areas.values() if area.level == AreaLevel.COMMUNITY),
        key=lambda area: area.code,
    )
    seed_enterprises(areas, stdout)
    seed_workers(communities, stdout)
    seed_calls(communities, stdout)
    if workers:
        seed_synthetic_workers(workers, communities, stdout)


# ---------------------------------------------------------------------------------------------
# Workers


def _draw(rng: random.Random, weights: dict):
    """One key of `weights`, drawn in proportion to its value."""
    return rng.choices(list(weights), list(weights.values()))[0]


def _person(rng: random.Random) -> dict:
    """A name and a job that go together (a rider on Meituan, a driver on Didi)."""
    given = MALE_NAMES if rng.random() < SHARE_OF_MEN else FEMALE_NAMES
    occupation = _draw(rng, {occupation: weight for occupation, (weight, _) in JOBS.items()})
    platform = _draw(rng, JOBS[occupation][1])
    return {
        "name": rng.choices(SURNAMES, SURNAME_WEIGHTS)[0] + rng.choice(given),
        "occupation": occupation,
        "platform": platform,
        "platform_other": rng.choice(OTHER_EMPLOYERS) if platform == Platform.OTHER else "",
    }


def _politics(rng: random.Random, community, status: PoliticalStatus, mobile: bool) -> dict:
    """Party members take part in their community's branch; a mobile party member's membership
    stays where they come from, a local member's with the branch."""
    branch = f"{community.name}新就业群体联合党支部" if status in PoliticalStatus.party() else ""
    return {
        "political_status": status,
        "party_branch": branch,
        "membership_held_at": rng.choice(HOME_BRANCHES) if mobile else branch,
        "is_mobile_party_member": mobile,
        "id_number": "",
    }


@dataclass
class DemoWorker:
    """One planned demo worker and the rows the services would have written for them."""

    details: dict
    status: WorkerStatus
    channel: Channel
    roles: list[str]
    registered: datetime
    confirmed: datetime | None = None
    left: datetime | None = None
    leaving_reason: str = ""
    # Party-member check-ins after the registration one.
    party_check_ins: list[datetime] = field(default_factory=list)
    # The community's staff member who entered, confirmed or recorded the leaving, if any.
    by: User | None = None

    @property
    def party(self) -> bool:
        return self.details["political_status"] in PoliticalStatus.party()

    def worker(self) -> Worker:
        return Worker(
            **self.details,
            status=self.status,
            confirmed_at=self.confirmed,
            confirmed_by=self.by if self.confirmed else None,
            left_at=self.left,
            consent_version=services.CONSENT_VERSION,
            consented_at=self.registered,
            sensitive_consented_at=self.registered if self.party else None,
            created_at=self.registered,
        )

    def events(self, worker: Worker):
        """The timeline of `services.register` or `add_worker`, then `confirm` and `leave`."""
        at_the_desk = self.channel == Channel.STAFF
        yield WorkerEvent(
            worker=worker,
            kind=WorkerEvent.Kind.REGISTERED,
            actor=self.by if at_the_desk else None,
            changes={"roles": [[], sorted(self.roles)]} if self.roles else {},
            created_at=self.registered,
        )
        if self.confirmed and not at_the_desk:
            yield WorkerEvent(
                worker=worker,
                kind=WorkerEvent.Kind.CONFIRMED,
                actor=self.by,
                created_at=self.confirmed,
            )
        if self.left:
            yield WorkerEvent(
                worker=worker,
                kind=WorkerEvent.Kind.LEFT,
                actor=self.by,
                changes={
                    "status": [WorkerStatus.CONFIRMED, WorkerStatus.LEFT],
                    "reason": ["", self.leaving_reason],
                },
                created_at=self.left,
            )

    def check_ins(self, worker: Worker):
        at_the_desk = self.channel == Channel.STAFF
        yield CheckIn(
            worker=worker,
            area=worker.area,
            as_party_member=self.party,
            channel=self.channel,
            recorded_by=self.by if at_the_desk else None,
            created_at=self.registered,
        )
        for moment in self.party_check_ins:
            yield CheckIn(
                worker=worker,
                area=worker.area,
                as_party_member=True,
                channel=Channel.SELF,
                created_at=moment,
            )


def _at(rng: random.Random, today: datetime, days_ago: int) -> datetime:
    """A moment in working hours, `days_ago` (at least 1) days before today."""
    return (
        today
        - timedelta(days=days_ago)
        + timedelta(hours=rng.randrange(8, 21), minutes=rng.randrange(60))
    )


def plan_demo_workers(communities, now: datetime) -> list[DemoWorker]:
    """The demo workers of every community, the same on every run (dates counted from `now`)."""
    today = datetime.combine(
        timezone.localdate(now), time(), tzinfo=timezone.get_current_timezone()
    )
    rng = random.Random("nuanxin-demo-workers")
    plans = []
    for c, community in enumerate(communities):
        # Who is what, by shuffled position within the community.
        status_of = [WorkerStatus.PENDING] * PENDING + [WorkerStatus.LEFT] * LEFT
        status_of += [WorkerStatus.CONFIRMED] * (PER_COMMUNITY - len(status_of))
        rng.shuffle(status_of)
        politics_of = [PoliticalStatus.PARTY_MEMBER] * PARTY_MEMBERS
        politics_of += [PoliticalStatus.LEAGUE] * LEAGUE_MEMBERS
        politics_of += [PoliticalStatus.MASSES] * (PER_COMMUNITY - len(politics_of))
        rng.shuffle(politics_of)
        party_seen = 0
        role_holders = 0
        for n in range(PER_COMMUNITY):
            status, politics = status_of[n], politics_of[n]
            mobile_member = False
            if politics == PoliticalStatus.PARTY_MEMBER:
                mobile_member = party_seen < MOBILE_PARTY_MEMBERS
                if 0 <= party_seen - MOBILE_PARTY_MEMBERS < PROBATIONARY_MEMBERS:
                    politics = PoliticalStatus.PROBATIONARY
                party_seen += 1
            details = {
                **_person(rng),
                "mobile": DEMO_MOBILE.format(c * PER_COMMUNITY + n),
                "area": community,
                **_politics(rng, community, politics, mobile_member),
            }
            roles = []
            if status == WorkerStatus.CONFIRMED:
                if politics in PoliticalStatus.party():
                    roles = [WorkerRoleKind.VOLUNTEER]
                elif role_holders < ROLE_HOLDERS:
                    role_holders += 1
                    roles = [
                        WorkerRoleKind.FOOD_SAFETY_SUPERVISOR
                        if details["occupation"] == Occupation.FOOD_DELIVERY
                        else rng.choice(
                            [WorkerRoleKind.GRID_MEMBER, WorkerRoleKind.SOCIAL_SUPERVISOR]
                        )
                    ]
            plan = DemoWorker(
                details=details,
                status=status,
                channel=Channel.STAFF
                if roles or (status == WorkerStatus.CONFIRMED and rng.random() < STAFF_ENTERED)
                else Channel.SELF,
                roles=roles,
                # Waiting for confirmation: registered in the last two weeks.
                registered=_at(
                    rng,
                    today,
                    rng.randrange(1, 14)
                    if status == WorkerStatus.PENDING
                    else rng.randrange(70, 420),
                ),
            )
            if status != WorkerStatus.PENDING:
                plan.confirmed = plan.registered + timedelta(hours=rng.randrange(1, 72))
            if status == WorkerStatus.LEFT:
                plan.left = _at(rng, today, rng.randrange(3, 60))
                plan.leaving_reason = rng.choice(LEAVING_REASONS)
            if plan.party and status == WorkerStatus.CONFIRMED:
                # 亮身份: party members report to the community every week or few, over 8 weeks.
                weeks = sorted(rng.sample(range(1, 9), rng.randrange(2, 6)), reverse=True)
                plan.party_check_ins = [
                    _at(rng, today, 7 * week - rng.randrange(7)) for week in weeks
                ]
            plans.append(plan)
    return plans


def seed_workers(communities, stdout):
    """The demo workers with their timelines, check-ins and roles, written in bulk as the services
    would have written them one by one; the services stamp everything now, the demo needs a past.
    """
    plans = plan_demo_workers(communities, timezone.now())
    existing = set(
        Worker.objects.filter(mobile__in=[p.details["mobile"] for p in plans]).values_list(
            "mobile", flat=True
        )
    )
    plans = [plan for plan in plans if plan.details["mobile"] not in existing]
    staff = {
        user.area_id: user
        for user in User.objects.filter(role=Role.COMMUNITY_STAFF, area__in=communities)
    }
    for plan in plans:
        plan.by = staff.get(plan.details["area"].id)
    workers = bulk_create_workers([plan.worker() for plan in plans])
    created = list(zip(workers, plans, strict=True))
    WorkerEvent.objects.bulk_create(event for w, plan in created for event in plan.events(w))
    CheckIn.objects.bulk_create(check_in for w, plan in created for check_in in plan.check_ins(w))
    WorkerRole.objects.bulk_create(
        WorkerRole(worker=w, role=role, area=w.area, starts_on=timezone.localdate(w.created_at))
        for w, plan in created
        for role in plan.roles
    )
    stdout.write(f"Demo workers: {Worker.objects.count()} ({len(plans)} new).")


def bulk_create_workers(workers: list[Worker]) -> list[Worker]:
    for worker in workers:
        worker.set_derived_fields()  # bulk_create skips save(), which sets them
    return Worker.objects.bulk_create(workers)


# ---------------------------------------------------------------------------------------------
# Synthetic workers for benchmarks


def seed_synthetic_workers(total: int, communities, stdout) -> None:
    """`seed_demo --workers N`: N synthetic workers in all, spread over the demo communities.

    Worker number i is the same on every run, so a second run only tops up to N. They have no
    timeline or check-ins: the benchmarks read the rosters, which are made of the worker rows.
    """
    last = (
        Worker.objects.filter(mobile__range=(SYNTHETIC_FIRST, SYNTHETIC_LAST))
        .order_by("-mobile")
        .values_list("mobile", flat=True)
        .first()
    )
    start = int(last[3:]) + 1 if last else 0
    now = timezone.now()
    for first in range(start, total, SYNTHETIC_BATCH):
        numbers = range(first, min(first + SYNTHETIC_BATCH, total))
        workers, roles = zip(
            *(_synthetic(i, total, communities, now) for i in numbers), strict=True
        )
        bulk_create_workers(workers)
        WorkerRole.objects.bulk_create(
            WorkerRole(worker=worker, role=role, area=worker.area, starts_on=now.date())
            for worker, role in zip(workers, roles, strict=True)
            if role
        )
        reset_queries()  # with DEBUG on, Django keeps each query's SQL: gigabytes for a million
    stdout.write(f"Synthetic workers: {max(total, start)} ({max(total - start, 0)} new).")


def _synthetic(i: int, total: int, communities, now: datetime) -> tuple[Worker, str | None]:
    rng = random.Random(i)
    community = rng.choice(communities)
    politics = _draw(rng, SYNTHETIC_POLITICS)
    party = politics in PoliticalStatus.party()
    status = _draw(rng, SYNTHETIC_STATUSES)
    if status == WorkerStatus.PENDING:
        registered = now - timedelta(seconds=rng.randrange(14 * DAY))
    else:
        # One after another, as a live ledger fills up: the table's physical order follows the
        # registration time, as in production, and the planner's choices depend on that.
        registered = now - timedelta(days=2 + SYNTHETIC_DAYS * (total - i) / total)
    confirmed = left = None
    if status != WorkerStatus.PENDING:
        confirmed = registered + timedelta(hours=rng.randrange(1, 48))
    if status == WorkerStatus.LEFT:
        left = confirmed + (now - confirmed) * rng.random()
    worker = Worker(
        **_person(rng),
        mobile=SYNTHETIC_MOBILE.format(i),
        area=community,
        **_politics(
            rng, community, politics, party and rng.random() < SYNTHETIC_MOBILE_PARTY_MEMBERS
        ),
        status=status,
        confirmed_at=confirmed,
        left_at=left,
        consent_version=services.CONSENT_VERSION,
        consented_at=registered,
        sensitive_consented_at=registered if party else None,
        created_at=registered,
    )
    role = None
    if status == WorkerStatus.CONFIRMED and rng.random() < SYNTHETIC_ROLE_HOLDERS:
        role = rng.choice(WorkerRoleKind.values)
    return worker, role


# ---------------------------------------------------------------------------------------------
# The enterprise ledger

# (name, platform, workforce, party organisation, instructor, contact, phone, address)
PLATFORM_COMPANIES = [
    ("美团", Platform.MEITUAN, 2400, PartyOrganisation.OWN_BRANCH, "赵建国", "孙立伟",
     "0370-3216688", "梁园区凯旋路万达广场写字楼12层"),
    ("饿了么", Platform.ELEME, 1500, PartyOrganisation.JOINT_BRANCH, "赵建国", "周晓峰",
     "0370-3258899", "梁园区神火大道188号"),
    ("顺丰速运", Platform.SF, 820, PartyOrganisation.OWN_BRANCH, "钱文静", "吴海涛",
     "0370-3039595", "睢阳区南京路与华商大道交叉口"),
    ("京东物流", Platform.JD, 640, PartyOrganisation.OWN_BRANCH, "钱文静", "郑凯",
     "0370-3162021", "睢阳区310国道商丘物流园"),
    ("滴滴出行", Platform.DIDI, 1900, PartyOrganisation.NONE, "马俊", "王宇航",
     "0370-3357766", "梁园区民主路与八一路交叉口"),
    ("货拉拉", Platform.HUOLALA, 460, PartyOrganisation.NONE, "马俊", "刘鹏",
     "0370-3101122", "梁园区商丘物流港B区"),
]  # fmt: skip

# (name, platform, division code of its street or community, workforce, party organisation,
#  instructor, contact, phone, address)
BRANCHES = [
    ("美团外卖建设路站", Platform.MEITUAN, "411402001001", 86, PartyOrganisation.JOINT_BRANCH,
     "何丽", "高志强", "0370-2881201", "建设路与凯旋路交叉口西100米"),
    ("美团外卖长征路站", Platform.MEITUAN, "411402005001", 72, PartyOrganisation.JOINT_BRANCH,
     "何丽", "林浩", "0370-2881202", "长征路126号"),
    ("美团外卖凯旋站", Platform.MEITUAN, "411402005002", 120, PartyOrganisation.OWN_BRANCH,
     "杨帆", "罗俊杰", "0370-2881203", "凯旋路与北海路交叉口"),
    ("美团外卖古城站", Platform.MEITUAN, "411403006", 64, PartyOrganisation.NONE,
     "", "梁家豪", "0370-2881204", "古城南路28号"),
    ("饿了么平原路站", Platform.ELEME, "411402001002", 48, PartyOrganisation.JOINT_BRANCH,
     "何丽", "谢宇", "0370-2881205", "平原路与胜利路交叉口"),
    ("饿了么文化路站", Platform.ELEME, "411403001001", 55, PartyOrganisation.NONE,
     "唐敏", "宋鹏", "0370-2881206", "文化路中段"),
    ("饿了么北关站", Platform.ELEME, "411403006002", 40, PartyOrganisation.NONE,
     "", "韩磊", "0370-2881207", "北关街9号"),
    ("顺丰速运长征营业部", Platform.SF, "411402005", 38, PartyOrganisation.OWN_BRANCH,
     "杨帆", "冯晓东", "0370-2881208", "长征路与南京路交叉口"),
    ("顺丰速运神火营业部", Platform.SF, "411403001002", 26, PartyOrganisation.JOINT_BRANCH,
     "唐敏", "邓明辉", "0370-2881209", "神火大道与文化路交叉口"),
    ("京东物流平原路营业部", Platform.JD, "411402001002", 31, PartyOrganisation.JOINT_BRANCH,
     "何丽", "曹永刚", "0370-2881210", "平原路88号"),
    ("京东物流南关站", Platform.JD, "411403006001", 22, PartyOrganisation.NONE,
     "唐敏", "彭立新", "0370-2881211", "南关大街45号"),
    ("滴滴出行梁园司机服务站", Platform.DIDI, "411402001", 15, PartyOrganisation.NONE,
     "杨帆", "曾振华", "0370-2881212", "平原街道便民服务中心旁"),
    ("货拉拉睢阳司机之家", Platform.HUOLALA, "411403001", 12, PartyOrganisation.JOINT_BRANCH,
     "唐敏", "肖光辉", "0370-2881213", "文化街道物流服务站"),
    ("美团外卖神火站", Platform.MEITUAN, "411403001002", 58, PartyOrganisation.JOINT_BRANCH,
     "唐敏", "田海峰", "0370-2881214", "神火大道210号"),
]  # fmt: skip


# Two 招募令 of the first demo community: (role, wanted, duties, days to the deadline).
DEMO_CALLS = [
    (
        WorkerRoleKind.GRID_MEMBER,
        3,
        "跑单途中留意网格内的安全隐患、占道和设施损坏，用“随手拍”上报；每月参加一次网格例会。",
        14,
    ),
    (
        WorkerRoleKind.FOOD_SAFETY_SUPERVISOR,
        2,
        "取餐时留意商户后厨卫生和食材来源，发现问题向市场监管所反映；每季度参加一次培训。",
        21,
    ),
]


def seed_calls(communities, stdout):
    """Recruitment calls of the first community, each with an application from one of its
    confirmed workers; a second run adds nothing."""
    community = communities[0]
    today = timezone.localdate()
    confirmed = Worker.objects.filter(area=community, status=WorkerStatus.CONFIRMED)
    created = 0
    for role, wanted, duties, days in DEMO_CALLS:
        if RecruitmentCall.objects.filter(area=community, role=role).exists():
            continue
        call = recruitment.publish(
            {
                "role": role,
                "area": community,
                "wanted": wanted,
                "duties": duties,
                "deadline": today + timedelta(days=days),
                "department": f"{community.name}居委会",
                "term_ends_on": today + timedelta(days=365),
            },
            by=None,
        )
        created += 1
        worker = confirmed.exclude(roles__role=role).order_by("pk").first()
        if worker is not None:
            recruitment.apply(call, worker, "平时在这一片跑单，熟悉路况，愿意出一份力。")
    stdout.write(f"Demo recruitment calls: {created} new.")


def seed_enterprises(areas, stdout):
    city = next(area for area in areas.values() if area.level == AreaLevel.CITY)
    created = 0
    companies = {}
    for (
        name,
        platform,
        workforce,
        organisation,
        instructor,
        contact,
        phone,
        address,
    ) in PLATFORM_COMPANIES:
        companies[platform], new = Enterprise.objects.get_or_create(
            name=name,
            area=city,
            defaults={
                "kind": EnterpriseKind.PLATFORM,
                "platform": platform,
                "workforce": workforce,
                "party_organisation": organisation,
                "party_instructor": instructor,
                "contact_name": contact,
                "contact_phone": phone,
                "address": address,
            },
        )
        created += new
    for (
        name,
        platform,
        code,
        workforce,
        organisation,
        instructor,
        contact,
        phone,
        address,
    ) in BRANCHES:
        _, new = Enterprise.objects.get_or_create(
            name=name,
            area=areas[code],
            defaults={
                "kind": EnterpriseKind.BRANCH,
                "platform": platform,
                "parent": companies[platform],
                "workforce": workforce,
                "party_organisation": organisation,
                "party_instructor": instructor,
                "contact_name": contact,
                "contact_phone": phone,
                "address": address,
            },
        )
        created += new
    stdout.write(f"Demo enterprises: {Enterprise.objects.count()} ({created} new).")
