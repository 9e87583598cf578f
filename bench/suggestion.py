"""The rider's suggestion POST under load, with and without a photo, beside the bare Django view.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_collect \\
    REDIS_URL=redis://127.0.0.1:6379/5 .venv/bin/python -m bench.suggestion

Migrates and seeds as bench/landing.py does (the demo city and the benchmark station), starts the
real web server (bin/start-web: gunicorn, production settings) with the bare view beside the
portal (bench/urls.py, whose settings lift the submission rate limits), fetches a CSRF cookie
once and has wrk post the station's form (`/s/<token>/suggest/`) with it over and over through a
Lua script: a hazard report without a photo, and the same with a phone-sized JPEG. Beside each
post, its floor (issue 19, point 8): a bare view that parses the same form and commits one INSERT
through Django, and a bare view that only receives the same 12 MP upload and writes it to the
storage (bench/urls.py). The bare view, the floors and the posts run in alternating rounds of
equal length, so the machine's noise falls on all alike; each script's post is checked once to
answer with the redirect to the tracking page (a floor with its "ok"), and the suggestions stored
are counted against the posts wrk reports (a form shown again with an error would be a 200, which
wrk counts as a success). A photo is stored as uploaded and processed by a Celery task
(feedback.services.photos): a Celery worker (--workers processes) runs throughout, on the same
cores, as on a one-host deployment, and a thread here notes when each photo stored during the run
is first seen processed; after the last round the script waits until none is left pending, up to
the issue's 5 minutes after the last post, and reports how long each photo waited and whether
any was lost or failed. It prints Markdown tables for docs/BENCHMARKS.md: requests per second of
each round, their medians, and each post's share of the bare view's and of its floor's (the
feedback issue's target: ≥ 40 % of the bare view's without a photo).
"""

import argparse
import http.client
import os
import re
import secrets
import shutil
import statistics
import sys
import tempfile
import threading
import time
from datetime import date
from io import BytesIO
from pathlib import Path

from bench.landing import seed, wrk
from bench.roster import BARE, SERVER_ENVIRONMENT, celery_worker, machine, nearest_rank, web_server

INSERT = "/bench/insert/"  # the floor without a photo: the form parsed, one INSERT committed
UPLOAD = "/bench/upload/"  # the floor with a photo: the upload received and written as it came

TARGET_SHARE = 0.40
TEXT = "建设路与平原路路口的井盖缺失，晚上送餐经过看不见，电动车很容易掉进去，请尽快处理。"
PHOTO_SIZE = (4032, 3024)  # a 12-megapixel phone photo
SETTLE_SECONDS = 5
# Every photo posted is to be processed within this long after it (issue 19, point 8).
PROCESSED_WITHIN = 5 * 60
# Each post's floor, by the post's name.
FLOORS = {
    "without a photo": "floor: the form parsed, one INSERT",
    "with a photo": "floor: the upload written to the storage",
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7, help="rounds of each request")
    parser.add_argument("--seconds", type=int, default=5, help="length of one round")
    parser.add_argument("--connections", type=int, default=8, help="wrk's open connections")
    parser.add_argument("--in-process", type=int, default=100, help="requests of each, timed")
    parser.add_argument("--port", type=int, default=8101)
    parser.add_argument(
        "--workers", type=int, default=1, help="Celery worker processes (the photos' tasks)"
    )
    args = parser.parse_args()
    wrk_program = shutil.which("wrk")
    if wrk_program is None:
        sys.exit("wrk is needed: apt-get install wrk")

    work = Path(tempfile.mkdtemp(prefix="bench-suggestion-"))
    # The server and this process store the photos there, and it goes afterwards.
    os.environ.update(SERVER_ENVIRONMENT, MEDIA_ROOT=str(work / "media"))
    import django

    django.setup()
    from feedback.models import Suggestion

    try:
        post = seed() + "suggest/"
        photo = phone_photo()
        with (
            web_server(args.port) as server,  # its start collects the static files
            celery_worker(work / "worker.log", args.workers),
        ):
            handler = in_process(post, photo, args.in_process)
            watch = Processing()
            stored_before = Suggestion.objects.count()
            scripts = {
                FLOORS["without a photo"]: (INSERT, lua(work, server.port, INSERT, None, post)),
                "without a photo": (post, lua(work, server.port, post, photo=None)),
                FLOORS["with a photo"]: (UPLOAD, lua(work, server.port, UPLOAD, photo, post)),
                "with a photo": (post, lua(work, server.port, post, photo=photo)),
            }
            rounds = {BARE: [], **{name: [] for name in scripts}}
            for _ in range(args.rounds):
                rounds[BARE].append(
                    wrk(wrk_program, server.port, BARE, args.seconds, args.connections)
                )
                for name, (path, script) in scripts.items():
                    rounds[name].append(
                        wrk(wrk_program, server.port, path, args.seconds, args.connections, script)
                    )
                    # gunicorn finishes the posts wrk left in flight before the next round.
                    time.sleep(SETTLE_SECONDS)
            processing = watch.finish(PROCESSED_WITHIN)
        posted = sum(sum(rounds[name]) * args.seconds for name in FLOORS)
        stored = Suggestion.objects.count() - stored_before
        # wrk counts a form shown again (a 200) as a success: only stored suggestions are.
        if stored < 0.95 * posted:
            sys.exit(f"Only {stored} suggestions stored for about {posted:.0f} posts.")
        print(report(args, post, photo, rounds, handler, posted, stored))
        print(processing_report(args, processing))
        if processing["pending"] or processing["late"]:
            sys.exit(1)
    finally:
        shutil.rmtree(work, ignore_errors=True)


class Processing:
    """Notes, once a second, when each photo stored from now on is first seen processed (ready or
    failed): how long after it was stored."""

    def __init__(self):
        from django.db.models import Max

        from feedback.models import SuggestionPhoto

        self.after = SuggestionPhoto.objects.aggregate(last=Max("pk"))["last"] or 0
        self.waited: dict[int, float] = {}
        self.failed: set[int] = set()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.watch)
        self.thread.start()

    def watch(self):
        from django.db import connection

        try:
            while not self.stop.wait(1):
                self.look()
        finally:
            connection.close()

    def look(self) -> int:
        """Notes the photos processed since the last look; the number still pending."""
        from feedback.models import PhotoState, SuggestionPhoto

        now = time.time()
        photos = SuggestionPhoto.objects.filter(pk__gt=self.after)
        for pk, stored, state in photos.exclude(state=PhotoState.PENDING).values_list(
            "pk", "created_at", "state"
        ):
            if pk not in self.waited:
                self.waited[pk] = now - stored.timestamp()
                if state == PhotoState.FAILED:
                    self.failed.add(pk)
        return photos.filter(state=PhotoState.PENDING).count()

    def finish(self, within: int) -> dict:
        """Waits until no photo is pending, or `within` seconds; what it saw."""
        started = time.time()
        while self.stop.wait(1) is False and time.time() - started < within:
            if self.look() == 0:
                break
        self.stop.set()
        self.thread.join()
        pending = self.look()
        waited = sorted(self.waited.values())
        return {
            "processed": len(waited),
            "failed": len(self.failed),
            "pending": pending,
            "late": sum(seconds > within for seconds in waited),
            "waited": waited,
            "drained": time.time() - started,
        }


def phone_photo(size: tuple[int, int] = PHOTO_SIZE) -> bytes:
    """A JPEG the size of a phone camera's (unless told): a gradient under noise, which
    compresses about as badly as a street scene does."""
    from PIL import Image

    noise = Image.effect_noise(size, 40)
    gradient = Image.linear_gradient("L").resize(size)
    image = Image.merge("RGB", (noise, gradient, Image.blend(noise, gradient, 0.5)))
    buffer = BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def multipart(token: str, photo: bytes | None) -> tuple[str, bytes]:
    """The form as a phone's browser sends it: its boundary and body."""
    boundary = f"----bench{secrets.token_hex(8)}"
    fields = {
        "csrfmiddlewaretoken": token,
        "category": "hazard",
        "text": TEXT,
        "latitude": "34.414123",
        "longitude": "115.651234",
        "name": "",
        "mobile": "",
        "website": "",
    }
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    if photo is not None:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="photos"; '
            f'filename="IMG_0001.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'.encode()
            + photo
            + b"\r\n"
        )
    return boundary, b"".join(parts) + f"--{boundary}--\r\n".encode()


def csrf_token(port: int, path: str) -> str:
    """The CSRF cookie the form's page sets; the same value serves as the form's token."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        cookie = response.getheader("Set-Cookie") or ""
    finally:
        connection.close()
    match = re.search(r"csrftoken=(\w+)", cookie)
    if response.status != 200 or match is None:
        sys.exit(f"GET {path} answered {response.status} without a CSRF cookie")
    return match.group(1)


def lua(work: Path, port: int, path: str, photo: bytes | None, form: str = "") -> str:
    """A wrk script that posts the form (whose page is `form`, `path` itself if not given) to
    `path`, checked once by posting it here first."""
    token = csrf_token(port, form or path)
    boundary, body = multipart(token, photo)
    floor = path.startswith("/bench/")
    name = ("floor-" if floor else "") + ("with-photo" if photo else "without-photo")
    (work / f"{name}.body").write_bytes(body)
    headers = {
        "Content-Type": f"multipart/form-data; boundary={boundary}",
        "Cookie": f"csrftoken={token}",
    }
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()
    if floor:
        if response.status != 200:
            sys.exit(f"POST {path} ({name}) answered {response.status}, not 200")
    elif response.status != 302 or "/track/" not in (response.getheader("Location") or ""):
        sys.exit(f"POST {path} ({name}) answered {response.status}, not the tracking page")
    script = work / f"{name}.lua"
    script.write_text(
        "\n".join(
            [
                f'local file = assert(io.open("{work / (name + ".body")}", "rb"))',
                'wrk.method = "POST"',
                'wrk.body = file:read("*a")',
                "file:close()",
                *(f'wrk.headers["{key}"] = "{value}"' for key, value in headers.items()),
            ]
        )
    )
    return str(script)


def in_process(post: str, photo: bytes, requests: int) -> dict:
    """Median ms of Django's own handling (test client, no network, one process): where the
    time of a post goes, which the throughput figures do not show."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from feedback import photos

    client = Client(SERVER_NAME="127.0.0.1")
    data = {"category": "hazard", "text": TEXT, "latitude": "34.414123", "longitude": "115.65"}

    def median_ms(action):
        times = []
        for _ in range(requests):
            started = time.perf_counter()
            action()
            times.append(time.perf_counter() - started)
        return statistics.median(times) * 1000

    def posted(with_photo):
        def action():
            files = {"photos": SimpleUploadedFile("IMG_0001.jpg", photo)} if with_photo else {}
            response = client.post(post, {**data, **files})
            assert response.status_code == 302, response.status_code

        return action

    posted(False)()  # warm-up
    return {
        "bare Django view": median_ms(lambda: client.get(BARE)),
        f"floor: a form parsed, one INSERT (`POST {INSERT}`)": median_ms(
            lambda: client.post(INSERT, data)
        ),
        "suggestion post without a photo": median_ms(posted(False)),
        **without_a_photo_parts(post, data, median_ms),
        "suggestion post with a photo": median_ms(posted(True)),
        "of which feedback.photos.check (the header, in the request)": median_ms(
            lambda: photos.check(SimpleUploadedFile("IMG_0001.jpg", photo))
        ),
        "feedback.photos.prepare (decoded and re-encoded, in the task since issue 19)": median_ms(
            lambda: photos.prepare(BytesIO(photo), "IMG_0001.jpg")
        ),
    }


def without_a_photo_parts(post: str, data: dict, median_ms) -> dict:
    """The parts of the post without a photo, each alone: where its time goes beside its floor."""
    import secrets as tokens

    from django.contrib.sessions.models import Session
    from django.http import QueryDict
    from django.utils import timezone

    from feedback import services
    from feedback.forms import SuggestionForm
    from feedback.models import Channel, Suggestion
    from portal import ratelimit
    from stations.selectors import recent_station_for_token

    token = post.split("/")[2]
    station = recent_station_for_token(token)
    form_data = QueryDict(mutable=True)
    form_data.update(data)

    def form():
        made = SuggestionForm(form_data, {})
        assert made.is_valid(), made.errors
        return made

    details = form().details(station)
    where = {"area": station.area, "station": station}
    return {
        "· the floor's INSERT alone (a session row, autocommit)": median_ms(
            lambda: Session.objects.create(
                session_key=tokens.token_hex(16), session_data="", expire_date=timezone.now()
            )
        ),
        "· feedback.services.submit: BEGIN, the suggestion, its timeline row, COMMIT": median_ms(
            lambda: services.submit(details, channel=Channel.QR_CODE, **where)
        ),
        "· of which the suggestion's INSERT alone, autocommit": median_ms(
            lambda: Suggestion.objects.create(**details, channel=Channel.QR_CODE, **where)
        ),
        "· SuggestionForm made and validated": median_ms(form),
        "· the rate limits (portal.ratelimit.allow_all)": median_ms(
            lambda: ratelimit.allow_all(
                ("suggest:address", "198.51.100.7"), ("suggest:station", token)
            )
        ),
        "· the station (stations.selectors.recent_station_for_token)": median_ms(
            lambda: recent_station_for_token(token)
        ),
    }


def report(args, post, photo, rounds, handler, posted, stored) -> str:
    bare = rounds[BARE]
    threads = os.environ.get("GUNICORN_THREADS", "2")

    def joined(values, pattern="{:.0f}"):
        return " · ".join(pattern.format(value) for value in values)

    lines = [
        f"Run on {date.today().isoformat()}: {machine()}.",
        f"gunicorn {os.environ.get('WEB_CONCURRENCY', '3')} workers × {threads} threads "
        "(portal/gunicorn.conf.py), production settings, Redis cache (the rate-limit counter); "
        f"wrk, 1 thread, {args.connections} keep-alive connections, on the same machine; "
        f"{args.rounds} rounds of {args.seconds} s each, alternating. The photo: a "
        f"{PHOTO_SIZE[0]}×{PHOTO_SIZE[1]} JPEG of {len(photo) / 2**20:.1f} MB.",
        "",
        "| request | requests/s per round | median requests/s |",
        "|---|---|---:|",
        f"| bare Django view `GET {BARE}` | {joined(bare)} | {statistics.median(bare):.0f} |",
    ]
    shares = {}
    for name in ("without a photo", "with a photo"):
        values = rounds[name]
        shares[name] = [value / base for value, base in zip(values, bare, strict=True)]
        lines.append(
            f"| suggestion `POST /s/<token>/suggest/` {name} | {joined(values)} | "
            f"{statistics.median(values):.0f} |"
        )
    for floor_name, path in zip(FLOORS.values(), (INSERT, UPLOAD), strict=True):
        values = rounds[floor_name]
        lines.append(
            f"| {floor_name} (`POST {path}`) | {joined(values)} | {statistics.median(values):.0f} |"
        )
    lines += ["", "| post ÷ its floor, round by round | median |", "|---|---:|"]
    for post_name, floor_name in FLOORS.items():
        ratio = [p / f for p, f in zip(rounds[post_name], rounds[floor_name], strict=True)]
        lines.append(f"| {post_name}: {joined(ratio, '{:.0%}')} | {statistics.median(ratio):.1%} |")
    lines += [
        "",
        f"| post ÷ bare, round by round | median | target ≥ {TARGET_SHARE:.0%} |",
        "|---|---:|:---:|",
    ]
    for name, values in shares.items():
        share = statistics.median(values)
        target = ("✓" if share >= TARGET_SHARE else "✗") if name == "without a photo" else "—"
        lines.append(f"| {name}: {joined(values, '{:.0%}')} | {share:.1%} | {target} |")
    lines += [
        "",
        f"Suggestions stored during the run: {stored}; posts wrk counted: about {posted:.0f}.",
        "",
        f"| in process ({args.in_process} requests each) | median ms |",
        "|---|---:|",
        *(f"| {name} | {ms:.2f} |" for name, ms in handler.items()),
    ]
    return "\n".join(lines)


def processing_report(args, processing: dict) -> str:
    waited = processing["waited"]
    return "\n".join(
        [
            "",
            f"Photos stored during the run: {processing['processed'] + processing['pending']}, "
            f"processed by {args.workers} Celery worker process(es) running throughout: "
            f"{processing['processed']} processed ({processing['failed']} failed to decode), "
            f"{processing['pending']} still pending {PROCESSED_WITHIN // 60} minutes after the "
            f"last post; the last processed {processing['drained']:.0f} s after the last round.",
            "",
            "| photo stored → processed | seconds |",
            "|---|---:|",
            *(
                f"| {label} | {nearest_rank(waited, share):.1f} |"
                for label, share in (("median", 0.5), ("95th percentile", 0.95), ("slowest", 1))
                if waited
            ),
            f"| over {PROCESSED_WITHIN // 60} minutes | {processing['late']} photos |",
        ]
    )


if __name__ == "__main__":
    main()
