"""Two web hosts behind nginx, as the only way in: two gunicorns started by bin/start-web, each with
a MEDIA_ROOT of its own and its own client of the shared Redis (cache, sessions' neighbours, rate
limits, broker), both on the test database and on the object store (SeaweedFS: TEST_S3_URL), a
Celery worker and beat, and nginx (Debian's package; bench/proxy.py starts a master of the test's
own) taking them in turn. Every request goes through nginx and answers wherever it lands: a rider
registers with a texted code, checks in and files a suggestion with a photo; staff see the photo,
upload a survey list the worker reads and saves, and export the roster; beat sends the QR sweep
and the worker makes the codes. Both hosts answered requests (nginx's X-Upstream says which), and
neither wrote a file to its own disk.
"""

import os
import re
import signal
import subprocess
import sys
from collections import Counter
from io import BytesIO

import pytest
from django.urls import reverse
from django_celery_beat.models import IntervalSchedule, PeriodicTask
from openpyxl import load_workbook

from bench.proxy import Nginx
from feedback.models import PhotoState, SuggestionPhoto
from portal.privacy import mask_mobile
from registry.models import ImportJob, Worker
from stations.models import StationVisit
from tests.factories import StationFactory
from tests.portal.test_object_store import (
    Session,
    Store,
    files_on_disk,
    import_reaches,
    jpeg,
    make_buckets,
    survey_list,
)
from tests.webprocess import (
    ROOT,
    CeleryWorker,
    Web,
    production_environment,
    staff_cookies,
    wait_for,
)

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


class Entry:
    """nginx as a browser reaches it, counting which host gave each answer."""

    def __init__(self, nginx: Nginx):
        self.nginx = nginx
        self.served = Counter()

    def request_bytes(self, method, path, body=None, headers=None):
        status, response_headers, content = self.nginx.request_bytes(method, path, body, headers)
        self.served[response_headers["X-Upstream"]] += 1
        return status, response_headers, content


class Beat:
    """`celery --app portal beat` as docker-compose's beat service runs it (django_celery_beat's
    database scheduler), in a process group of its own, its log in a file."""

    def __init__(self, folder, **environment):
        self.log_path = folder / "beat.log"
        self.log = self.log_path.open("w")
        self.process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "celery", "--app", "portal", "beat", "--loglevel", "INFO",
             "--max-interval", "1"],
            cwd=ROOT,
            env=production_environment(folder, "portal-test-beat", **environment),
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip

    def stop(self):
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=30)
        self.log.close()


@pytest.fixture(scope="module")
def hosts(django_db_setup, tmp_path_factory):
    url = os.environ.get("TEST_S3_URL", "")
    if not url:
        pytest.fail("these tests need TEST_S3_URL pointing at an S3 server (.ci/run starts one)")
    store = Store(url)
    one, two = tmp_path_factory.mktemp("host-one"), tmp_path_factory.mktemp("host-two")
    worker_host = tmp_path_factory.mktemp("worker")
    made = make_buckets(store, one)
    assert made.returncode == 0, made.stdout + made.stderr
    # nginx is the one proxy in front: the hosts believe its X-Forwarded-For.
    environment = {**store.environment(), "PROXY_COUNT": "1"}
    started = []
    try:
        webs = [
            Web(one, application_name="portal-host-one", **environment),
            Web(two, application_name="portal-host-two", **environment),
        ]
        started += webs
        worker = CeleryWorker(worker_host, **environment)
        started.append(worker)
        nginx = Nginx(tmp_path_factory.mktemp("nginx"), [web.port for web in webs])
        started.append(nginx)
        yield store, webs, worker, nginx
    finally:
        for process in reversed(started):
            process.stop()
        store.remove()


def texted_code(webs, mobile) -> str:
    """The code the console text backend printed, in the log of whichever host sent it."""
    pattern = rf"SMS to {re.escape(mask_mobile(mobile))}: \D*(\d{{6}})"
    return re.findall(pattern, "".join(web.logged() for web in webs))[-1]


def test_every_journey_works_through_nginx_whichever_host_answers(hosts, tree, staff_a, tmp_path):
    store, webs, worker, nginx = hosts
    entry = Entry(nginx)
    station = StationFactory(name="建设路暖心驿站", area=tree.community_a)

    # A rider registers: the form on one host, the texted code perhaps on the other.
    rider, mobile = Session(entry), "13800138031"
    status, headers, _ = rider.post(
        f"{reverse('registry:register')}?community={tree.community_a.code}",
        {
            "name": "张三",
            "mobile": mobile,
            "occupation": "food_delivery",
            "platform": "meituan",
            "area": tree.community_a.pk,
            "political_status": "masses",
            "consent": "on",
        },
    )
    assert status == 302, headers
    status, headers, _ = rider.post(
        reverse("registry:register_code"), {"code": texted_code(webs, mobile)}
    )
    assert status == 302, headers
    assert Worker.objects.filter(mobile=mobile).exists()

    # … checks in at the station, signed in by the registration, on whichever host answers …
    status, headers, _ = rider.post(reverse("stations:check_in", args=[station.token]), {})
    assert status == 302, headers
    assert StationVisit.objects.filter(station=station, worker__mobile=mobile).count() == 1
    status, _, page = rider.get(headers["Location"])
    assert status == 200 and station.name in page.decode()

    # … and files a hazard with a photo; its tracking page answers from either host.
    status, headers, _ = rider.post(
        reverse("feedback:station_suggest", args=[station.token]),
        {"category": "hazard", "text": "建设路口井盖缺失，晚上看不见"},
        {"photos": ("IMG_0001.jpg", jpeg(), "image/jpeg")},
    )
    assert status == 302, headers
    tracking = headers["Location"]
    for _ in range(2):
        assert rider.get(tracking)[0] == 200
    # The photo is stored as uploaded and processed by the worker (feedback.services.photos).
    photo = wait_for(
        lambda: SuggestionPhoto.objects.filter(
            suggestion__station=station, state=PhotoState.READY
        ).first(),
        60,
        "the worker processed the photo",
    )
    assert {photo.image.name, photo.thumbnail.name} <= set(store.names(store.bucket))

    # Staff see the photo, streamed from the store by whichever host answers.
    staff = Session(entry, staff_cookies(staff_a))
    for _ in range(4):
        status, headers, content = staff.get(reverse("feedback:photo", args=[photo.image_file]))
        assert status == 200 and headers["Content-Type"] == "image/jpeg"
        assert content == store.read(store.bucket, photo.image.name)

    # Staff upload a survey list; the worker reads it and, once confirmed, saves it.
    status, headers, _ = staff.post(
        reverse("registry:import_start"),
        {"consent": "on"},
        {"file": ("数据摸排清单.xlsx", survey_list("13900000031", "13900000032"), "x/y")},
    )
    assert status == 302, headers
    job = ImportJob.objects.get()

    import_reaches(job, ImportJob.Status.READ, worker, "the worker read the list")
    status, _, page = staff.get(reverse("registry:import_job", args=[job.pk]))
    assert status == 200
    status, _, _ = staff.post(
        reverse("registry:import_commit", args=[job.pk]),
        {},
        form=reverse("registry:import_job", args=[job.pk]),
    )
    assert status == 302
    import_reaches(job, ImportJob.Status.DONE, worker, "the worker saved the list")

    # Staff export the roster: the rider and the list's two workers.
    status, _, content = staff.get(reverse("registry:workers_export"))
    assert status == 200
    sheet = load_workbook(BytesIO(content), read_only=True).active
    exported = {row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert {mobile, "13900000031", "13900000032"} <= exported, exported

    # Beat sends the QR sweep (every second here, instead of 10 minutes); the worker makes the
    # station's codes on the store, and staff read them through either host.
    PeriodicTask.objects.create(
        name="QR sweep, every second",
        task="stations.tasks.sweep_qr_codes",
        interval=IntervalSchedule.objects.create(every=1, period=IntervalSchedule.SECONDS),
    )
    assert station.qr_token != station.token
    beat = Beat(tmp_path, **store.environment())
    try:

        def made():
            station.refresh_from_db()
            return station.qr_token == station.token

        wait_for(made, 60, f"no QR codes; see {worker.log_path} and {beat.log_path}")
    finally:
        beat.stop()
    assert "Sending due task QR sweep, every second" in beat.log_path.read_text()
    assert {station.qr_png.name, station.qr_svg.name} <= set(store.names(store.public_bucket))
    for _ in range(2):
        status, _, content = staff.get(reverse("stations:qr_png", args=[station.pk]))
        assert status == 200 and content.startswith(b"\x89PNG")

    # Both hosts answered, about half each, and neither kept a file on its own disk.
    assert set(entry.served) == {f"127.0.0.1:{web.port}" for web in webs}, entry.served
    assert min(entry.served.values()) >= sum(entry.served.values()) // 3, entry.served
    assert not files_on_disk(*webs, worker)
    assert "[error]" not in nginx.logged()
