"""Lunchtime at the stations: the signed-in rider's 报到 (check-in) POST beside the landing page,
the suggestion post and their floors, for docs/SCALING.md's requests per second per core.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_checkin \\
    REDIS_URL=redis://127.0.0.1:6379/5 .venv/bin/python -m bench.checkin

Migrates and seeds as bench/landing.py does (the demo city and the benchmark station) with
`seed_demo --workers N` synthetic workers, and signs each of them in: a rider's session as the
texted code leaves it (registry.services.riders), written straight into the session table. Then
it starts the real web server (bin/start-web: gunicorn, production settings; bench/settings.py
lifts the submission limits, which are still checked on every post) and has wrk run, in
alternating rounds of equal length so the machine's noise falls on all alike:

- the bare Django view (`GET /bench/bare/`), the floor of every page;
- the station's landing page, which a rider's scan opens;
- the floor of a write: a bare view that parses a form and commits one INSERT (`/bench/insert/`);
- the check-in (`POST /s/<token>/check-in/`), each request as the next rider in turn, so that every
  one of them is a counted visit (a rider's second tap within 30 minutes is not counted, and costs
  less): the session read, the rider, the per-station and per-mobile limits, and the visit
  recorded under a lock on the rider's row (stations.checkin);
- the suggestion post without a photo (bench/suggestion.py's form).

Afterwards the visits recorded are counted against the check-ins wrk reports. It prints Markdown
tables: requests per second of each round and their medians, per core, and each as a share of
the bare view's and of the INSERT floor's.
"""

import argparse
import os
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from bench.landing import seed, wrk
from bench.roster import BARE, SERVER_ENVIRONMENT, fill, machine, web_server
from bench.suggestion import INSERT, csrf_token, lua

SETTLE_SECONDS = 3


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="rounds of each request")
    parser.add_argument("--seconds", type=int, default=5, help="length of one round")
    parser.add_argument("--connections", type=int, default=8, help="wrk's open connections")
    parser.add_argument("--riders", type=int, default=20_000, help="riders signed in")
    parser.add_argument("--port", type=int, default=8102)
    args = parser.parse_args()
    wrk_program = shutil.which("wrk")
    if wrk_program is None:
        sys.exit("wrk is needed: apt-get install wrk")

    work = Path(tempfile.mkdtemp(prefix="bench-checkin-"))
    os.environ.update(SERVER_ENVIRONMENT, MEDIA_ROOT=str(work / "media"))
    import django

    django.setup()
    from stations.models import StationVisit

    try:
        landing = seed()
        filled = fill(args.riders)
        sessions = signed_in_riders(args.riders, landing.split("/")[2])
        with web_server(args.port) as server:
            suggest = landing + "suggest/"
            requests = {
                "bare Django view": (BARE, ""),
                "landing page": (landing, ""),
                "floor: a form parsed, one INSERT": (
                    INSERT,
                    lua(work, server.port, INSERT, None, suggest),
                ),
                "check-in": (
                    landing + "check-in/",
                    check_in_script(work, server.port, suggest, sessions),
                ),
                "suggestion without a photo": (
                    suggest,
                    lua(work, server.port, suggest, photo=None),
                ),
            }
            visits_before = StationVisit.objects.count()
            rounds = {name: [] for name in requests}
            for _ in range(args.rounds):
                for name, (path, script) in requests.items():
                    rounds[name].append(
                        wrk(wrk_program, server.port, path, args.seconds, args.connections, script)
                    )
                    time.sleep(SETTLE_SECONDS)  # the posts still in flight are finished
        visits = StationVisit.objects.count() - visits_before
        posted = sum(rounds["check-in"]) * args.seconds
        if posted > len(sessions):
            sys.exit(f"{posted:.0f} check-ins for {len(sessions)} riders: sign in more (--riders).")
        if visits < 0.95 * posted:
            sys.exit(f"Only {visits} visits recorded for about {posted:.0f} check-ins.")
        print(report(args, filled, rounds, visits, posted))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def signed_in_riders(count: int, token: str) -> list[str]:
    """Session keys of `count` riders signed in, one each, as registry.services.riders.sign_in
    leaves them: riders whose check-in at the station would be counted now (none in the last
    30 minutes, which an earlier run may have made)."""
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from registry.models import Worker
    from registry.services.riders import SESSION_KEY
    from stations.checkin import SAME_VISIT
    from stations.models import StationVisit

    store = SessionStore()
    expires = timezone.now() + timedelta(days=1)
    visited = StationVisit.objects.filter(
        station__token=token, created_at__gt=timezone.now() - SAME_VISIT
    ).values("worker")
    riders = Worker.objects.consenting().exclude(pk__in=visited).order_by("pk")
    sessions = [
        Session(
            session_key=secrets.token_hex(16),
            session_data=store.encode({SESSION_KEY: pk}),
            expire_date=expires,
        )
        for pk in riders.values_list("pk", flat=True)[:count]
    ]
    if len(sessions) < count:
        sys.exit(f"Only {len(sessions)} workers to sign in, not {count}.")
    Session.objects.bulk_create(sessions, batch_size=5000)
    return [session.session_key for session in sessions]


def check_in_script(work: Path, port: int, form: str, sessions: list[str]) -> str:
    """A wrk script that taps 报到 as the next signed-in rider on each request; each round (a
    wrk of its own) goes on from the rider where the last one stopped (a file keeps the place)."""
    token = csrf_token(port, form)
    riders, place = work / "sessions.txt", work / "next-rider.txt"
    riders.write_text("\n".join(sessions) + "\n")
    place.write_text("0")
    script = work / "check-in.lua"
    script.write_text(
        "\n".join(
            [
                "local sessions = {}",
                f'for line in io.lines("{riders}") do',
                "  sessions[#sessions + 1] = line",
                "end",
                f'local file = assert(io.open("{place}"))',
                "local first = tonumber(file:read('*a'))",
                "file:close()",
                "local next_rider = first",
                "request = function()",
                "  next_rider = next_rider % #sessions + 1",
                "  return wrk.format('POST', nil, {",
                "    ['Content-Type'] = 'application/x-www-form-urlencoded',",
                f"    ['Cookie'] = 'csrftoken={token}; sessionid=' .. sessions[next_rider],",
                f"  }}, 'csrfmiddlewaretoken={token}')",
                "end",
                "done = function(summary, latency, requests)",
                f'  local file = assert(io.open("{place}", "w"))',
                "  file:write(tostring((first + summary.requests) % #sessions))",
                "  file:close()",
                "end",
            ]
        )
    )
    return str(script)


def report(args, filled, rounds, visits, posted) -> str:
    bare, floor = rounds["bare Django view"], rounds["floor: a form parsed, one INSERT"]
    cores = os.cpu_count()

    def joined(values, pattern="{:.0f}"):
        return " · ".join(pattern.format(value) for value in values)

    def share(values, base):
        return statistics.median([v / b for v, b in zip(values, base, strict=True)])

    lines = [
        f"Run on {date.today().isoformat()}: {machine()}.",
        f"{filled}. gunicorn {os.environ.get('WEB_CONCURRENCY', '3')} workers × "
        f"{os.environ.get('GUNICORN_THREADS', '2')} threads, production settings, Redis cache; "
        f"wrk, 1 thread, {args.connections} keep-alive connections, on the same machine (its "
        f"{cores} cores shared by gunicorn, PostgreSQL, Redis and wrk); {args.rounds} rounds of "
        f"{args.seconds} s each, alternating.",
        "",
        "| request | requests/s per round | median | per core | ÷ bare | ÷ INSERT floor |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for name, values in rounds.items():
        median = statistics.median(values)
        lines.append(
            f"| {name} | {joined(values)} | {median:.0f} | {median / cores:.0f} | "
            f"{share(values, bare):.0%} | {share(values, floor):.0%} |"
        )
    lines += [
        "",
        f"Visits recorded during the run: {visits}; check-ins wrk counted: about {posted:.0f}.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
