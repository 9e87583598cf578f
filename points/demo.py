"""Demo rows for `manage.py seed_demo`: volunteer teams, activities, the 积分超市 and its ledger.

建设路社区 and 平原路社区, the communities with demo staff, get volunteer teams and activities of
every kind: past ones whose attendance was marked, so their points are in the ledger, and coming
ones with sign-ups, one of them nearly full and one tomorrow (the evening task reminds its riders).
Attended riders signed in and out, so their hours count; 骑聚三营's monthly station shifts over
the past year give its riders a volunteer star, and the most served of them has a certificate of
the year's hours (and the one it replaced, revoked).
Every community's 积分超市 offers the same rewards, one out of stock and one off offer; riders of
the first two have redeemed some (waiting for pickup, handed over, cancelled and refunded) and
staff have adjusted a balance or two.

Everything goes through points.services (activities, rewards and the ledger), so every balance
is the sum of its ledger. The ledger cannot be backdated (points migration 0003): its entries are
dated the day the demo was seeded, while activities and sign-ups are moved to their own dates.

A team, activity or reward whose name exists in its area is skipped with everything done with it,
as is an adjustment whose reason is in the worker's ledger, so a second run adds nothing.
"""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Sum
from django.utils import timezone

from points.models import (
    Account,
    Activity,
    ActivityKind,
    Certificate,
    Entry,
    EntryKind,
    Redemption,
    RedemptionState,
    Reward,
    SignUp,
    VolunteerTeam,
)
from points.services import activities, certificates, hours, ledger, rewards
from portal.dates import local_midnight
from portal.models import AreaLevel, Role, User
from registry.models import Worker, WorkerStatus
from stations.models import Station

A, B = "411402001001", "411402001002"  # 建设路社区, 平原路社区

# (community, name, description, slice of the community's confirmed workers by mobile)
TEAMS = [
    (A, "骑聚三营", "建设路片区外卖骑手志愿服务队，参与网格巡查、隐患随手拍和社区应急。", (0, 8)),
    (A, "建设路骑手志愿服务队", "利用送餐间隙为社区独居老人送餐、代买药品。", (6, 12)),
    (B, "平原路小哥先锋队", "快递小哥和骑手组成的文明交通劝导队。", (0, 8)),
]


@dataclass
class Plan:
    """An activity `days` from today at `hour` for `hours`; `signed` riders signed up (from the
    team if it has one), `attended` of them marked present, `cancelled` gave their place back."""

    community: str
    title: str
    kind: ActivityKind
    days: int
    hour: int
    hours: float
    capacity: int
    points: int
    place: str = ""  # blank: at the community's first station
    team: str = ""
    signed: int = 0
    attended: int = 0
    cancelled: int = 0


PLANS = [
    # Past: attendance marked, points awarded.
    Plan(A, "电动车安全驾驶与消防培训", ActivityKind.TRAINING, -14, 14, 2, 30, 10,
         signed=12, attended=10),
    Plan(A, "关爱骑手暖心日：送护膝、手套和热姜茶", ActivityKind.CARE_EVENT, -10, 10, 2, 50, 5,
         signed=15, attended=13),
    Plan(A, "网格巡查：建设路沿线隐患排查", ActivityKind.GRID_DUTY, -7, 19, 2, 8, 30,
         place="建设路与平原路交叉口集合", team="骑聚三营", signed=6, attended=5),
    Plan(A, "为独居老人送餐上门", ActivityKind.VOLUNTEER, -3, 11, 1.5, 10, 20,
         place="建设路社区老年食堂", team="建设路骑手志愿服务队", signed=6, attended=6),
    Plan(B, "骑手免费健康体检", ActivityKind.HEALTH_CHECK, -20, 9, 3, 40, 5,
         signed=10, attended=9),
    Plan(B, "文明交通劝导志愿服务", ActivityKind.VOLUNTEER, -5, 17, 2, 10, 20,
         place="平原路菜市场路口", team="平原路小哥先锋队", signed=8, attended=7),
    # A year of monthly day shifts at the station: 骑聚三营's riders reach 100 hours, one star.
    *[
        Plan(A, f"驿站志愿值守（第{n}期）", ActivityKind.VOLUNTEER, -30 * n, 9, 8, 8, 20,
             team="骑聚三营", signed=8, attended=8)
        for n in range(1, 14)
    ],
    # Coming: sign-ups open.
    Plan(A, "网格巡查：建设路夜间巡查", ActivityKind.GRID_DUTY, 1, 19, 2, 8, 30,
         place="建设路与平原路交叉口集合", team="骑聚三营", signed=5),
    Plan(A, "免费健康体检（第二期）", ActivityKind.HEALTH_CHECK, 6, 9, 2.5, 30, 5, signed=10),
    Plan(B, "新就业群体劳动权益讲座", ActivityKind.TRAINING, 3, 19, 1.5, 20, 10, signed=19),
    Plan(B, "冬送温暖：驿站一起包饺子", ActivityKind.CARE_EVENT, 9, 11, 2, 25, 10,
         signed=7, cancelled=1),
]  # fmt: skip

# (name, description, price, stock, on offer); every community's 积分超市 has them all.
REWARDS = [
    ("充电宝租借券", "驿站共享充电宝免费租借一次（24 小时内归还）", 10, 50, True),
    ("毛巾", "纯棉毛巾一条", 20, 30, True),
    ("防晒冰袖", "夏季防晒冰袖一副，入夏再上架", 15, 20, False),
    ("雨伞", "加固折叠雨伞一把", 30, 15, True),
    ("骑行手套", "防风保暖骑行手套一副", 40, 12, True),
    ("保温杯", "不锈钢保温杯 500 毫升", 60, 0, True),
    ("体检券", "社区卫生服务中心基础体检一次", 80, 5, True),
]
PICKUP = "在{community}党群服务中心一楼领取，工作日 9:00–17:00"

# (community, reward, what became of it): redeemed by the rider with the most points for it.
REDEMPTIONS = [
    (A, "骑行手套", RedemptionState.REQUESTED),
    (A, "雨伞", RedemptionState.FULFILLED),
    (A, "充电宝租借券", RedemptionState.REQUESTED),
    (A, "毛巾", RedemptionState.CANCELLED),
    (B, "毛巾", RedemptionState.FULFILLED),
    (B, "充电宝租借券", RedemptionState.REQUESTED),
    (B, "充电宝租借券", RedemptionState.CANCELLED),
]

# (community, n-th confirmed worker by mobile, points, reason)
ADJUSTMENTS = [
    (A, 0, 50, "补记：上月五次网格巡查未录入积分"),
    (A, 0, -10, "更正：上条补记多记了一次巡查"),
    (B, 1, 20, "暴雨天协助转移被困群众，社区表彰"),
]


def seed(sender, areas, stdout, **kwargs):
    """The points' receiver of `portal.signals.seed_demo`."""
    communities = sorted(
        (area for area in areas.values() if area.level == AreaLevel.COMMUNITY),
        key=lambda area: area.code,
    )
    staff = {
        user.area_id: user
        for user in User.objects.filter(role=Role.COMMUNITY_STAFF, area__in=communities)
    }
    today = local_midnight(timezone.localdate())
    created = seed_teams(areas, staff)
    created += sum(seed_activity(plan, areas, staff, today) for plan in PLANS)
    created += seed_adjustments(areas, staff)
    created += seed_certificates(areas[A], staff.get(areas[A].id))
    new_rewards = seed_rewards(communities)
    created += len(new_rewards)
    for code, name, state in REDEMPTIONS:
        reward = new_rewards.get((code, name))
        if reward:
            redeem(reward, state, staff.get(reward.area_id))
    stdout.write(
        f"Demo points: {VolunteerTeam.objects.count()} teams, {Activity.objects.count()} "
        f"activities, {Reward.objects.count()} rewards, {Redemption.objects.count()} "
        f"redemptions, {Entry.objects.count()} ledger entries; {created} new rows."
    )


def confirmed(community):
    return list(
        Worker.objects.filter(area=community, status=WorkerStatus.CONFIRMED).order_by("mobile")
    )


def seed_teams(areas, staff) -> int:
    created = 0
    for code, name, description, (first, last) in TEAMS:
        community = areas[code]
        if VolunteerTeam.objects.filter(area=community, name=name).exists():
            continue
        by = staff.get(community.id)
        team = VolunteerTeam.objects.create(
            area=community, name=name, description=description, created_by=by
        )
        for worker in confirmed(community)[first:last]:
            activities.add_member(team, worker, by=by)
        created += 1
    return created


def seed_activity(plan: Plan, areas, staff, today: datetime) -> bool:
    """Add the planned activity with its sign-ups and attendance; False if it exists."""
    community = areas[plan.community]
    if Activity.objects.filter(area=community, title=plan.title).exists():
        return False
    by = staff.get(community.id)
    starts = today + timedelta(days=plan.days, hours=plan.hour)
    ends = starts + timedelta(hours=plan.hours)
    deadline = starts - timedelta(hours=1)
    now = timezone.now()
    station = None
    if not plan.place:
        station = Station.objects.filter(area=community).order_by("name").first()
    team = VolunteerTeam.objects.filter(area=community, name=plan.team).first()
    activity = activities.save_activity(
        Activity(
            title=plan.title,
            kind=plan.kind,
            area=community,
            place=plan.place or (station.name if station else community.name),
            station=station,
            team=team,
            starts_at=starts,
            ends_at=ends,
            # A past activity takes its sign-ups now and closes after (see below).
            sign_up_deadline=max(deadline, now + timedelta(hours=1)),
            capacity=plan.capacity,
            points=plan.points,
        ),
        by=by,
    )
    pool = (
        [member.worker for member in team.members.select_related("worker")]
        if team
        else confirmed(community)
    )
    riders = random.Random(plan.title).sample(pool, plan.signed)
    sign_ups = [activities.sign_up(activity, rider) for rider in riders]
    for signup in sign_ups[: plan.cancelled]:
        activities.cancel_sign_up(signup)
    for signup in sign_ups[: plan.attended]:
        activities.mark_attendance(signup, by=by)
    # Back to the activity's own dates: announced a fortnight before, signed up for over the
    # following days, attendance marked as it ended.
    announced = min(starts, now) - timedelta(days=14)
    Activity.objects.filter(pk=activity.pk).update(sign_up_deadline=deadline, created_at=announced)
    for n, signup in enumerate(sign_ups):
        SignUp.objects.filter(pk=signup.pk).update(
            signed_up_at=announced + timedelta(days=1 + n % 10, hours=n)
        )
    if plan.attended:
        # They signed in by the QR code as it began and out as it ended: its length counted.
        SignUp.objects.filter(activity=activity, attended_at__isnull=False).update(
            attended_at=ends,
            signed_in_at=starts,
            signed_out_at=ends,
            minutes=hours.length_minutes(activity),
        )
    return True


def seed_certificates(community, by) -> int:
    """The community's most served rider has a certificate of the past year's hours, issued
    again after the first was revoked, so both verify pages show."""
    served = (
        SignUp.objects.active()
        .filter(worker__area=community, minutes__gt=0)
        .values("worker")
        .annotate(total=Sum("minutes"))
        .order_by("-total", "worker")
        .first()
    )
    if served is None or Certificate.objects.filter(worker_id=served["worker"]).exists():
        return 0
    worker = Worker.objects.get(pk=served["worker"])
    today = timezone.localdate()
    first = certificates.issue(worker, today - timedelta(days=365), today, by=by)[0]
    certificates.revoke(first, "时长有误，已重新开具", by=by)
    certificates.issue(worker, today - timedelta(days=365), today, by=by)
    return 2


def seed_adjustments(areas, staff) -> int:
    created = 0
    for code, n, amount, reason in ADJUSTMENTS:
        community = areas[code]
        worker = confirmed(community)[n]
        if Entry.objects.filter(worker=worker, kind=EntryKind.ADJUSTMENT, note=reason).exists():
            continue
        ledger.adjust(worker, amount, reason, by=staff.get(community.id))
        created += 1
    return created


def seed_rewards(communities) -> dict:
    """Every community's 积分超市; returns the rewards made now by (community code, name)."""
    made = {}
    for community in communities:
        for name, description, price, stock, active in REWARDS:
            if Reward.objects.filter(area=community, name=name).exists():
                continue
            made[community.code, name] = Reward.objects.create(
                area=community,
                name=name,
                description=f"{description}，{PICKUP.format(community=community.name)}",
                price=price,
                stock=stock,
                active=active,
            )
    return made


def redeem(reward: Reward, state: RedemptionState, by) -> None:
    account = (
        Account.objects.filter(
            worker__area=reward.area_id,
            worker__status=WorkerStatus.CONFIRMED,
            balance__gte=reward.price,
        )
        .select_related("worker")
        .order_by("-balance", "worker__mobile")
        .first()
    )
    if account is None:
        return
    redemption = rewards.redeem(reward, account.worker)
    if state == RedemptionState.FULFILLED:
        rewards.fulfil(redemption, by=by)
    elif state == RedemptionState.CANCELLED:
        rewards.cancel(redemption, by=by)
