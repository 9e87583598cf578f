"""Named personas over a small area tree, built once per test.

city 商丘市
├── district 梁园区 ── street 平原街道 ── community A 建设路社区, community B 平原路社区
└── district 睢阳区 ── street 文化街道 ── community C 文化路社区
"""

import importlib
import os
import time
from dataclasses import dataclass

import pytest
from django.urls import resolve, reverse

from portal.models import Area, AreaLevel, ExportJob, Role
from tests.exports import rows_of
from tests.factories import (
    AreaFactory,
    DepartmentFactory,
    EnterpriseFactory,
    StationFactory,
    SuggestionFactory,
    UserFactory,
    WorkerFactory,
)
from tests.riders import sign_in_rider


@dataclass
class Tree:
    city: Area
    district: Area
    street: Area
    community_a: Area
    community_b: Area
    other_district: Area
    other_street: Area
    community_c: Area


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def forced_logins_pass_the_second_factor(request, monkeypatch):
    """`client.force_login(user)` stands for a whole staff sign-in, password and second factor:
    the user gets a confirmed authenticator (tests.signin.authenticator) and the session is
    verified by it, as django-otp's own tests do. A test of the sign-in itself marks itself
    `password_only` to get the session the password step alone leaves."""
    if request.node.get_closest_marker("password_only"):
        return
    from django.test import Client

    from tests.signin import verify_session

    password_only = Client.force_login

    def force_login(self, user, backend=None):
        password_only(self, user, backend)
        verify_session(self, user)

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture(autouse=True)
def empty_cache():
    """Rate-limit counters and one-time codes live in the cache: each test starts without any."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def texts(settings):
    """The text messages sent during the test, as (mobile, text)."""
    from tests import sms

    settings.SMS_BACKEND = "tests.sms.RecordingBackend"
    sms.outbox.clear()
    return sms.outbox


@pytest.fixture
def limit(settings):
    """Set one of settings.RATE_LIMITS for the test: limit("suggest:address", 2)."""

    def set_limit(name, attempts, seconds=3600):
        assert name in settings.RATE_LIMITS
        settings.RATE_LIMITS = {**settings.RATE_LIMITS, name: (attempts, seconds)}

    return set_limit


@pytest.fixture
def clock(monkeypatch, settings):
    """The time the cache and whatever reads time.time() see, moved on by calling it with
    seconds; it starts on the hour (fixed windows of an hour do not roll over mid-test). The
    cache is a local-memory one, also on CI's Redis pass, whose expiry runs on Redis's clock."""
    from django.core.cache import cache

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    now = [1_800_000_000.0]
    monkeypatch.setattr(time, "time", lambda: now[0])

    def advance(seconds):
        now[0] += seconds

    return advance


@pytest.fixture(autouse=True)
def services_are_configured(request):
    """Tests marked `services` fail, never skip, when PostgreSQL and Redis are not configured."""
    if request.node.get_closest_marker("services"):
        if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
            pytest.fail("this test needs DATABASE_URL pointing at PostgreSQL")
        if not os.environ.get("REDIS_URL"):
            pytest.fail("this test needs REDIS_URL pointing at Redis")


@pytest.fixture
def tree(db):
    city = AreaFactory(code="411400", name="商丘市", level=AreaLevel.CITY)
    district = AreaFactory(code="411402", name="梁园区", level=AreaLevel.DISTRICT, parent=city)
    street = AreaFactory(code="411402001", name="平原街道", level=AreaLevel.STREET, parent=district)
    other_district = AreaFactory(
        code="411403", name="睢阳区", level=AreaLevel.DISTRICT, parent=city
    )
    other_street = AreaFactory(
        code="411403001", name="文化街道", level=AreaLevel.STREET, parent=other_district
    )
    return Tree(
        city=city,
        district=district,
        street=street,
        community_a=AreaFactory(
            code="411402001001", name="建设路社区", level=AreaLevel.COMMUNITY, parent=street
        ),
        community_b=AreaFactory(
            code="411402001002", name="平原路社区", level=AreaLevel.COMMUNITY, parent=street
        ),
        other_district=other_district,
        other_street=other_street,
        community_c=AreaFactory(
            code="411403001001", name="文化路社区", level=AreaLevel.COMMUNITY, parent=other_street
        ),
    )


@pytest.fixture
def staff_a(tree):
    """Community staff of community A."""
    return UserFactory(
        username="alice", name="张敏", role=Role.COMMUNITY_STAFF, area=tree.community_a
    )


@pytest.fixture
def staff_b(tree):
    """Community staff of community B, A's sibling."""
    return UserFactory(
        username="bob", name="李娜", role=Role.COMMUNITY_STAFF, area=tree.community_b
    )


@pytest.fixture
def handler(tree):
    """A department handler in the district."""
    return UserFactory(
        username="hank", name="王强", role=Role.DEPARTMENT_HANDLER, area=tree.district
    )


@pytest.fixture
def department_x(tree, handler):
    """The district's market-regulation bureau; hank handles its tasks."""
    return DepartmentFactory(name="梁园区市场监管局", area=tree.district, handlers=[handler])


@pytest.fixture
def department_y(tree):
    """The district's traffic police, with a handler of its own (harry)."""
    harry = UserFactory(
        username="harry", name="赵刚", role=Role.DEPARTMENT_HANDLER, area=tree.district
    )
    return DepartmentFactory(name="梁园区交警大队", area=tree.district, handlers=[harry])


@pytest.fixture
def suggestion_a(tree):
    """A suggestion from community A waiting for assessment."""
    return SuggestionFactory(area=tree.community_a, text="建设路口晚上没有路灯，送餐不安全")


@pytest.fixture
def suggestion_c(tree):
    """A suggestion from community C, in the other district."""
    return SuggestionFactory(area=tree.community_c, text="文化路驿站饮水机坏了")


@pytest.fixture
def official(tree):
    """A district official of 梁园区."""
    return UserFactory(username="olivia", name="刘洋", role=Role.OFFICIAL, area=tree.district)


@pytest.fixture
def administrator(tree):
    return UserFactory(
        username="root",
        name="管理员",
        role=Role.ADMINISTRATOR,
        area=None,
        is_staff=True,
        is_superuser=True,
    )


@pytest.fixture
def rider(tree):
    """A confirmed rider of community A."""
    return WorkerFactory(
        name="孙丽", mobile="13800000009", area=tree.community_a, status="confirmed"
    )


@pytest.fixture
def rider_client(client, rider):
    """A client signed in as `rider` (what the code step leaves in the session)."""
    return sign_in_rider(client, rider)


@pytest.fixture
def worker_a(tree):
    """A pending self-registration in community A."""
    return WorkerFactory(name="张三", mobile="13800000001", area=tree.community_a)


@pytest.fixture
def worker_c(tree):
    """A pending self-registration in community C, in the other district."""
    return WorkerFactory(name="李四", mobile="13800000003", area=tree.community_c)


@pytest.fixture
def enterprise_a(tree):
    """A Meituan station in community A."""
    return EnterpriseFactory(name="美团建设路站", area=tree.community_a)


@pytest.fixture
def eager_tasks(monkeypatch):
    """Celery tasks run in the test's process, also on CI's pass with a Redis broker."""
    from portal.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", True)


@pytest.fixture
def media(settings, tmp_path):
    """Uploaded and generated files go to a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Tasks sent after commit run (the test's own transaction never commits)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def in_background(settings, media, eager_tasks, on_commit):
    """An export of more than one row becomes a job (portal.exports):
    `in_background(client, url_name, **query)` asks for it, its task writes the file there and
    then, and it gives the job and the rows of the file the client downloads."""
    settings.EXPORT_BACKGROUND_ROWS = 1

    def export(client, url_name, **query):
        with on_commit():
            response = client.get(reverse(url_name), query)
        assert response.status_code == 302
        page = resolve(response["Location"])
        assert page.url_name == "export_job"
        job = ExportJob.objects.get(pk=page.kwargs["pk"])
        assert job.status == ExportJob.Status.DONE
        return job, rows_of(client.get(reverse("export_download", args=[job.pk])))

    return export


@pytest.fixture
def station_a(tree, media):
    """A warm-heart station in community A, open 24 hours, with its QR codes made."""
    from stations.tasks import make_qr_codes

    station = StationFactory(name="建设路暖心驿站", area=tree.community_a)
    make_qr_codes(station.pk)
    station.refresh_from_db()
    return station


@pytest.fixture
def star_levels(db):
    """The star levels migration points/0011 seeds, made again: a transactional test before this
    one in the same process empties every table, and its flush does not re-run data migrations."""
    from django.apps import apps

    importlib.import_module("points.migrations.0011_star_levels").seed(apps, None)
