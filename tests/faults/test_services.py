"""Faults of the real services under the real web process (tests/webprocess.py): gunicorn
started by bin/start-web (production settings, portal/gunicorn.conf.py, 2 workers × 2 threads) on
the test database and on a Redis of its own, which the tests stop and start again (the shared
Redis is never touched).

- Redis stopped: riders still file a suggestion and check in (signed in on their phone;
  registering needs a texted code, which fails closed: tests/faults/test_redis_down.py); a station
  added by staff is saved, its QR task's enqueue failure logged; Redis started again, the same
  web process enqueues again and the periodic sweep makes the codes that were missed.
- PostgreSQL drops the web process's connections (pg_terminate_backend on each of its backends,
  what a restart of PostgreSQL does to its clients; restarting the shared cluster would also cut
  the test runner's own connection): the next requests succeed without restarting gunicorn
  (CONN_HEALTH_CHECKS).

Every request that should succeed is counted in the figure (tests/faults/figure.py); a lost
request is one that answered 5xx or not at all.
"""

import re
import signal
import subprocess
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
import redis
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.urls import reverse

from feedback.models import Suggestion
from portal.privacy import mask_mobile
from registry.models import Worker
from registry.services import riders
from stations.models import Station, StationVisit
from stations.tasks import make_qr_codes, sweep_qr_codes
from tests.factories import StationFactory, WorkerFactory
from tests.stations.test_staff_pages import details
from tests.webprocess import Web, direct_url, free_port, staff_cookies, wait_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

APPLICATION_NAME = "portal-faults-web"


class PrivateRedis:
    """A redis-server of the tests' own, on a free port, kept in memory only."""

    def __init__(self, folder: Path):
        self.port = free_port()
        self.folder = folder
        self.process = None
        self.client = redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=2)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for(self.answers, 10, "the private Redis did not answer")

    def answers(self) -> bool:
        try:
            return self.client.ping()
        except redis.RedisError:
            return False

    def kill(self):
        """As when Redis crashes or is stopped: no goodbye to its clients."""
        self.process.kill()
        self.process.wait(timeout=10)

    def pause(self):
        """As when Redis hangs (a full disk, a swapping machine): connections stay open, and
        nothing answers."""
        self.process.send_signal(signal.SIGSTOP)

    def resume(self):
        self.process.send_signal(signal.SIGCONT)


class Browser:
    """A phone's browser, as far as the portal cares: cookies and the form's CSRF token."""

    def __init__(self, web: Web, figure, cookies=None):
        self.web = web
        self.figure = figure
        self.cookies = dict(cookies or {})
        self.token = ""

    def _send(self, label, method, path, fields=None):
        headers = {"Accept-Language": "zh-hans"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if fields is not None:
            body = urlencode({**fields, "csrfmiddlewaretoken": self.token}, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            status, response_headers, text = self.web.request(method, path, body, headers)
        except OSError:
            self.figure.request(f"{method} {label}", None, "gunicorn")
            raise
        self.figure.request(f"{method} {label}", status, "gunicorn")
        for header in response_headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        if found := re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text):
            self.token = found.group(1)
        return status, response_headers, text

    def get(self, label, path, expected=200):
        status, headers, text = self._send(label, "GET", path)
        assert status == expected, (label, status, text[:300])
        return headers, text

    def post(self, label, path, fields, expected=302, form=None):
        """GET the page with the form (`path` unless told; for its CSRF token), then POST."""
        self.get(label, form or path)
        status, headers, text = self._send(label, "POST", path, fields)
        assert status == expected, (label, status, text[:300])
        return headers, text


@pytest.fixture(scope="module")
def services(django_db_setup, tmp_path_factory):
    folder = tmp_path_factory.mktemp("faults")
    private = PrivateRedis(folder)
    private.start()
    # Straight to PostgreSQL, also when the tests go through PgBouncer: its server connections
    # are shared with the test process's own, which pg_terminate_backend would cut too.
    web = Web(
        folder,
        REDIS_URL=private.url,
        DATABASE_URL=direct_url(APPLICATION_NAME),
        DATABASE_POOLER="",
    )
    yield private, web
    web.stop()
    if private.process.poll() is None:
        private.kill()


@pytest.fixture
def redis_server(services):
    private, _web = services
    if not private.answers():
        private.start()
    return private


@pytest.fixture
def web(services, redis_server, settings):
    _private, web = services
    settings.MEDIA_ROOT = web.media  # the sweep, run here, writes where the web process reads
    return web


def staff_browser(web, figure, user) -> Browser:
    """Signed in as `user`."""
    return Browser(web, figure, staff_cookies(user))


def suggest(browser, tree, text, mobile=""):
    url = f"{reverse('feedback:suggest')}?community={tree.community_a.code}"
    fields = {"category": "hazard", "text": text, "name": "张三", "mobile": mobile}
    headers, _text = browser.post("suggestion", url, fields)
    browser.get("tracking page", headers["Location"])


def registration(tree, mobile):
    return {
        "name": "张三",
        "mobile": mobile,
        "occupation": "food_delivery",
        "platform": "meituan",
        "area": tree.community_a.pk,
        "political_status": "masses",
        "consent": "on",
    }


def register(browser, tree, mobile, web):
    """The form, then the code the console text backend printed to the web process's log."""
    url = f"{reverse('registry:register')}?community={tree.community_a.code}"
    browser.post("registration", url, registration(tree, mobile))
    texted = re.findall(rf"SMS to {re.escape(mask_mobile(mobile))}: \D*(\d{{6}})", web.logged())
    browser.post("registration code", reverse("registry:register_code"), {"code": texted[-1]})


def rider_browser(web, figure, worker) -> Browser:
    """Signed in as the rider `worker` on their phone: the session the texted code leaves."""
    session = SessionStore()
    session[riders.SESSION_KEY] = worker.pk
    session.save()
    return Browser(web, figure, {settings.SESSION_COOKIE_NAME: session.session_key})


def check_in(browser, station):
    """The signed-in rider's one tap (the 报到 button, here from the check-in page: the station's
    page shows its leaderboard, whose cached places need Redis)."""
    url = reverse("stations:check_in", args=[station.token])
    browser.post("check-in", url, {})


def test_with_redis_stopped_riders_file_register_and_check_in_and_the_sweep_catches_up(
    web, redis_server, tree, staff_a, figure
):
    rider, staff = Browser(web, figure), staff_browser(web, figure, staff_a)
    station = StationFactory(area=tree.community_a)
    make_qr_codes(station.pk)
    mobile = "13800138001"
    worker = WorkerFactory(mobile=mobile, area=tree.community_a)
    signed_in = rider_browser(web, figure, worker)
    suggest(rider, tree, "停电前的一条建议")  # the web process holds connections to Redis now

    redis_server.kill()
    figure.fault("Redis stopped", where="gunicorn")
    assert web.request("GET", "/healthz")[0] == 503  # the truth, for the load balancer's eyes
    suggest(rider, tree, "建设路口井盖缺失，晚上看不见", mobile=mobile)
    check_in(signed_in, station)
    added, _ = staff.post("station added", reverse("stations:add"), details(tree.community_a))

    assert Suggestion.objects.filter(mobile=mobile).count() == 1
    assert StationVisit.objects.filter(station=station, worker=worker).count() == 1
    new = Station.objects.exclude(pk=station.pk).get()
    assert added["Location"] == reverse("stations:detail", args=[new.pk])
    assert new.qr_token != new.token  # its task never reached the broker
    log = web.logged()
    assert f"could not enqueue stations.tasks.make_qr_codes({new.pk},)" in log
    assert re.search(r"rate limit suggest\S* not checked: Redis unreachable", log)
    assert mobile not in log

    redis_server.start()
    wait_for(web.healthy, 10, "the web process did not find Redis again")
    suggest(rider, tree, "恢复后的一条建议", mobile="13800138002")
    assert redis_server.client.keys("*ratelimit:suggest*")  # counted in Redis again
    detail = reverse("stations:detail", args=[new.pk])
    rotate = reverse("stations:rotate", args=[new.pk])
    staff.post("token replaced", rotate, {"confirm": "on"}, form=detail)
    new.refresh_from_db()
    assert new.qr_token != new.token
    assert redis_server.client.llen("heavy") == 1  # enqueued by the same web process
    assert web.logged().count("could not enqueue") == 1

    assert sweep_qr_codes.apply().get() == 1  # what beat runs every 10 minutes
    new.refresh_from_db()
    assert new.qr_token == new.token
    assert (web.media / new.qr_png.name).is_file() and (web.media / new.qr_svg.name).is_file()
    staff.get("QR code", reverse("stations:qr_png", args=[new.pk]))
    assert figure.lost == []


def test_with_redis_hung_a_suggestion_and_a_new_station_are_saved_within_seconds(
    web, redis_server, tree, staff_a, figure
):
    rider, staff = Browser(web, figure), staff_browser(web, figure, staff_a)
    suggest(rider, tree, "暂停前的一条建议")
    staff.get("stations list", reverse("stations:list"))
    redis_server.pause()
    figure.fault("Redis hung (SIGSTOP)", where="gunicorn")
    try:
        started = time.monotonic()
        suggest(rider, tree, "Redis 暂停时的一条建议")
        suggested = time.monotonic() - started
        started = time.monotonic()
        staff.post("station added", reverse("stations:add"), details(tree.community_a))
        added = time.monotonic() - started
    finally:
        redis_server.resume()
    assert Suggestion.objects.filter(text="Redis 暂停时的一条建议").exists()
    assert Station.objects.get().qr_token == ""
    assert "could not enqueue stations.tasks.make_qr_codes" in web.logged()
    # gunicorn would kill the worker at 30 s (GUNICORN_TIMEOUT), losing the request.
    assert suggested < 10 and added < 20, (suggested, added)
    figure.notes.append(
        f"gunicorn, Redis hung: a suggestion took {suggested:.1f} s, a new station {added:.1f} s"
    )
    assert figure.lost == []


def terminate_web_backends() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE application_name = %s AND datname = current_database()",
            [APPLICATION_NAME],
        )
        return cursor.fetchone()[0]


def test_after_postgres_drops_the_web_processes_connections_the_next_requests_succeed(
    web, tree, staff_a, figure
):
    rider, staff = Browser(web, figure), staff_browser(web, figure, staff_a)
    station = StationFactory(area=tree.community_a)
    backends = 0
    for round_ in range(3):
        # Enough requests that both workers' threads hold a connection (CONN_MAX_AGE).
        for _ in range(4):
            staff.get("stations list", reverse("stations:list"))
        dropped = terminate_web_backends()
        assert dropped >= 1
        figure.fault("all PostgreSQL connections of the web process terminated", where="gunicorn")
        backends += dropped
        mobile = f"1390013800{round_}"
        suggest(rider, tree, f"第{round_ + 1}次断开数据库后的建议", mobile=mobile)
        register(rider, tree, mobile, web)
        check_in(rider, station)  # signed in by the registration
        staff.get("stations list", reverse("stations:list"))
        staff.get("registration queue", reverse("registry:pending"))
        assert web.request("GET", "/healthz")[0] == 200
        assert Worker.objects.filter(mobile=mobile).exists()
    assert Suggestion.objects.count() == 3
    assert StationVisit.objects.filter(station=station).count() == 3
    figure.notes.append(f"gunicorn: {backends} PostgreSQL backends terminated in 3 rounds")
    assert figure.lost == []
