"""Demo workers for `manage.py seed_demo`: a few per community, some waiting for confirmation."""

from portal.models import AreaLevel
from registry import services
from registry.models import Channel, Occupation, Platform, PoliticalStatus, Worker

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN_NAMES = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "涛",
    "明",
    "超",
]
PER_COMMUNITY = 6
OCCUPATIONS = [Occupation.FOOD_DELIVERY, Occupation.COURIER, Occupation.FOOD_DELIVERY,
               Occupation.RIDE_HAILING, Occupation.TRUCK, Occupation.COURIER]  # fmt: skip
PLATFORMS = {
    Occupation.FOOD_DELIVERY: [Platform.MEITUAN, Platform.ELEME],
    Occupation.COURIER: [Platform.SF, Platform.JD, Platform.ZTO, Platform.YUNDA],
    Occupation.RIDE_HAILING: [Platform.DIDI],
    Occupation.TRUCK: [Platform.HUOLALA, Platform.FULL_TRUCK],
}


def seed_workers(sender, areas, stdout, **kwargs):
    communities = sorted(
        (area for area in areas.values() if area.level == AreaLevel.COMMUNITY),
        key=lambda area: area.code,
    )
    created = 0
    for c, community in enumerate(communities):
        for n in range(PER_COMMUNITY):
            number = c * PER_COMMUNITY + n
            mobile = f"1390370{number:04d}"
            if Worker.objects.filter(mobile=mobile).exists():
                continue
            occupation = OCCUPATIONS[n]
            party = n == 1
            details = {
                "name": SURNAMES[number % len(SURNAMES)] + GIVEN_NAMES[number % len(GIVEN_NAMES)],
                "mobile": mobile,
                "occupation": occupation,
                "platform": PLATFORMS[occupation][c % len(PLATFORMS[occupation])],
                "platform_other": "",
                "area": community,
                "political_status": PoliticalStatus.PARTY_MEMBER
                if party
                else PoliticalStatus.MASSES,
                "party_branch": f"{community.name}新业态党支部" if party else "",
                "membership_held_at": "",
                "is_mobile_party_member": party and c % 2 == 0,
                "id_number": "",
            }
            worker = services.register(details, sensitive_consent=party, channel=Channel.SELF)
            if n % 2 == 0:  # half of them already confirmed
                services.confirm(worker, by=None)
            created += 1
    stdout.write(f"Demo workers: {Worker.objects.count()} ({created} new).")
