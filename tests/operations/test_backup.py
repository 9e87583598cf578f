"""The restore drill of docs/OPERATIONS.md, on CI's PostgreSQL: fill every app's tables, take a
`pg_dump -Fc` of the test database, `pg_restore --no-owner` it into a fresh database, and find
every table with the same rows (count and checksum), every sequence where it was, and no
migration missing.

The rows must be committed for pg_dump, another connection, to see them: a transactional test.
"""

import os
import subprocess
import time
from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.apps import apps
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from dashboard.refresh import refresh_recent
from feedback import apikeys
from feedback import services as feedback
from feedback.models import (
    CalendarDay,
    Category,
    Channel,
    Event,
    IssueType,
    ResponseTemplate,
    Task,
    TaskEscalation,
    UrgencyClass,
)
from feedback.services import desk
from points.models import EntryKind, Reward, SignUp, StarLevel, VolunteerTeam
from points.services import activities, certificates, hours, rewards
from points.services.ledger import award
from portal import accounts
from portal.inbox import notify
from portal.models import ExportJob, TextMessageDevice
from registry import services as registry
from registry.models import Channel as RegistryChannel
from registry.models import ImportJob, ImportRow, WorkerRoleKind
from registry.services import recruitment
from stations import services as stations
from stations.checkin import check_in
from stations.models import StandardItem, StationAmenity, StationEvent
from tests.factories import (
    ActivityFactory,
    CareVisitFactory,
    DepartmentFactory,
    EnterpriseFactory,
    StationFactory,
    StationPhotoFactory,
    SuggestionFactory,
    SuggestionPhotoFactory,
    WorkerFactory,
)
from tests.webprocess import direct_server

pytestmark = pytest.mark.services

# Every table of these apps must hold rows, so that the comparison proves something for each.
OUR_APPS = {"portal", "dashboard", "registry", "stations", "points", "feedback"}
# Encrypted in the database, so in the dump only as ciphertext (docs/SECURITY.md, Data at rest).
SENSITIVE = {"party branch": "顺丰党支部", "ID number": "11010519491231002X"}


def jpeg(name: str) -> ContentFile:
    buffer = BytesIO()
    Image.new("RGB", (32, 24), "orange").save(buffer, "JPEG")
    return ContentFile(buffer.getvalue(), name=name)


def fill(tree, client, staff, handler, administrator):
    """Rows in every table of every app, mostly through the services that write them."""
    # registry: workers (with roles, check-ins, timeline), a leaver, an erased one, the ledger.
    WorkerFactory.create_batch(20, area=tree.community_a)
    rider = registry.add_worker(
        {
            "name": "王小明",
            "mobile": "13912345678",
            "occupation": "courier",
            "platform": "sf",
            "area": tree.community_a,
            "political_status": "party_member",
            "party_branch": SENSITIVE["party branch"],
            "id_number": SENSITIVE["ID number"],
        },
        [WorkerRoleKind.GRID_MEMBER, WorkerRoleKind.VOLUNTEER],
        sensitive_consent=True,
        by=staff,
    )
    registry.register(
        {
            "name": "李娜",
            "mobile": "13912345679",
            "occupation": "food_delivery",
            "platform": "meituan",
            "area": tree.community_b,
            "political_status": "masses",
        },
        sensitive_consent=False,
        channel=RegistryChannel.SELF,
    )
    leaver = WorkerFactory(area=tree.community_c)
    registry.leave(leaver, reason="回老家了", by=staff)
    registry.anonymise(leaver, by=administrator)
    CareVisitFactory(worker=rider, responsible=staff, recorded_by=staff)
    EnterpriseFactory.create_batch(3, area=tree.community_a)
    job = ImportJob.objects.create(
        uploaded_by=staff,
        area=tree.community_a,
        file="imports/2026/12/list.xlsx",
        original_name="摸排清单.xlsx",
        status=ImportJob.Status.READ,
        total_rows=2,
    )
    ImportRow.objects.bulk_create(
        [
            ImportRow(job=job, number=2, outcome="new", values={"name": "赵六"}),
            ImportRow(job=job, number=3, outcome="rejected", errors=[["mobile", "格式不对"]]),
        ]
    )

    # stations: a station with amenities, photo, standard, a replaced QR token, visits.
    station = StationFactory(area=tree.community_a, hours={"mon": [["08:00", "20:00"]]})
    StationAmenity.objects.bulk_create(
        StationAmenity(station=station, amenity=amenity) for amenity in ("water", "charging")
    )
    StationEvent.objects.create(station=station, kind=StationEvent.Kind.CREATED, actor=staff)
    StationPhotoFactory(station=station)
    item, _ = StandardItem.objects.get_or_create(name="有饮用水")
    stations.set_standard(station, [item], by=staff)
    stations.rotate_token(station, staff)
    check_in(station, rider)

    # points: the ledger, a reward redeemed, a team, an activity signed up for.
    award(rider, 50, EntryKind.ADJUSTMENT, note="开户", by=staff)
    reward = Reward.objects.create(area=tree.community_a, name="矿泉水", price=10, stock=5)
    rewards.redeem(reward, rider)
    team = VolunteerTeam.objects.create(name="骑聚三营", area=tree.community_a, created_by=staff)
    activities.add_member(team, rider, by=staff)
    now = timezone.now()
    activity = ActivityFactory(
        area=tree.community_a,
        station=station,
        team=team,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=1),
        sign_up_deadline=now + timedelta(minutes=30),
    )
    signup = activities.sign_up(activity, rider)
    activities.mark_attendance(signup, by=staff)
    hours.adjust_hours(signup, Decimal("1.5"), "签到二维码未扫，按签到表补录", by=staff)
    StarLevel.objects.get_or_create(stars=1, defaults={"hours": 100})
    certificates.issue(rider, timezone.localdate(), timezone.localdate(), by=staff)
    over = ActivityFactory(
        area=tree.community_a,
        starts_at=now - timedelta(hours=3),
        ends_at=now - timedelta(hours=1),
        sign_up_deadline=now - timedelta(hours=4),
    )
    SignUp.objects.create(activity=over, worker=rider, attended_at=over.starts_at)
    activities.rate(over, rider, 5, "组织得好，时间安排合理")
    full = ActivityFactory(area=tree.community_a, capacity=1)
    activities.sign_up(full, WorkerFactory(area=tree.community_a))
    activities.join_waiting_list(full, rider)
    call = recruitment.publish(
        {
            "role": WorkerRoleKind.FOOD_SAFETY_SUPERVISOR,
            "area": tree.community_a,
            "wanted": 2,
            "duties": "每月检查两次辖区餐饮门店后厨",
            "deadline": timezone.localdate() + timedelta(days=14),
        },
        by=staff,
    )
    recruitment.apply(call, rider, "常在建设路一带送餐，熟悉这些门店")

    # feedback: a hazard with photos taken through the loop, a duplicate, the reference tables.
    # (Made here when a transactional test before this one emptied what the migrations seeded.)
    urgent, _ = UrgencyClass.objects.get_or_create(
        name="紧急",
        defaults={
            "acknowledge_within": 2,
            "acknowledge_unit": "working_hours",
            "finish_within": 2,
            "finish_unit": "hours",
        },
    )
    manhole, _ = IssueType.objects.update_or_create(
        code="hazard-manhole",
        defaults={"category": Category.HAZARD, "name": "井盖破损", "urgency": urgent},
    )
    department = DepartmentFactory(area=tree.district, handlers=[handler])
    hazard = feedback.submit(
        {"category": Category.HAZARD, "text": "井盖缺失", "name": "王小明", "mobile": rider.mobile},
        [jpeg("photo.jpg")],
        channel=Channel.QR_CODE,
        area=tree.community_a,
        station=station,
    )
    feedback.accept(hazard, version=None, by=staff, issue_type=manhole)
    task = feedback.add_task(
        hazard,
        department,
        instructions="现场核实",
        due_on=timezone.localdate() - timedelta(days=1),
        by=staff,
    )
    TaskEscalation.objects.create(task=task, level=1, area=tree.street)
    desk.acknowledge(task, by=handler)
    desk.supervise(task, text="请尽快办理", by=staff)
    extension = desk.request_extension(
        task,
        due_on=timezone.localdate() + timedelta(days=3),
        reason="需采购井盖",
        version=None,
        by=handler,
    )
    desk.decide_extension(extension, approve=True, version=None, by=staff)
    feedback.complete_task(
        Task.objects.get(pk=task.pk),
        result="已更换井盖",
        by=handler,
        photos=[jpeg("done.jpg")],
    )
    feedback.resolve(hazard, version=None, reply="已更换", by=staff)
    feedback.record_callback(hazard, reached=True, satisfaction=5, words="满意", by=staff)
    shown = SuggestionFactory(area=tree.community_a, station=station)
    feedback.accept(shown, version=None, by=staff)
    feedback.publish_summary(shown, "站点门口路灯不亮", version=None, by=staff)
    feedback.support(shown, WorkerFactory(area=tree.community_a))
    Event.objects.create(suggestion=hazard, task=task, kind=Event.Kind.TASK_ESCALATED, text="街道")
    SuggestionPhotoFactory(suggestion=SuggestionFactory(area=tree.community_b), hidden=True)
    feedback.mark_duplicate(
        SuggestionFactory(area=tree.community_a), hazard, version=None, by=staff, reply="已有人反映"
    )
    ResponseTemplate.objects.create(state="resolved", title="已办结", text="您好，已办结。")
    CalendarDay.objects.create(date=timezone.localdate(), name="元旦")
    key, _raw = apikeys.create_key("12345 热线", tree.district, by=administrator)
    key.save()

    # portal: a session and an audit row (a full record seen), an inbox message, permissions.
    client.force_login(staff)
    assert client.get(reverse("registry:worker_detail", args=[rider.pk])).status_code == 200
    notify(staff, "提醒", "有待办事项")
    group = Group.objects.create(name="数据管理员")
    permission = Permission.objects.get(codename="view_worker")
    group.permissions.add(permission)
    staff.groups.add(group)
    staff.user_permissions.add(permission)
    LogEntry.objects.create(
        user=administrator,
        content_type=ContentType.objects.get_for_model(Reward),
        object_id=str(reward.pk),
        object_repr=str(reward),
        action_flag=ADDITION,
    )

    # staff accounts: a texted second factor, a leaver disabled, the monthly review.
    TextMessageDevice.objects.create(user=handler, name="短信", confirmed=True)
    accounts.disable(handler, reason="调离", by=administrator)
    accounts.confirm_review(by=administrator, note="已核对")

    # exports: a large roster asked for, to be written in the background.
    ExportJob.objects.create(
        user=staff, kind="registry.workers", query="status=confirmed", filename="workers.xlsx"
    )

    # dashboard: the figures counted from all of the above.
    refresh_recent(1)


def connect(db, name: str):
    """A psycopg2 connection of its own to database `name` on the test database's server."""
    import psycopg2

    return psycopg2.connect(
        dbname=name, user=db["USER"], host=db["HOST"], port=db["PORT"], password=db["PASSWORD"]
    )


def contents(db, name: str) -> tuple[dict, dict]:
    """{table: (rows, md5 of the rows in a fixed order)} and {sequence: last value} of a database,
    read the same way from both so that the text of each row compares."""
    from psycopg2 import sql

    with connect(db, name) as conn, conn.cursor() as cursor:
        cursor.execute("SET TIME ZONE 'UTC'")
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        tables = {}
        for (table,) in sorted(cursor.fetchall()):
            cursor.execute(
                sql.SQL(
                    "SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' "
                    "ORDER BY t::text COLLATE \"C\"), '')) FROM {} AS t"
                ).format(sql.Identifier("public", table))
            )
            tables[table] = cursor.fetchone()
        cursor.execute(
            "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'"
        )
        sequences = dict(cursor.fetchall())
    conn.close()
    return tables, sequences


def run(*command, env=None):
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)  # noqa: S603
    assert result.returncode == 0, f"{command[0]} failed: {result.stderr}"
    return result


@pytest.fixture
def fresh_database():
    """An empty database beside the test one, dropped afterwards whatever happens."""
    db = connection.settings_dict
    name = f"{db['NAME']}_restore_{os.getpid()}"[:63]
    admin = connect(db, "postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'")
    yield name
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


@pytest.mark.django_db(transaction=True)
def test_a_dump_restored_into_a_fresh_database_holds_every_row(
    tree, client, staff_a, handler, administrator, media, eager_tasks, fresh_database, tmp_path
):
    fill(tree, client, staff_a, handler, administrator)
    db = connection.settings_dict
    ours = sorted(
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in OUR_APPS
    )
    before, sequences = contents(db, db["NAME"])
    empty = [table for table in ours if not before[table][0]]
    assert not empty, f"add rows for these tables to fill() in {__file__}: {empty}"
    # Every model's table is there to compare (introspection finds what the models declare).
    assert set(connection.introspection.django_table_names(include_views=False)) <= set(before)

    env = {**os.environ, "PGPASSWORD": db["PASSWORD"] or ""}
    # pg_dump and pg_restore set their sessions up: straight to PostgreSQL, never through a
    # pooler in transaction mode (tests.webprocess.direct_server).
    host, port = direct_server()
    where = ["--host", host, "--port", str(port), "--username", db["USER"]]
    dump = tmp_path / "portal.dump"
    started = time.monotonic()
    run("pg_dump", "--format=custom", "--file", str(dump), *where, db["NAME"], env=env)
    dumped = time.monotonic()
    run(
        "pg_restore",
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--jobs=4",
        "--dbname",
        fresh_database,
        *where,
        str(dump),
        env=env,
    )
    restored = time.monotonic()

    # The dump as SQL text: the sensitive values are not in it, the names (not encrypted) are.
    text = tmp_path / "portal.sql"
    run("pg_restore", "--data-only", "--file", str(text), str(dump), env=env)
    dumped_text = text.read_text()
    assert "王小明" in dumped_text
    found = [what for what, value in SENSITIVE.items() if value in dumped_text]
    assert not found, f"in plain text in the backup: {found}"

    after, restored_sequences = contents(db, fresh_database)
    assert sorted(after) == sorted(before)
    differ = {
        table: (before[table], after[table]) for table in before if before[table] != after[table]
    }
    assert not differ, f"tables whose rows differ after the restore: {differ}"
    assert restored_sequences == sequences  # new rows do not collide with restored ones

    # Every migration is recorded as applied there, as `manage.py migrate --check` would find.
    with connect(db, fresh_database) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations")
        applied = set(cursor.fetchall())
    conn.close()
    assert set(MigrationLoader(None).graph.nodes) <= applied

    # What the drill measured, shown with `pytest -rP` (docs/OPERATIONS.md, "A restore drill").
    print(
        f"restore drill: {len(before)} tables, {sum(rows for rows, _ in before.values())} rows, "
        f"dump {dump.stat().st_size // 1024} KiB; pg_dump {dumped - started:.2f} s, "
        f"pg_restore {restored - dumped:.2f} s"
    )
