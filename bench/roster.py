"""The workers roster and its Excel export over a province's worth of workers.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench .venv/bin/python -m bench.roster

Fills the database with `seed_demo --workers N` (a second run only tops up), starts the real web
server (bin/start-web: gunicorn with production settings, DEBUG off) with a bare Django view beside
the portal (bench/urls.py), and measures on that one server, in one run:

- the bare view and the workers roster as a city official (the whole city) and as a community's
  staff member: unfiltered, filtered, searched and deep in the pages, one request of each after
  the other, so the machine's noise falls on all alike; median, p95, and median over the bare view;
- the Excel export of about 100,000 rows: the time to download it and the peak memory of the
  gunicorn worker that served it.

It prints Markdown tables for docs/BENCHMARKS.md. The registry issue's targets: the roster within
150 ms at the median; the 100,000-row export in under 60 s with a peak under 300 MB.
"""

import argparse
import http.client
import os
import platform
import re
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import date
from math import ceil
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
BARE = "/bench/bare/"
ROSTER = "/staff/registry/workers/"
EXPORT = "/staff/registry/workers/export.xlsx"
# seed_demo's staff: a city official sees the whole city, zhangmin her community (建设路社区).
USERS = {"city official": "chenjing", "community staff": "zhangmin"}
CASES = {
    "unfiltered": {},
    "filtered: occupation + status": {"occupation": "food_delivery", "status": "confirmed"},
    "searched: pinyin initials": {"q": "zw"},
    "searched: mobile's last 4 digits": {"q": "5678"},
    "page 200": {"page": "200"},
}
TARGET_PAGE_MS = 150
TARGET_EXPORT_S = 60
TARGET_EXPORT_MB = 300

# What the server runs with: production settings (DEBUG off, hashed static files) on the
# loopback, where plain http stands in for the proxy's https.
SERVER_ENVIRONMENT = {
    "DJANGO_SETTINGS_MODULE": "bench.settings",
    "DJANGO_ENV": "production",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "127.0.0.1",
    "SECURE_SSL_REDIRECT": "false",
    # The scratch databases' keys: the ones set (to time a rotation), else fixed ones, so that
    # a database filled by one run is read by the next.
    "FIELD_ENCRYPTION_KEYS": os.environ.get(
        "FIELD_ENCRYPTION_KEYS", "n9tKrwH3oD0XL9vJ1h6zYtQ0m4bq7y5aCk8eP2sRf3w="
    ),
    "FIELD_HASH_KEY": os.environ.get("FIELD_HASH_KEY", "bench-only-id-number-hash-key"),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=1_000_000, help="synthetic workers")
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=3, help="untimed rounds first")
    parser.add_argument("--export-rows", type=int, default=100_000)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()

    os.environ.update(SERVER_ENVIRONMENT)
    import django

    django.setup()
    filled = fill(args.workers)
    cookies = {label: session_cookie(username) for label, username in USERS.items()}
    export_from = export_day(args.export_rows)
    with web_server(args.port) as server:
        pages = time_pages(server, cookies, args.requests, args.warmup)
        export = time_export(server, cookies["city official"], export_from)
    print(report(args, filled, pages, export))


# ---------------------------------------------------------------------------------------------
# The database


def fill(workers: int) -> str:
    from io import StringIO

    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("Point DATABASE_URL at a scratch PostgreSQL database: the benchmark fills it.")
    call_command("migrate", interactive=False, verbosity=0)
    out = StringIO()
    started = time.perf_counter()
    call_command("seed_demo", workers=workers, stdout=out)
    took = time.perf_counter() - started
    with connection.cursor() as cursor:
        # What autovacuum would have done by now on a live database: planner statistics and
        # the visibility map that index-only scans need.
        cursor.execute("VACUUM ANALYZE")
    synthetic = re.search(r"Synthetic workers: (.*)\.", out.getvalue()).group(1)
    return f"Synthetic workers: {synthetic}, filled in {took:.0f} s"


def session_cookie(username: str) -> str:
    """A signed-in session for a staff member, as both steps of the sign-in leave it: the
    password (one the member chose, so no change is asked for) and the second factor (a
    confirmed authenticator, made here for the bench)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from portal.models import User

    user = User.objects.get(username=username)
    if user.password_changed_at is None:
        User.objects.filter(pk=user.pk).update(password_changed_at=timezone.now())
    device, _created = TOTPDevice.objects.get_or_create(
        user=user, name="bench", defaults={"confirmed": True}
    )
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def export_day(rows: int) -> date:
    """The `registered_after` day from which the city's current workers number about `rows`."""
    from django.utils import timezone

    from registry.models import Worker, WorkerStatus

    newest_first = (
        Worker.objects.exclude(status=WorkerStatus.LEFT)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
    )
    return timezone.localdate(newest_first[rows - 1])


def machine() -> str:
    import django
    from django.db import connection

    cpu = re.search(r"model name\s*: (.*)", Path("/proc/cpuinfo").read_text())
    memory = int(re.search(r"MemTotal:\s*(\d+)", Path("/proc/meminfo").read_text()).group(1))
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0].split()[0]
    return (
        f"{os.cpu_count()} cores ({cpu.group(1) if cpu else platform.machine()}), "
        f"{memory / 2**20:.0f} GB RAM; PostgreSQL {postgres} on the same machine; "
        f"Python {platform.python_version()}, Django {django.get_version()}"
    )


# ---------------------------------------------------------------------------------------------
# The server


@dataclass
class Server:
    port: int
    pid: int
    log: str

    def workers(self) -> list[int]:
        """gunicorn's worker processes: the children of the master."""
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError):
                continue
            if parent == self.pid:
                children.append(int(stat.parent.name))
        return children


@contextmanager
def celery_worker(log: Path, concurrency: int = 1, **overrides):
    """A Celery worker of every queue (a solo pool for one process), stopped afterwards; its
    output in `log`. `overrides` add to or replace this process's environment."""
    pool = ["--pool", "solo"] if concurrency == 1 else ["--concurrency", str(concurrency)]
    with log.open("w") as output:
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "celery", "--app", "portal", "worker", *pool, "--loglevel",
             "WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=ROOT,
            env={**os.environ, **overrides},
            stdout=output,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            yield process
        finally:
            process.terminate()
            process.wait(timeout=60)


@contextmanager
def web_server(port: int, **overrides):
    """bin/start-web as deployed (migrate, collectstatic, gunicorn), stopped afterwards; its log
    is kept only when something went wrong. `overrides` add to or replace this process's
    environment (a host's own MEDIA_ROOT)."""
    log = tempfile.NamedTemporaryFile(prefix="bench-web-", suffix=".log", delete=False)  # noqa: SIM115
    environment = {
        **os.environ,
        **overrides,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    process = subprocess.Popen(  # noqa: S603
        [str(ROOT / "bin" / "start-web")],
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    server = Server(port, process.pid, log.name)
    succeeded = False
    try:
        for _ in range(120):
            if process.poll() is not None:
                sys.exit(f"The web server stopped; see {log.name}")
            try:
                get(server, BARE)
                break
            except OSError:
                time.sleep(0.5)
        else:
            sys.exit(f"The web server did not answer within a minute; see {log.name}")
        yield server
        succeeded = True
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)
        if succeeded:
            os.unlink(log.name)


@dataclass
class Response:
    seconds: float
    first_byte: float
    body: bytes = b""
    size: int = 0


def get(server: Server, path: str, cookie: str = "", sink=None) -> Response:
    """One GET on a fresh connection, read to the end; into `sink` if given."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=600)
    started = time.perf_counter()
    try:
        connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = connection.getresponse()
        first_byte = time.perf_counter() - started
        if response.status != 200:
            sys.exit(f"GET {path} answered {response.status}; see {server.log}")
        if sink is None:
            body = response.read()
            return Response(time.perf_counter() - started, first_byte, body, len(body))
        size = 0
        while chunk := response.read(1 << 16):
            sink.write(chunk)
            size += len(chunk)
        return Response(time.perf_counter() - started, first_byte, size=size)
    finally:
        connection.close()


# ---------------------------------------------------------------------------------------------
# Measurements


@dataclass
class Page:
    name: str
    who: str
    path: str
    cookie: str = ""
    seconds: list[float] = field(default_factory=list)
    matches: str = ""

    @property
    def median_ms(self) -> float:
        return statistics.median(self.seconds) * 1000

    @property
    def p95_ms(self) -> float:
        return nearest_rank(sorted(self.seconds), 0.95) * 1000


def nearest_rank(ordered: list[float], share: float) -> float:
    """The percentile `share` (0.95 for p95) of sorted values, by nearest rank."""
    return ordered[max(ceil(share * len(ordered)) - 1, 0)]


def time_pages(server: Server, cookies: dict, requests: int, warmup: int) -> list[Page]:
    pages = [Page("bare Django view", "—", BARE)]
    for who, cookie in cookies.items():
        for name, params in CASES.items():
            path = f"{ROSTER}?{urlencode(params)}" if params else ROSTER
            pages.append(Page(name, who, path, cookie))
    for round_ in range(warmup + requests):
        for page in pages:  # round after round, so noise spreads over all pages alike
            response = get(server, page.path, page.cookie)
            if round_ >= warmup:
                page.seconds.append(response.seconds)
            elif page.path != BARE:
                page.matches = matches(response.body)
    return pages


def matches(body: bytes) -> str:
    """The roster's count and the rows on the page, from the HTML: `125000 (50 shown)`."""
    total = re.search(rb'fs-6">\D*(\d+)', body)
    shown = body.count(b"<tr>") - 1  # less the header row
    return f"{int(total.group(1)) if total else 0} ({max(shown, 0)} shown)"


@dataclass
class Export:
    path: str
    rows: int
    seconds: float
    first_byte: float
    megabytes: float
    peak_mb: float
    before_mb: float


def time_export(server: Server, cookie: str, registered_after: date) -> Export:
    path = f"{EXPORT}?{urlencode({'registered_after': registered_after.isoformat()})}"
    workers = server.workers()
    before = max(_memory_kb(pid, "VmRSS") for pid in workers)
    for pid in workers:
        # Restart each worker's high-water mark (Linux clear_refs 5), so VmHWM afterwards is the
        # peak during the export; sampling VmRSS backs it up where that is not allowed.
        with suppress(OSError):
            Path(f"/proc/{pid}/clear_refs").write_text("5")
    sampled = [0]
    done = threading.Event()

    def sample():
        while not done.wait(0.02):
            sampled[0] = max([sampled[0], *(_memory_kb(pid, "VmRSS") for pid in workers)])

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    with tempfile.TemporaryFile() as sink:
        response = get(server, path, cookie, sink=sink)
        done.set()
        sampler.join()
        rows = _xlsx_rows(sink)
    peak = max(sampled[0], *(_memory_kb(pid, "VmHWM") for pid in workers))
    return Export(
        path,
        rows,
        response.seconds,
        response.first_byte,
        response.size / 2**20,
        peak / 1024,
        before / 1024,
    )


def _memory_kb(pid: int, key: str) -> int:
    """VmRSS (now) or VmHWM (peak) of a process, in kB; 0 once it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    found = re.search(rf"^{key}:\s*(\d+) kB", status, re.MULTILINE)
    return int(found.group(1)) if found else 0


def _xlsx_rows(file) -> int:
    """Data rows in the workbook's first sheet, counted in its XML without loading it."""
    file.seek(0)
    with zipfile.ZipFile(file) as workbook:
        sheet = next(name for name in workbook.namelist() if name.startswith("xl/worksheets/"))
        count, tail = 0, b""
        with workbook.open(sheet) as xml:
            while chunk := xml.read(1 << 20):
                count += (tail + chunk).count(b"<row ")
                tail = chunk[-4:]
    return count - 1  # less the header


# ---------------------------------------------------------------------------------------------
# The report


def report(args, filled: str, pages: list[Page], export: Export) -> str:
    bare = pages[0].median_ms
    threads = os.environ.get("GUNICORN_THREADS", "2")
    lines = [
        f"Run on {date.today().isoformat()}: {machine()}.",
        f"gunicorn {os.environ.get('WEB_CONCURRENCY', '3')} workers × {threads} threads "
        f"(portal/gunicorn.conf.py), production settings. {filled}.",
        f"{args.requests} timed requests per page after {args.warmup} warm-up rounds, "
        "pages interleaved round by round; times are client-side, full response read.",
        "",
        "| page | as | workers matching (rows shown) | median ms | p95 ms | median ÷ bare | "
        f"target ≤ {TARGET_PAGE_MS} ms |",
        "|---|---|---|---:|---:|---:|:---:|",
    ]
    for page in pages:
        target = "" if page.path == BARE else _mark(page.median_ms <= TARGET_PAGE_MS)
        lines.append(
            f"| {page.name} | {page.who} | {page.matches} | {page.median_ms:.1f} | "
            f"{page.p95_ms:.1f} | {page.median_ms / bare:.1f}× | {target} |"
        )
    lines += [
        "",
        "| export | rows | download s | first byte s | file MB | worker RSS before MB | "
        f"worker peak RSS MB | target < {TARGET_EXPORT_S} s, < {TARGET_EXPORT_MB} MB |",
        "|---|---:|---:|---:|---:|---:|---:|:---:|",
        f"| `{export.path}` as city official | {export.rows} | {export.seconds:.1f} | "
        f"{export.first_byte:.1f} | {export.megabytes:.1f} | {export.before_mb:.0f} | "
        f"{export.peak_mb:.0f} | "
        f"{_mark(export.seconds < TARGET_EXPORT_S and export.peak_mb < TARGET_EXPORT_MB)} |",
    ]
    return "\n".join(lines)


def _mark(met: bool) -> str:
    return "✓" if met else "✗"


if __name__ == "__main__":
    main()
