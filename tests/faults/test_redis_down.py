"""Redis unreachable, in this process: the cache points at a port nobody listens on (connections
refused, as after Redis stopped) and the broker refuses every task. What riders post still works;
what was to be enqueued is logged and found later by the sweeps; what cannot work without Redis
(text-message codes, and so registering) answers 503, not 500. tests/faults/test_services.py
does the same with a real Redis stopped under gunicorn."""

import logging
import re
import socket
from datetime import timedelta

import pytest
from django.contrib import auth
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnreachable

from feedback.models import Suggestion
from portal import background
from registry.models import ImportJob, Worker
from stations.models import Station, StationVisit
from stations.tasks import sweep_qr_codes
from tests.factories import StationFactory, WorkerFactory
from tests.registry.test_import import person, xlsx
from tests.riders import sign_in_rider
from tests.signin import verify_session
from tests.stations.test_staff_pages import details

pytestmark = pytest.mark.django_db

MOBILE = "13812345678"


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def redis_down(settings, figure):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
        }
    }
    figure.fault("Redis unreachable (in-process)")


class BrokerDown:
    """Every task sent fails as Celery fails with Redis down, until undo()."""

    def __init__(self):
        self.apply_async = background.Task.apply_async
        background.Task.apply_async = self.refuse

    @staticmethod
    def refuse(task, *args, **kwargs):
        raise BrokerUnreachable("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    def undo(self):
        background.Task.apply_async = self.apply_async


@pytest.fixture
def broker_down(eager_tasks):
    down = BrokerDown()
    yield down
    down.undo()


@pytest.fixture
def warnings(caplog):
    caplog.set_level(logging.WARNING)
    return caplog


def signed_in(client, user):
    """The session a whole sign-in leaves (force_login's, without its signal to axes)."""
    session = client.session
    session[auth.SESSION_KEY] = str(user.pk)
    session[auth.BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[auth.HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    verify_session(client, user)


def posted(figure, label, response, expected=302):
    figure.request(label, response.status_code)
    assert response.status_code == expected, response.content[:500]
    return response


def unchecked(limit: str, log: str) -> bool:
    """Whether the log says the rate limit (any of `limit`'s, e.g. suggest:address) was let be."""
    return bool(re.search(rf"rate limit {limit}\S* not checked: Redis unreachable", log))


def test_rate_limits_fail_open_and_log_the_limit_but_not_its_key(client, redis_down, warnings):
    for _ in range(40):  # past the limit of unknown tracking codes, were it counted
        response = client.get(reverse("feedback:track", args=["ABCDEFGHJK"]))
        assert response.status_code == 404
    assert unchecked("track-miss", warnings.text)
    assert "127.0.0.1" not in warnings.text


def test_a_rider_files_a_suggestion_registers_and_checks_in(
    client, tree, media, redis_down, figure, warnings
):
    url = reverse("feedback:suggest") + f"?community={tree.community_a.code}"
    data = {"category": "hazard", "text": "建设路口井盖缺失", "mobile": MOBILE, "name": "张三"}
    response = posted(figure, "suggestion", client.post(url, data))
    suggestion = Suggestion.objects.get()
    track = reverse("feedback:track", args=[suggestion.tracking_code])
    assert response["Location"] == f"{track}?filed=1"
    assert posted(figure, "tracking page", client.get(response["Location"]), 200)

    registration = {
        "name": "张三",
        "mobile": MOBILE,
        "occupation": "food_delivery",
        "platform": "meituan",
        "area": tree.community_a.pk,
        "political_status": "masses",
        "consent": "on",
    }
    # Registering needs its texted code, which lives in Redis: it fails closed, and says so.
    assert client.post(reverse("registry:register"), registration).status_code == 503
    assert not Worker.objects.filter(mobile=MOBILE).exists()
    worker = WorkerFactory(mobile=MOBILE, area=tree.community_a)  # registered before Redis left

    # A rider signed in on their phone (the session is in the database) checks in with a tap.
    station = StationFactory(area=tree.community_a)
    check_in = reverse("stations:check_in", args=[station.token])
    posted(figure, "check-in", sign_in_rider(client, worker).post(check_in))
    assert StationVisit.objects.filter(station=station, worker__mobile=MOBILE).count() == 1

    assert unchecked("suggest", warnings.text) and unchecked("check-in", warnings.text)
    assert MOBILE not in warnings.text


def test_a_station_added_while_the_broker_is_down_gets_its_codes_from_the_sweep(
    client, tree, staff_a, media, broker_down, figure, warnings, django_capture_on_commit_callbacks
):
    figure.fault("broker unreachable (in-process)")
    signed_in(client, staff_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("stations:add"), details(tree.community_a))
    posted(figure, "station added", response)
    station = Station.objects.get()
    assert station.qr_token != station.token
    assert f"could not enqueue stations.tasks.make_qr_codes({station.pk},)" in warnings.text

    broker_down.undo()
    assert sweep_qr_codes.apply().get() == 1
    station.refresh_from_db()
    assert station.qr_token == station.token
    assert station.qr_png.storage.exists(station.qr_png.name)
    assert sweep_qr_codes.apply().get() == 0


def test_a_survey_list_uploaded_while_the_broker_is_down_is_read_by_the_sweep(
    client, tree, staff_a, media, broker_down, figure, warnings, django_capture_on_commit_callbacks
):
    from registry.tasks import sweep_imports

    figure.fault("broker unreachable (in-process)")
    signed_in(client, staff_a)
    upload = SimpleUploadedFile("survey.xlsx", xlsx(person(), person(mobile="13900000012")))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("registry:import_start"), {"file": upload, "consent": "on"})
    posted(figure, "survey list uploaded", response)
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.QUEUED
    assert "could not enqueue registry.tasks.read_import" in warnings.text

    broker_down.undo()
    assert sweep_imports.apply().get() == 0  # just uploaded: its task may still be coming
    ImportJob.objects.update(created_at=timezone.now() - timedelta(minutes=11))
    assert sweep_imports.apply().get() == 1
    job.refresh_from_db()
    assert (job.status, job.valid_rows) == (ImportJob.Status.READ, 2)
    assert sweep_imports.apply().get() == 0


def test_a_code_cannot_be_sent_without_redis_so_sign_in_says_try_again_with_503(
    client, tree, redis_down, figure, warnings
):
    response = client.post(reverse("registry:sign_in"), {"mobile": MOBILE})
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert "稍后再试" in response.text
    assert "registry:sign_in: Redis unreachable (ConnectionError), answered 503" in warnings.text
    assert MOBILE not in warnings.text


def test_staff_sign_in_with_their_password_while_redis_is_down(client, staff_a, redis_down, figure):
    from tests.factories import PASSWORD

    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    posted(figure, "staff login", response)
    assert response["Location"] == reverse("staff_home")
