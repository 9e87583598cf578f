"""Demo stations for `manage.py seed_demo`: three in each community, every kind in the city.

Each community's stations are planned from its division code, so every run plans the same ones;
a station whose name exists in its area is skipped, so a second run adds nothing. Coordinates are
GCJ-02 around the centre of 商丘 (34.41 N, 115.65 E), as AMap shows the city. The QR codes are
made by the task enqueued for each new station (eagerly, when no broker is configured).
"""

import random
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from portal.background import enqueue_on_commit
from portal.dates import local_midnight
from portal.models import AreaLevel, Role, User
from registry.models import Worker, WorkerStatus
from stations import services, tasks
from stations.models import Amenity, Service, StandardItem, Station, StationKind, StationVisit

CENTRE = (34.41, 115.65)
PER_COMMUNITY = 3
KINDS = list(StationKind)

MONDAY_TO_FRIDAY = range(5)
EVERY_DAY = range(7)


def _week(days, start, end) -> dict:
    return {str(day): [[start, end]] for day in days}


# kind: (name pattern, amenities, services, hours or None for 24 hours)
PLANS = {
    StationKind.PARTY_CENTRE: (
        "{community}党群服务中心",
        [Amenity.DRINKING_WATER, Amenity.PHONE_CHARGING, Amenity.TOILET, Amenity.SEATS,
         Amenity.AIR_CONDITIONING, Amenity.MEDICINE_KIT, Amenity.WIFI],
        [Service.LEGAL_AID, Service.SOCIAL_SECURITY, Service.MEDIATION, Service.JOB_INFORMATION],
        {**_week(MONDAY_TO_FRIDAY, "08:30", "17:30"), "5": [["09:00", "12:00"]]},
    ),
    StationKind.WARM_STATION: (
        "{community}暖心驿站",
        [Amenity.DRINKING_WATER, Amenity.PHONE_CHARGING, Amenity.MICROWAVE, Amenity.FRIDGE,
         Amenity.SEATS, Amenity.UMBRELLA, Amenity.MEDICINE_KIT],
        [Service.COUNSELLING, Service.HEALTH_CHECK],
        _week(EVERY_DAY, "07:00", "21:00"),
    ),
    StationKind.OUTDOOR_WORKERS: (
        "{community}户外劳动者驿站",
        [Amenity.DRINKING_WATER, Amenity.PHONE_CHARGING, Amenity.MICROWAVE, Amenity.TOILET,
         Amenity.SEATS, Amenity.BATTERY_SWAP, Amenity.REPAIR_TOOLS],
        [],
        None,
    ),
    StationKind.LOVE_CORNER: (
        "{community}新就业爱心角",
        [Amenity.DRINKING_WATER, Amenity.PHONE_CHARGING, Amenity.SEATS, Amenity.UMBRELLA],
        [Service.JOB_INFORMATION],
        _week(EVERY_DAY, "09:00", "22:00"),
    ),
    StationKind.UNION: (
        "{community}工会驿站",
        [Amenity.DRINKING_WATER, Amenity.AIR_CONDITIONING, Amenity.SEATS, Amenity.WIFI,
         Amenity.MEDICINE_KIT],
        [Service.LEGAL_AID, Service.SKILLS_TRAINING, Service.COUNSELLING],
        _week(MONDAY_TO_FRIDAY, "08:00", "18:00"),
    ),
    StationKind.MERCHANT: (
        "{merchant}（{community}店）",
        [Amenity.DRINKING_WATER, Amenity.PHONE_CHARGING, Amenity.MICROWAVE, Amenity.SEATS],
        [],
        # A night-snack place: open past midnight every day.
        _week(EVERY_DAY, "17:00", "02:00"),
    ),
    StationKind.FRIENDLY_SCENE: (
        "{community}骑手友好街区",
        [Amenity.DRINKING_WATER, Amenity.TOILET, Amenity.BATTERY_SWAP],
        [],
        None,
    ),
}  # fmt: skip
MERCHANTS = [
    ("老商丘烩面馆", "小哥套餐 7折"),
    ("归德府夜宵烧烤", "骑手凭工作证 8折"),
    ("好邻居便利店", "免费热水，取餐优先"),
    ("豫东牛肉汤", "小哥套餐 15元，加汤免费"),
]
STREETS = ["建设路", "平原路", "长征路", "凯旋路", "文化路", "神火大道", "南京路", "北海路"]
CONTACTS = ["刘红", "王建军", "陈丽", "赵志强", "孙海燕", "周鹏", "吴晓东", "郑春梅"]
# The one station closed for now, by (community index, slot).
CLOSED = (3, 1)
CLOSURE_REASON = "设备检修，预计下周恢复开放"


def seed(sender, areas, stdout, **kwargs):
    """The stations' receiver of `portal.signals.seed_demo`."""
    communities = sorted(
        (area for area in areas.values() if area.level == AreaLevel.COMMUNITY),
        key=lambda area: area.code,
    )
    staff = {
        user.area_id: user
        for user in User.objects.filter(role=Role.COMMUNITY_STAFF, area__in=communities)
    }
    items = list(StandardItem.objects.filter(active=True))
    created = 0
    for number, community in enumerate(communities):
        for slot in range(PER_COMMUNITY):
            station, amenities = plan_station(community, number, slot)
            if Station.objects.filter(area=community, name=station.name).exists():
                continue
            by = staff.get(community.id)
            services.save_station(station, amenities, by=by)
            enqueue_on_commit(tasks.make_qr_codes, station.pk)
            rng = random.Random(f"{community.code}-{slot}-standard")
            services.set_standard(station, rng.sample(items, rng.randint(5, len(items))), by=by)
            created += 1
    stdout.write(f"Demo stations: {Station.objects.count()} ({created} new).")
    seed_visits(stdout)


VISIT_DAYS = 84  # twelve weeks of riders' check-ins


def seed_visits(stdout):
    """Riders' check-ins at the stations of their community over the last twelve weeks, more on
    weekdays; stations that have visits already get none."""
    today = timezone.localdate()
    visits = []
    for station in Station.objects.filter(visits__isnull=True).order_by("id"):
        riders = list(
            Worker.objects.filter(area=station.area_id, status=WorkerStatus.CONFIRMED)
            .order_by("id")
            .values_list("id", flat=True)
        )
        rng = random.Random(f"{station.name}-visits")
        for back in range(VISIT_DAYS) if riders else ():
            day = today - timedelta(days=back)
            for _ in range(rng.randint(0, 4 if day.weekday() < 5 else 2)):
                at = local_midnight(day) + timedelta(minutes=rng.randint(6 * 60, 22 * 60))
                visits.append(
                    StationVisit(
                        station=station,
                        area_id=station.area_id,
                        worker_id=rng.choice(riders),
                        day=day,
                        created_at=at,
                    )
                )
    StationVisit.objects.bulk_create(visits)
    stdout.write(f"Demo station check-ins: {StationVisit.objects.count()} ({len(visits)} new).")


def plan_station(community, number: int, slot: int) -> tuple[Station, list[str]]:
    """The slot-th station of the number-th community: its kinds take turns across the city."""
    rng = random.Random(f"{community.code}-{slot}")
    kind = KINDS[(PER_COMMUNITY * number + slot) % len(KINDS)]
    pattern, amenities, station_services, hours = PLANS[kind]
    merchant, offer = (
        MERCHANTS[number % len(MERCHANTS)] if kind == StationKind.MERCHANT else ("", "")
    )
    short = community.name.removesuffix("社区")
    closed = (number, slot) == CLOSED
    station = Station(
        name=pattern.format(community=short, merchant=merchant),
        kind=kind,
        area=community,
        address=f"{rng.choice(STREETS)}{rng.randint(1, 300)}号",
        latitude=_coordinate(CENTRE[0] + rng.uniform(-0.03, 0.03)),
        longitude=_coordinate(CENTRE[1] + rng.uniform(-0.04, 0.04)),
        open_24h=hours is None,
        hours=hours or {},
        services=list(station_services),
        offer=offer,
        contact_name=rng.choice(CONTACTS),
        contact_phone=f"0370-{rng.randint(2000000, 3999999)}",
        temporarily_closed=closed,
        closure_reason=CLOSURE_REASON if closed else "",
    )
    return station, list(amenities)


def _coordinate(value: float) -> Decimal:
    return Decimal(f"{value:.6f}")
