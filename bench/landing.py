"""A station's landing page (its QR code's page) under load, beside the bare Django view.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_landing .venv/bin/python -m bench.landing

Migrates and seeds the demo city and one station (all amenities, an offer, hours), starts the real
web server (bin/start-web: gunicorn with production settings) with the bare view beside the portal
(bench/urls.py), and drives it with wrk from a second process on the loopback: the bare view and
the landing page in alternating rounds of equal length, so the machine's noise falls on both alike.
It prints a Markdown table for docs/BENCHMARKS.md: requests per second of each round, their
medians and the landing page's share of the bare view's (the stations issue's target: ≥ 60 %),
and the page's weight on first load (HTML + stylesheets; target < 30 KB).
"""

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from datetime import date

from bench.roster import BARE, SERVER_ENVIRONMENT, get, machine, web_server

STATION = "基准测试暖心驿站"
TARGET_SHARE = 0.60
TARGET_BYTES = 30 * 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=11, help="rounds of each page")
    parser.add_argument("--seconds", type=int, default=5, help="length of one round")
    parser.add_argument("--connections", type=int, default=8, help="wrk's open connections")
    parser.add_argument("--in-process", type=int, default=300, help="requests per page, timed")
    parser.add_argument("--port", type=int, default=8766)
    args = parser.parse_args()
    wrk_program = shutil.which("wrk")
    if wrk_program is None:
        sys.exit("wrk is needed: apt-get install wrk")

    os.environ.update(SERVER_ENVIRONMENT)
    import django

    django.setup()
    landing = seed()
    with web_server(args.port) as server:  # its start collects the static files the page names
        handler = in_process(landing, args.in_process)
        weight = first_load_bytes(server, landing)
        pages = {BARE: [], landing: []}
        for _ in range(args.rounds):
            for path, rounds in pages.items():
                rounds.append(wrk(wrk_program, server.port, path, args.seconds, args.connections))
    print(report(args, landing, weight, pages, handler))


def seed() -> str:
    """The demo city and the benchmark's station; the landing page's path."""
    from io import StringIO

    from django.core.management import call_command
    from django.db import connection

    from portal.models import Area
    from stations.models import Amenity, Station, StationAmenity

    if connection.vendor != "postgresql":
        sys.exit("Point DATABASE_URL at a scratch PostgreSQL database: the benchmark fills it.")
    call_command("migrate", interactive=False, verbosity=0)
    call_command("seed_demo", stdout=StringIO())
    station, _ = Station.objects.get_or_create(
        name=STATION,
        defaults={
            "kind": "warm_station",
            "area": Area.objects.get(code="411402001001"),
            "address": "商丘市梁园区建设路 88 号",
            "hours": {str(day): [["00:00", "12:00"], ["12:00", "23:59"]] for day in range(7)},
            "services": ["legal_aid", "social_security"],
            "offer": "小哥套餐 7折，热水免费",
        },
    )
    StationAmenity.objects.bulk_create(
        [StationAmenity(station=station, amenity=amenity) for amenity in Amenity.values],
        ignore_conflicts=True,
    )
    return f"/s/{station.token}/"


def first_load_bytes(server, path: str) -> dict:
    """What a phone downloads on its first visit: the page and the stylesheets it links
    (uncompressed, as the budget counts them)."""
    html = get(server, path).body
    if b"<script" in html.lower():
        sys.exit(f"{path} has a script")
    styles = re.findall(rb'<link rel="stylesheet" href="([^"]+)"', html)
    css = sum(get(server, href.decode()).size for href in styles)
    return {"html": len(html), "css": css, "stylesheets": len(styles)}


def in_process(landing: str, requests: int) -> dict:
    """Median ms of Django's own handling (test client, no network, one process) of the bare
    view and of the landing page from the cache and rendered afresh (two queries): the cost of
    a miss, which the throughput figures, almost all hits, do not show."""
    from django.test import Client

    from stations import landing_cache

    client = Client(SERVER_NAME="127.0.0.1")

    def median_ms(path, before=None):
        times = []
        for _ in range(requests):
            if before:
                before()
            started = time.perf_counter()
            client.get(path)
            times.append(time.perf_counter() - started)
        return statistics.median(times) * 1000

    median_ms(landing)  # warm-up
    return {
        "bare Django view": median_ms(BARE),
        "landing page from the cache": median_ms(landing),
        "landing page rendered (cache cleared)": median_ms(landing, landing_cache.pages.clear),
    }


def wrk(
    program: str, port: int, path: str, seconds: int, connections: int, script: str = ""
) -> float:
    """Requests per second over one round of keep-alive connections; every answer must be a 2xx
    or 3xx. A Lua `script` turns the GET into what it says (bench/suggestion.py: a POST)."""
    output = subprocess.run(  # noqa: S603
        [
            program,
            "--threads",
            "1",
            "--connections",
            str(connections),
            "--duration",
            f"{seconds}s",
            *(["--script", script, "--timeout", "30s"] if script else []),
            f"http://127.0.0.1:{port}{path}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    if "Non-2xx" in output or "Socket errors" in output:
        sys.exit(f"wrk saw errors on {path}:\n{output}")
    return float(re.search(r"Requests/sec:\s*([\d.]+)", output).group(1))


def report(args, landing: str, weight: dict, pages: dict, handler: dict) -> str:
    bare, page = pages[BARE], pages[landing]
    # Each round measures the two pages back to back, so a round's ratio shares that moment's
    # noise (on this 2-core VM a page's rate swings 3× between rounds); the median of the
    # rounds' ratios is the figure.
    shares = [p / b for p, b in zip(page, bare, strict=True)]
    share = statistics.median(shares)
    total = weight["html"] + weight["css"]
    threads = os.environ.get("GUNICORN_THREADS", "2")

    def rounds(values):
        return " · ".join(f"{value:.0f}" for value in values)

    return "\n".join(
        [
            f"Run on {date.today().isoformat()}: {machine()}.",
            f"gunicorn {os.environ.get('WEB_CONCURRENCY', '3')} workers × {threads} threads "
            "(portal/gunicorn.conf.py), production settings; wrk, 1 thread, "
            f"{args.connections} keep-alive connections, on the same machine; {args.rounds} "
            f"rounds of {args.seconds} s per page, alternating.",
            "",
            "| page | requests/s per round | median requests/s |",
            "|---|---|---:|",
            f"| bare Django view `{BARE}` | {rounds(bare)} | {statistics.median(bare):.0f} |",
            f"| station landing page `/s/<token>/` | {rounds(page)} | "
            f"{statistics.median(page):.0f} |",
            "",
            f"| landing ÷ bare, round by round | median | target ≥ {TARGET_SHARE:.0%} |",
            "|---|---:|:---:|",
            "| "
            + " · ".join(f"{value:.0%}" for value in shares)
            + f" | {share:.0%} | {_mark(share >= TARGET_SHARE)} |",
            "",
            f"| first load | HTML bytes | CSS bytes ({weight['stylesheets']} stylesheet) | total "
            f"| target < {TARGET_BYTES // 1024} KB |",
            "|---|---:|---:|---:|:---:|",
            f"| station landing page | {weight['html']} | {weight['css']} | {total} "
            f"({total / 1024:.1f} KB) | {_mark(total < TARGET_BYTES)} |",
            "",
            f"| in process ({args.in_process} requests each) | median ms |",
            "|---|---:|",
            *(f"| {name} | {ms:.2f} |" for name, ms in handler.items()),
        ]
    )


def _mark(met: bool) -> str:
    return "✓" if met else "✗"


if __name__ == "__main__":
    main()
