"""A small believable city for development and demonstrations; safe to run again."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from portal.models import Area, AreaLevel, Role, User
from portal.signals import seed_demo

DEMO_PASSWORD = "nuanxin-demo"  # noqa: S105  (printed in DEBUG only, for the demo)

# (code, name, children): Shangqiu's division codes for the city and districts, made-up below.
CITY = (
    "411400",
    "商丘市",
    [
        (
            "411402",
            "梁园区",
            [
                (
                    "411402001",
                    "平原街道",
                    [("411402001001", "建设路社区"), ("411402001002", "平原路社区")],
                ),
                (
                    "411402005",
                    "长征街道",
                    [("411402005001", "长征路社区"), ("411402005002", "凯旋社区")],
                ),
            ],
        ),
        (
            "411403",
            "睢阳区",
            [
                (
                    "411403001",
                    "文化街道",
                    [("411403001001", "文化路社区"), ("411403001002", "神火社区")],
                ),
                (
                    "411403006",
                    "古城街道",
                    [("411403006001", "南关社区"), ("411403006002", "北关社区")],
                ),
            ],
        ),
    ],
)

# (username, name, role, area code); the first two are staff of sibling communities.
STAFF = [
    ("zhangmin", "张敏", Role.COMMUNITY_STAFF, "411402001001"),
    ("lina", "李娜", Role.COMMUNITY_STAFF, "411402001002"),
    ("wangqiang", "王强", Role.DEPARTMENT_HANDLER, "411402"),
    ("zhaogang", "赵刚", Role.DEPARTMENT_HANDLER, "411402"),
    ("sunli", "孙丽", Role.DEPARTMENT_HANDLER, "411402"),
    ("liuyang", "刘洋", Role.OFFICIAL, "411402"),
    ("chenjing", "陈静", Role.OFFICIAL, "411400"),
    ("admin", "系统管理员", Role.ADMINISTRATOR, None),
]


class Command(BaseCommand):
    help = "Create the demo city, its areas and one staff user per role (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--workers",
            type=int,
            default=0,
            metavar="N",
            help="Also make sure N synthetic workers exist, for benchmarks; a second run only "
            "adds those missing.",
        )

    @transaction.atomic
    def handle(self, *args, **options):
        if options["workers"] < 0:
            raise CommandError("--workers must be 0 or more.")
        areas = {}
        self.seed_area(CITY, None, AreaLevel.CITY, areas)
        created_users = [self.seed_user(*row, areas) for row in STAFF]
        self.stdout.write(
            f"Demo data: {len(areas)} areas, {len(STAFF)} staff users ({sum(created_users)} new)."
        )
        seed_demo.send(
            sender=self.__class__, areas=areas, stdout=self.stdout, workers=options["workers"]
        )
        if settings.DEBUG:
            names = ", ".join(username for username, *_ in STAFF)
            self.stdout.write(f"Log in as any of {names} with the password {DEMO_PASSWORD!r}.")
        elif any(created_users):
            self.stdout.write(
                "New users have no password; set one with `manage.py changepassword`."
            )

    def seed_area(self, node, parent, level, areas):
        code, name, *rest = node
        area, _ = Area.objects.update_or_create(
            code=code, defaults={"name": name, "parent": parent, "level": level}
        )
        areas[code] = area
        for child in rest[0] if rest else []:
            self.seed_area(child, area, level.child_level, areas)

    def seed_user(self, username, name, role, area_code, areas) -> bool:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "name": name,
                "role": role,
                "area": areas.get(area_code),
                "is_staff": role == Role.ADMINISTRATOR,
                "is_superuser": role == Role.ADMINISTRATOR,
            },
        )
        if created:
            if settings.DEBUG:
                user.set_password(DEMO_PASSWORD)
                # The printed demo password is not asked to be changed; the second factor is.
                user.password_changed_at = timezone.now()
            else:
                user.set_unusable_password()
            user.save(update_fields=["password", "password_changed_at"])
        return created
