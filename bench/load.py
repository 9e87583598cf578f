"""A burst of riders at the stations' QR codes while staff read the roster: errors, latency, and
no suggestion lost, on gunicorn over PostgreSQL and Redis.

    createdb -h 127.0.0.1 -U postgres portal_load      # once: a scratch database
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_load \\
    REDIS_URL=redis://127.0.0.1:6379/12 .venv/bin/python -m bench.load

Fills the database as bench/roster.py does (`seed_demo --workers N`: the demo city's districts,
streets and 8 communities, their 24 stations and staff users, and N synthetic workers) and adds
bench/landing.py's station, then starts the real web server (bin/start-web: gunicorn with
production settings, workers and threads per portal/gunicorn.conf.py, Redis as cache and broker,
PROXY_COUNT=1 as behind the proxy) with the bare view beside the portal (bench/urls.py). A second
process (this module with --client: asyncio over plain HTTP/1.1 sockets, no dependency) then runs
the clients at once for the given time, without pauses:

- riders, each a stream of new riders (a new phone: its own connection, address and cookies):
  scan a random station (GET /s/<token>/); a share of them go on to the suggestion form (GET
  /s/<token>/suggest/, which sets the CSRF cookie and token), post it (the multipart form of
  bench/suggestion.py, without a photo; the answer must be the redirect to the tracking page) and
  follow the redirect (GET /track/<code>/);
- a few staff members reading the workers roster (bench/roster.py's cases: unfiltered, filtered,
  searched, deep in the pages) as a city official and as community staff, a second on each page.

No new request starts after the time is up; those in flight are finished, so every answer is
counted. Each request's status and time (connection, request and the whole body) is recorded; an
error is any other answer than the expected one (200, or the 302 to the tracking page), a closed
connection or a timeout. Afterwards the suggestions stored during the run are counted and their
tracking codes compared with those the answers gave: they must be the same, one for one.

On the loopback every client connects from 127.0.0.1. As a proxy would, each rider's requests say
who sent them (X-Forwarded-For, a distinct public address per rider; X-Forwarded-Proto https, so
CSRF checks Origin and Referer as over https), which the server is to believe with PROXY_COUNT=1.
Then with `--limits deployed` (the default: bench/load_settings.py) the submission limits per
address and per mobile apply per rider, as in a deployment, and are never reached; `--limits
lifted` (bench/settings.py, as bench/suggestion.py runs) lifts them. The script checks in process
whether the portal does take the address from X-Forwarded-For and says so in its report: where it
does not, every rider counts as 127.0.0.1 and the deployed limits refuse all but the hour's first
posts. A key set in the Redis database before the run and looked for after it tells whether
another process flushed that database (a test run's cache.clear()) and so reset the counters.

With `--proxy` the clients reach two hosts through nginx, as the only way in (bench/proxy.py:
Debian's nginx, round-robin): two gunicorns started by bin/start-web, each with a MEDIA_ROOT of
its own and its own clients of the same Redis, media on an S3 object store (BENCH_S3_URL=
http://KEY:SECRET@127.0.0.1:PORT, a SeaweedFS as .ci/run starts; two fresh buckets for the run)
and a Celery worker; PROXY_COUNT=2, since the riders' X-Forwarded-For stands for the TLS proxy
in front of nginx. `--photos SHARE` has that share of the suggestion posts carry a phone photo
(1920×1440, the size WeChat sends a photo in unless told to send the original; bench/suggestion.py
times the 12-megapixel one), and each such suggestion must have its photo stored, in the store
when there is one. Each answer's X-Upstream (added by nginx) counts which host gave it.

It prints Markdown tables for docs/RELIABILITY.md and exits with 1 if there was an error or the
database disagrees with the answers.
"""

import argparse
import asyncio
import contextlib
import ipaddress
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import date
from itertools import count, cycle
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from redis import Redis

from bench.landing import seed
from bench.proxy import Nginx
from bench.roster import (
    CASES,
    ROOT,
    ROSTER,
    SERVER_ENVIRONMENT,
    USERS,
    celery_worker,
    fill,
    machine,
    nearest_rank,
    session_cookie,
    web_server,
)
from bench.suggestion import multipart, phone_photo

ENDPOINTS = {
    "landing": "station landing page `GET /s/<token>/`",
    "form": "suggestion form `GET /s/<token>/suggest/`",
    "post": "suggestion `POST /s/<token>/suggest/`",
    "photo": "suggestion with a photo `POST /s/<token>/suggest/`",
    "track": "tracking page `GET /track/<code>/` (the redirect)",
    "roster": "workers roster `GET /staff/registry/workers/` (staff)",
}
SETTINGS = {"deployed": "bench.load_settings", "lifted": "bench.settings"}
# Riders come from 36.0.0.1 on (a mobile carrier's block), one address each; staff from an office.
RIDER_ADDRESSES = ipaddress.IPv4Address("36.0.0.0")
STAFF_ADDRESSES = ipaddress.IPv4Address("218.28.0.0")
RIDER_AGENT = (
    "Mozilla/5.0 (Linux; Android 12; M2006C3LC) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/116.0.0.0 Mobile Safari/537.36 MicroMessenger/8.0.47"
)
STAFF_AGENT = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/126.0 Safari"
CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
CSRF_COOKIE = re.compile(r"csrftoken=([^;]+)")
TRACKING_CODE = re.compile(r"/track/([^/]+)/")
SENTINEL = "bench:load:sentinel"
PHOTO_SIZE = (1920, 1440)  # as WeChat sends a phone's photo unless told to send the original


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=200, help="concurrent clients in all")
    parser.add_argument("--staff", type=int, default=4, help="of them, staff reading the roster")
    parser.add_argument("--seconds", type=int, default=60, help="length of the run")
    parser.add_argument(
        "--submit-share", type=float, default=0.5, help="share of riders who post a suggestion"
    )
    parser.add_argument("--staff-think", type=float, default=1.0, help="seconds on each page")
    parser.add_argument("--workers", type=int, default=5000, help="synthetic workers")
    parser.add_argument("--limits", choices=SETTINGS, default="deployed")
    parser.add_argument(
        "--settings", help="the server's settings module instead (e.g. one trying a fix)"
    )
    parser.add_argument("--timeout", type=float, default=60, help="seconds per request")
    parser.add_argument("--port", type=int, default=8767)
    parser.add_argument(
        "--proxy", action="store_true", help="two hosts behind nginx, media on BENCH_S3_URL"
    )
    parser.add_argument(
        "--photos", type=float, default=0.0, help="share of suggestion posts with a photo"
    )
    parser.add_argument("--client", metavar="PLAN", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client:
        run_client(Path(args.client))
        return

    # This process seeds without Redis, so the stations' QR code tasks run at once instead of
    # waiting in a queue no worker reads; the server gets REDIS_URL.
    redis_url = os.environ.pop("REDIS_URL", "")
    if not redis_url:
        sys.exit("Point REDIS_URL at Redis (redis://127.0.0.1:6379/12): the server's cache.")
    work = Path(tempfile.mkdtemp(prefix="bench-load-"))
    os.environ.update(
        SERVER_ENVIRONMENT,
        DJANGO_SETTINGS_MODULE=args.settings or SETTINGS[args.limits],
        PROXY_COUNT="2" if args.proxy else "1",
        MEDIA_ROOT=str(work / "media"),  # the QR codes and photos, or nothing; it goes afterwards
        **(store_environment() if args.proxy else {}),
    )
    import django

    django.setup()
    os.environ["REDIS_URL"] = redis_url
    from django.conf import settings

    from feedback.models import Suggestion
    from stations.models import Station

    try:
        filled = fill(args.workers)
        if args.proxy:
            from django.core.management import call_command

            call_command("make_buckets")
        seed()
        stations = list(Station.objects.order_by("id").values_list("token", flat=True))
        people = list(USERS.values())
        cookies = [session_cookie(people[number % len(people)]) for number in range(args.staff)]
        setup = {
            "filled": filled,
            "stations": len(stations),
            "settings": os.environ["DJANGO_SETTINGS_MODULE"],
            "per_address": settings.RATE_LIMITS["suggest:address"][0],
            "per_mobile": settings.RATE_LIMITS["suggest:mobile"][0],
            "per_station": settings.RATE_LIMITS["suggest:station"][0],
            "forwarded": forwarded_address_believed(settings.PROXY_COUNT),
            "proxy": args.proxy,
            "photo_kb": 0,
            "redis": redis_url,
        }
        plan = {
            "port": args.port,
            "seconds": args.seconds,
            "riders": args.clients - args.staff,
            "staff": cookies,
            "stations": stations,
            "roster": [
                f"{ROSTER}?{urlencode(query)}" if query else ROSTER for query in CASES.values()
            ],
            "submit_share": args.submit_share,
            "staff_think": args.staff_think,
            "timeout": args.timeout,
            "results": str(work / "results.json"),
            "photos": args.photos,
            "photo": "",
        }
        if args.photos:
            photo = phone_photo(PHOTO_SIZE)
            (work / "photo.jpg").write_bytes(photo)
            plan["photo"], setup["photo_kb"] = str(work / "photo.jpg"), len(photo) // 1024
        (work / "plan.json").write_text(json.dumps(plan))
        with contextlib.ExitStack() as stack:
            servers = serve(stack, work, args)
            setup["workers"] = [len(server.workers()) for server in servers]
            last = Suggestion.objects.order_by("-id").values_list("id", flat=True).first() or 0
            setup["load_before"] = os.getloadavg()
            # The rate-limit counters live in that Redis database: a FLUSHDB from another
            # process (a test run's cache.clear()) would reset them mid-run; a key says so.
            redis = Redis.from_url(redis_url)
            redis.set(SENTINEL, "1", ex=3600)
            subprocess.run(  # noqa: S603
                [sys.executable, "-m", "bench.load", "--client", str(work / "plan.json")],
                cwd=ROOT,
                check=True,
            )
            setup["load_after"] = os.getloadavg()
            setup["redis_kept"] = bool(redis.delete(SENTINEL))
            results = json.loads((work / "results.json").read_text())
            stored = list(
                Suggestion.objects.filter(id__gt=last).values_list("tracking_code", flat=True)
            )
            setup["server_log"] = Counter()
            setup["server_log_kept"] = []
            for server in servers:
                problems = server_log_problems(Path(server.log))
                setup["server_log"] += problems
                if problems:  # web_server() deletes its log when the run went through
                    setup["server_log_kept"].append(shutil.copy(server.log, f"{server.log}.kept"))
            if args.proxy:
                nginx_log = (work / "nginx" / "error.log").read_text(errors="replace")
                setup["nginx_errors"] = [
                    line for line in nginx_log.splitlines() if "[error]" in line
                ]
        setup["photos_stored"] = photos_stored(results["photo_codes"], results["codes"])
        text, clean = report(args, setup, results, stored)
        print(text)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if not clean:
        sys.exit(1)


def store_environment() -> dict:
    """The object store of BENCH_S3_URL (http://KEY:SECRET@HOST:PORT) and two fresh buckets."""
    url = os.environ.get("BENCH_S3_URL", "")
    if not url:
        sys.exit(
            "--proxy keeps media on an object store: set BENCH_S3_URL=http://KEY:SECRET@HOST:PORT"
        )
    parts = urlsplit(url)
    bucket = f"bench-load-{os.urandom(4).hex()}"
    return {
        "S3_ENDPOINT_URL": f"{parts.scheme}://{parts.hostname}:{parts.port}",
        "S3_BUCKET": bucket,
        "S3_PUBLIC_BUCKET": f"{bucket}-public",
        "S3_ACCESS_KEY_ID": parts.username,
        "S3_SECRET_ACCESS_KEY": parts.password,
    }


def serve(stack, work: Path, args) -> list:
    """One gunicorn on --port; with --proxy two, each its own MEDIA_ROOT, a Celery worker and
    nginx on --port in front of them. The gunicorns, for their workers and logs."""
    if not args.proxy:
        return [stack.enter_context(web_server(args.port))]
    servers = [
        stack.enter_context(web_server(args.port + host, MEDIA_ROOT=str(work / f"host-{host}")))
        for host in (1, 2)
    ]
    stack.enter_context(celery_worker(work / "worker.log", MEDIA_ROOT=str(work / "worker")))
    nginx = Nginx(work / "nginx", [server.port for server in servers], port=args.port)
    stack.callback(nginx.stop)
    return servers


def photos_stored(photo_codes: list[str], codes: list[str]) -> dict:
    """Of the suggestions answered with a photo, how many have exactly one photo whose image
    and thumbnail are in the storage (the object store, when there is one); and how many of
    those answered without one have a photo anyway."""
    from django.core.files.storage import default_storage

    from feedback.models import SuggestionPhoto

    photos = SuggestionPhoto.objects.filter(suggestion__tracking_code__in=codes)
    by_code = Counter(photos.values_list("suggestion__tracking_code", flat=True))
    wanted = set(photo_codes)
    stored = 0
    for photo in photos.filter(suggestion__tracking_code__in=wanted):
        if by_code[photo.suggestion.tracking_code] == 1 and all(
            default_storage.exists(name) for name in (photo.image.name, photo.thumbnail.name)
        ):
            stored += 1
    stray = sum(n for code, n in by_code.items() if code not in wanted)
    return {"stored": stored, "stray": stray}


def forwarded_address_believed(proxies: int) -> bool:
    """Whether the portal, behind `proxies` proxies (PROXY_COUNT), takes a rider's address from
    X-Forwarded-For as the rate limits need; asked in this process, which runs the server's code
    with the server's settings. Behind nginx the header ends with nginx's own view: 127.0.0.1."""
    from django.test import RequestFactory

    from portal.ratelimit import client_address

    address = str(RIDER_ADDRESSES + 1)
    forwarded = ", ".join([address] + ["127.0.0.1"] * (proxies - 1))
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    return client_address(request) == address


def server_log_problems(log: Path) -> Counter:
    """What went wrong on the server's side, from its log: tracebacks, timed-out workers, 5xx."""
    problems = Counter()
    for line in log.read_text(errors="replace").splitlines():
        if line.startswith("Traceback"):
            problems["traceback"] += 1
        elif "WORKER TIMEOUT" in line:
            problems["worker timeout"] += 1
        elif re.search(r'" 5\d\d ', line):
            problems["5xx in the access log"] += 1
    return problems


# ---------------------------------------------------------------------------------------------
# The client: a second process


def run_client(plan_path: Path) -> None:
    plan = json.loads(plan_path.read_text())
    load = Load(plan)
    asyncio.run(load.run())
    Path(plan["results"]).write_text(
        json.dumps(
            {
                "records": load.records,
                "codes": load.codes,
                "photo_codes": load.photo_codes,
                "upstreams": load.upstreams,
                "elapsed": load.elapsed,
                "cpu": time.process_time(),
                "riders": next(load.riders) - 1,
            }
        )
    )


class Connection:
    """One HTTP/1.1 keep-alive connection, as a browser holds one to the site."""

    def __init__(self, port: int):
        self.port = port
        self.reader = self.writer = None

    async def request(self, method: str, path: str, headers: dict, body: bytes = b""):
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        if method == "POST":
            lines.append(f"Content-Length: {len(body)}")
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        await self.writer.drain()
        head = (await self.reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        status = int(head[0].split()[1])
        fields = {}
        for line in head[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                fields.setdefault(name.strip().lower(), []).append(value.strip())
        if "chunked" in ",".join(fields.get("transfer-encoding", [])).lower():
            content = await self._chunked()
        elif "content-length" in fields:
            content = await self.reader.readexactly(int(fields["content-length"][0]))
        elif status in (204, 304):
            content = b""
        else:  # no length: the body runs to the end of the connection
            content = await self.reader.read()
            self.close()
        if "close" in ",".join(fields.get("connection", [])).lower():
            self.close()
        return status, fields, content

    async def _chunked(self) -> bytes:
        chunks = []
        while size := int((await self.reader.readline()).split(b";")[0], 16):
            chunks.append(await self.reader.readexactly(size))
            await self.reader.readexactly(2)
        await self.reader.readuntil(b"\r\n")  # no trailers: the blank line
        return b"".join(chunks)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


class Load:
    def __init__(self, plan: dict):
        self.plan = plan
        self.port = plan["port"]
        self.origin = f"https://127.0.0.1:{self.port}"
        self.rng = random.Random(20)
        self.riders = count(1)
        self.records = []  # [endpoint, started s, seconds, status, error]
        self.codes = []
        self.photo_codes = []
        self.upstreams = Counter()  # nginx's X-Upstream: which host answered
        self.photo = Path(plan["photo"]).read_bytes() if plan["photo"] else None
        self.elapsed = 0.0

    async def run(self) -> None:
        self.start = time.perf_counter()
        self.deadline = self.start + self.plan["seconds"]
        await asyncio.gather(
            *(self.rider() for _ in range(self.plan["riders"])),
            *(self.staff(number) for number in range(len(self.plan["staff"]))),
        )
        self.elapsed = time.perf_counter() - self.start

    def running(self) -> bool:
        return time.perf_counter() < self.deadline

    async def fetch(self, connection, endpoint, method, path, headers, body=b"", check=None):
        """One request, recorded; the answer if it is the expected one (`check` says what is
        wrong with it, or nothing; by default anything but a 200 is), else None."""
        started = time.perf_counter()
        try:
            answer = await asyncio.wait_for(
                connection.request(method, path, headers, body), self.plan["timeout"]
            )
        except (OSError, EOFError, TimeoutError, ValueError, IndexError) as error:
            connection.close()
            self.record(endpoint, started, 0, type(error).__name__)
            return None
        status = answer[0]
        for upstream in answer[1].get("x-upstream", []):
            self.upstreams[upstream] += 1
        error = check(*answer) if check else ("" if status == 200 else f"HTTP {status}")
        self.record(endpoint, started, status, error)
        return None if error else answer

    def record(self, endpoint, started, status, error) -> None:
        seconds = time.perf_counter() - started
        self.records.append([endpoint, started - self.start, seconds, status, error])

    async def rider(self) -> None:
        while self.running():
            number = next(self.riders)
            headers = {
                "X-Forwarded-For": str(RIDER_ADDRESSES + number),
                "X-Forwarded-Proto": "https",
                "User-Agent": RIDER_AGENT,
                "Accept-Language": "zh-CN,zh;q=0.9",
            }
            connection = Connection(self.port)
            try:
                await self.visit(
                    connection, headers, f"/s/{self.rng.choice(self.plan['stations'])}/"
                )
            finally:
                connection.close()

    async def visit(self, connection, headers, landing) -> None:
        """One rider's visit: the landing page, and for some the suggestion posted."""
        if not await self.fetch(connection, "landing", "GET", landing, headers):
            return
        if self.rng.random() >= self.plan["submit_share"] or not self.running():
            return
        form = f"{landing}suggest/"
        referred = {**headers, "Referer": self.origin + landing}
        page = await self.fetch(connection, "form", "GET", form, referred, check=form_page)
        if page is None or not self.running():
            return
        cookie = CSRF_COOKIE.search(";".join(page[1]["set-cookie"])).group(1)
        with_photo = self.photo is not None and self.rng.random() < self.plan["photos"]
        boundary, body = multipart(
            CSRF_INPUT.search(page[2]).group(1).decode(), self.photo if with_photo else None
        )
        posting = {
            **headers,
            "Cookie": f"csrftoken={cookie}",
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Origin": self.origin,
            "Referer": self.origin + form,
        }
        endpoint = "photo" if with_photo else "post"
        answer = await self.fetch(connection, endpoint, "POST", form, posting, body, check=filed)
        if answer is None:
            return
        location = urlsplit(answer[1]["location"][0])
        self.codes.append(TRACKING_CODE.search(location.path).group(1))
        if with_photo:
            self.photo_codes.append(self.codes[-1])
        if self.running():
            tracking = f"{location.path}?{location.query}"
            following = {**headers, "Cookie": f"csrftoken={cookie}", "Referer": self.origin + form}
            await self.fetch(connection, "track", "GET", tracking, following)

    async def staff(self, number: int) -> None:
        """A staff member going through the roster's pages, reading each for a while; a new
        connection for each page, since the reading time is near gunicorn's 2 s keep-alive."""
        headers = {
            "Cookie": self.plan["staff"][number],
            "X-Forwarded-For": str(STAFF_ADDRESSES + 1 + number),
            "X-Forwarded-Proto": "https",
            "User-Agent": STAFF_AGENT,
            "Accept-Language": "zh-CN,zh;q=0.9",
        }
        paths = cycle(self.plan["roster"][number:] + self.plan["roster"][:number])
        while self.running():
            connection = Connection(self.port)
            try:
                await self.fetch(connection, "roster", "GET", next(paths), headers)
            finally:
                connection.close()
            await asyncio.sleep(
                min(self.plan["staff_think"], max(0, self.deadline - time.perf_counter()))
            )


def form_page(status, fields, content) -> str:
    if status != 200:
        return f"HTTP {status}"
    if not CSRF_COOKIE.search(";".join(fields.get("set-cookie", []))):
        return "no CSRF cookie"
    return "" if CSRF_INPUT.search(content) else "no CSRF token in the form"


def filed(status, fields, content) -> str:
    """The post is filed when it answers with the redirect to its tracking page; a 200 is the
    form shown again with an error."""
    if status == 200:
        return "form shown again (200)"
    if status != 302:
        return f"HTTP {status}"
    return "" if TRACKING_CODE.search(fields.get("location", [""])[0]) else "redirect elsewhere"


# ---------------------------------------------------------------------------------------------
# The report


def report(args, setup: dict, results: dict, stored: list[str]) -> tuple[str, bool]:
    records, elapsed = results["records"], results["elapsed"]
    threads = os.environ.get("GUNICORN_THREADS", "2")
    riders = args.clients - args.staff
    lines = [
        f"Run on {date.today().isoformat()}: {machine()}; load average "
        f"{setup['load_before'][0]:.1f} before, {setup['load_after'][0]:.1f} at the end.",
        (
            f"Two hosts behind nginx (bench/proxy.py, round-robin): gunicorn "
            f"{' and '.join(map(str, setup['workers']))} workers × {threads} threads, each its "
            f"own MEDIA_ROOT, media on the object store (`{os.environ['S3_ENDPOINT_URL']}`), a "
            f"Celery worker; production settings (`{setup['settings']}`), PROXY_COUNT=2"
            if setup["proxy"]
            else f"gunicorn {setup['workers'][0]} workers × {threads} threads "
            f"(portal/gunicorn.conf.py), production settings (`{setup['settings']}`), "
            f"PROXY_COUNT=1"
        )
        + f", Redis cache (`{setup['redis']}`). {setup['filled']}; {setup['stations']} stations.",
        f"{args.clients} concurrent clients for {args.seconds} s (all answers in after "
        f"{elapsed:.1f} s) from a second process on the loopback (asyncio, HTTP/1.1; it used "
        f"{results['cpu']:.0f} s of CPU): {riders} riders, one after the other on each, "
        f"{results['riders']} in all, {args.submit_share:.0%} of them posting a suggestion "
        + (
            f"({args.photos:.0%} of the posts with a {PHOTO_SIZE[0]}×{PHOTO_SIZE[1]} photo of "
            f"{setup['photo_kb']} kB)"
            if args.photos
            else "(no photo)"
        )
        + f"; {args.staff} staff ({', '.join(USERS)}) reading the roster, "
        f"{args.staff_think:g} s on each page.",
        "Client addresses: each rider its own X-Forwarded-For; the portal "
        + (
            "**takes the address from it**"
            if setup["forwarded"]
            else "**does not take the address from it: every rider counts as 127.0.0.1**"
        )
        + f". Submission limits: {setup['per_address']} per address, "
        f"{setup['per_mobile']} per mobile, {setup['per_station']} per station, an hour.",
        "",
        "| endpoint | requests | errors | error rate | p50 ms | p99 ms | requests/s |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    rows = [(ENDPOINTS[name], [r for r in records if r[0] == name]) for name in ENDPOINTS]
    rows.append(("**all**", records))
    for label, chosen in rows:
        if not chosen:
            continue
        errors = sum(1 for record in chosen if record[4])
        times = sorted(record[2] * 1000 for record in chosen)
        lines.append(
            f"| {label} | {len(chosen)} | {errors} | {errors / len(chosen):.2%} | "
            f"{nearest_rank(times, 0.50):.0f} | {nearest_rank(times, 0.99):.0f} | "
            f"{len(chosen) / elapsed:.1f} |"
        )
    kinds = Counter((record[0], record[4]) for record in records if record[4])
    if kinds:
        lines += ["", "| endpoint | error | count |", "|---|---|---:|"]
        lines += [f"| {name} | {error} | {n} |" for (name, error), n in kinds.most_common()]
    if setup["server_log"]:
        problems = ", ".join(f"{n} {kind}" for kind, n in setup["server_log"].items())
        kept = ", ".join(setup["server_log_kept"])
        lines += ["", f"Server log: {problems} (kept in {kept})."]
    if setup.get("nginx_errors"):
        lines += ["", f"nginx's error log: {len(setup['nginx_errors'])} errors, the first:"]
        lines += [f"    {line}" for line in setup["nginx_errors"][:5]]
    if results["upstreams"]:
        served = ", ".join(f"{host} {n}" for host, n in sorted(results["upstreams"].items()))
        lines += ["", f"Answers by host (nginx's X-Upstream): {served}."]
    if not setup["redis_kept"]:
        lines += [
            "",
            "**The Redis database was flushed during the run by another process**: the "
            "rate-limit counters started again; run it again on a database of its own.",
        ]
    codes = results["codes"]
    same = sorted(codes) == sorted(stored)
    lines += [
        "",
        "| suggestions | count |",
        "|---|---:|",
        f"| posts answered with the redirect to their tracking page | {len(codes)} |",
        f"| stored in the database during the run | {len(stored)} |",
        f"| the same tracking codes, one for one | {'✓' if same else '✗'} |",
    ]
    photos = setup["photos_stored"]
    if args.photos:
        lines += [
            f"| of the posts answered, those with a photo | {len(results['photo_codes'])} |",
            f"| their photo and thumbnail in the storage, one each | {photos['stored']} |",
        ]
    whole = photos["stored"] == len(results["photo_codes"]) and not photos["stray"]
    clean = same and whole and not kinds and not setup.get("nginx_errors")
    return "\n".join(lines), clean


if __name__ == "__main__":
    main()
