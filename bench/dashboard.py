"""The dashboard at province scale: how fast officials read it, and what keeping it counted costs.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_province \
        .venv/bin/python -m bench.dashboard

Fills the database with bench/province.py if it is empty (1,000,000 workers, 5,000,000 points
entries, 1,000,000 suggestions, 2,000 stations over 河南省's 3,840 communities), then in one run:

- counts every figure from scratch (`refresh_dashboard --all`) when there are none yet or with
  `--rebuild`, then times the refresh that beat runs every few minutes (the current figures and
  the last two days) and the nightly one (35 days);
- starts the real web server (bin/start-web: gunicorn, production settings) with a bare Django
  view beside the portal, and times the dashboard as a province, city and district official and
  as a community's staff member, for this month and for the last 12 months, and the Excel export,
  one request of each after the other, so the machine's noise falls on all alike;
- times the rates page (by area and department) and the monthly ranking of departments and
  streets (issue 17, point 11) as the province, city and district officials;
- counts each page's queries in process (they must not grow with the data);
- checks a few stored figures, the rates' counts among them, against a direct count of the
  apps' tables, and times that count: what the page would cost without the stored figures.

It prints Markdown tables for docs/BENCHMARKS.md. The dashboard issue's target: under 300 ms at
the median, with a bounded number of queries.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import date, timedelta
from urllib.parse import urlencode

from bench.roster import SERVER_ENVIRONMENT, Page, get, machine, session_cookie, web_server

BARE = "/bench/bare/"
DASHBOARD = "/staff/dashboard/"
EXPORT = "/staff/dashboard/export.xlsx"
RATES = "/staff/dashboard/rates/"
RANKING = "/staff/dashboard/ranking/"
TARGET_MS = 300
# bench/province.py's staff: officials of the province, its first city and first district, and
# the staff of the first community.
USERS = {
    "province official": "province_official",
    "city official": "city_official",
    "district official": "district_official",
    "community staff": "community_staff",
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=3, help="untimed rounds first")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument(
        "--rebuild", action="store_true", help="count every figure from scratch first, timed"
    )
    parser.add_argument(
        "--pages-only",
        action="store_true",
        help="time the pages on the figures as they are stored, without timing any recount",
    )
    args = parser.parse_args()

    os.environ.update({**SERVER_ENVIRONMENT, "ALLOWED_HOSTS": "127.0.0.1,testserver"})
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("Point DATABASE_URL at a scratch PostgreSQL database: the benchmark fills it.")
    sizes = fill()
    refreshes = [] if args.pages_only else time_refreshes(args.rebuild)
    cookies = {who: session_cookie(username) for who, username in USERS.items()}
    cases = page_cases(cookies)
    with web_server(args.port) as server:  # it collects the static files the pages name
        queries = {(page.name, page.who): count_queries(page) for page in cases[1:]}
        time_pages(server, cases, args.requests, args.warmup)
    print(report(args, sizes, refreshes, cases, queries, agreement()))


def fill() -> dict:
    from django.core.management import call_command
    from django.db import connection

    from bench import province

    call_command("migrate", interactive=False, verbosity=0)
    if province.fill(connection):
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    tables = [
        "registry_worker",
        "points_entry",
        "feedback_suggestion",
        "feedback_task",
        "feedback_taskextension",
        "feedback_tasksupervision",
        "feedback_event",
        "feedback_callback",
        "stations_station",
        "stations_stationvisit",
        "registry_checkin",
        "portal_area",
    ]
    with connection.cursor() as cursor:
        sizes = {}
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608  (our own table names)
            sizes[table] = cursor.fetchone()[0]
    return sizes


def time_refreshes(rebuild: bool) -> list[tuple[str, float, int]]:
    from django.db import connection

    from dashboard import refresh
    from dashboard.models import Figure

    timings = []
    if rebuild or not Figure.objects.exists():
        started = time.perf_counter()
        refresh.rebuild()
        full = time.perf_counter() - started
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE dashboard_figure")
        rows = Figure.objects.count()
        timings.append(("every figure from scratch (`refresh_dashboard --all`)", full, rows))
    for label, days in [("beat, every 10 minutes: now + last 2 days", 2), ("nightly: 35 days", 35)]:
        seconds = []
        for _ in range(3):
            started = time.perf_counter()
            done = refresh.refresh_recent(days)
            seconds.append(time.perf_counter() - started)
        timings.append((label, statistics.median(seconds), done.rows))
    return timings


def page_cases(cookies: dict) -> list[Page]:
    from django.utils import timezone

    from portal.models import Area, AreaLevel

    today = timezone.localdate()
    year = {"start": today - timedelta(days=364), "end": today}
    city = Area.objects.filter(level=AreaLevel.CITY).order_by("code").first()
    street = Area.objects.filter(level=AreaLevel.STREET).order_by("code").first()
    cases = [Page("bare Django view", "—", BARE)]
    for who, cookie in cookies.items():
        cases.append(Page("dashboard, this month", who, DASHBOARD, cookie))
        cases.append(
            Page("dashboard, last 12 months", who, f"{DASHBOARD}?{urlencode(year)}", cookie)
        )
    province = cookies["province official"]
    cases += [
        Page(
            "drilled down to a city", "province official", f"{DASHBOARD}?area={city.code}", province
        ),
        Page(
            "drilled down to a street",
            "province official",
            f"{DASHBOARD}?area={street.code}",
            province,
        ),
        Page(
            "Excel export, last 12 months",
            "province official",
            f"{EXPORT}?{urlencode(year)}",
            province,
        ),
    ]
    # The rates by area and department, and the monthly ranking (issue 17, point 11).
    last_month = (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    for who in ["province official", "city official", "district official"]:
        cases += [
            Page("rates, this month", who, RATES, cookies[who]),
            Page("rates, last 12 months", who, f"{RATES}?{urlencode(year)}", cookies[who]),
            Page("ranking, last month", who, f"{RANKING}?month={last_month}", cookies[who]),
        ]
    return cases


def count_queries(page: Page) -> int:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    name, value = page.cookie.split("=", 1)
    client.cookies[name] = value
    with CaptureQueriesContext(connection) as context:
        response = client.get(page.path)
        b"".join(response.streaming_content) if response.streaming else response.content
    assert response.status_code == 200, (page.path, response.status_code)
    return len(context)


def time_pages(server, cases: list[Page], requests: int, warmup: int) -> None:
    for round_ in range(warmup + requests):
        for page in cases:  # round after round, so noise spreads over all pages alike
            response = get(server, page.path, page.cookie)
            if round_ >= warmup:
                page.seconds.append(response.seconds)


def agreement() -> list[tuple[str, int, int, float, float]]:
    """(figure, stored, counted directly, ms to read the stored, ms to count) for the province."""
    from django.db.models import Sum
    from django.utils import timezone

    from dashboard.summary import Period, Summary
    from feedback.models import State, Suggestion
    from points.models import Entry
    from portal.dates import local_midnight
    from portal.models import Area, AreaLevel
    from registry.models import Worker, WorkerStatus

    province = Area.objects.get(level=AreaLevel.PROVINCE)
    today = timezone.localdate()
    month = Period(today.replace(day=1), today)
    since = local_midnight(month.start)

    def timed(function):
        started = time.perf_counter()
        value = function()
        return value, (time.perf_counter() - started) * 1000

    stored, stored_ms = timed(lambda: Summary(province, month).total)
    checks = [
        (
            "registered workers",
            stored.registered(),
            lambda: Worker.objects.within(province).exclude(status=WorkerStatus.LEFT).count(),
        ),
        (
            "suggestions waiting for assessment",
            stored.total(stored.now, "suggestions", State.SUBMITTED),
            lambda: Suggestion.objects.within(province).filter(state=State.SUBMITTED).count(),
        ),
        (
            "points earned this month",
            stored.total(stored.period, "points_earned"),
            lambda: (
                Entry.objects.filter(created_at__gte=since, amount__gt=0)
                .exclude(kind__in=["refund", "merged"])
                .aggregate(n=Sum("amount"))["n"]
                or 0
            ),
        ),
    ]
    checks += rate_checks(province, month, stored)
    rows = []
    for label, value, count in checks:
        direct, direct_ms = timed(count)
        rows.append((label, value, direct, stored_ms, direct_ms))
    return rows


def rate_checks(province, month, stored) -> list[tuple]:
    """The month's rate counts of the province, against counting the tasks and suggestions."""
    from django.db.models import Exists, F, OuterRef, Q

    from dashboard import rates
    from dashboard.models import Refresh
    from feedback.models import Callback, Event, State, Suggestion, Task
    from portal.dates import local_midnight

    # A deadline counts once it has passed, so the direct count is taken as of the moment the
    # stored figures were counted: a deadline passing since would otherwise count on one side only.
    now = Refresh.objects.latest().started_at
    start, end = local_midnight(month.start), local_midnight(month.end + timedelta(days=1))
    tasks = Task.objects.counted()
    due = tasks.filter(due_at__gte=start, due_at__lt=end).filter(
        Q(due_at__lte=now) | Q(done_at__isnull=False)
    )
    acknowledging = tasks.filter(acknowledge_by__gte=start, acknowledge_by__lt=end).filter(
        Q(acknowledge_by__lte=now) | Q(acknowledged_at__isnull=False)
    )
    reopened = Event.objects.filter(suggestion=OuterRef("pk"), kind=Event.Kind.REOPENED)
    closed = Suggestion.objects.filter(state=State.CLOSED, closed_at__gte=start, closed_at__lt=end)
    called = Callback.objects.filter(
        satisfaction__isnull=False, created_at__gte=start, created_at__lt=end
    )

    def rate(names):
        part, whole = names
        return stored.total(stored.period, part), stored.total(stored.period, whole)

    on_time, response = rate(rates.ON_TIME), rate(rates.RESPONSE)
    resolution, callbacks = rate(rates.RESOLUTION), rate(rates.SATISFACTION_CALLBACK)
    return [
        ("tasks due this month", on_time[1], due.count),
        ("of them done on time", on_time[0], lambda: due.filter(done_at__lte=F("due_at")).count()),
        ("tasks to acknowledge this month", response[1], acknowledging.count),
        (
            "of them acknowledged in time",
            response[0],
            lambda: acknowledging.filter(acknowledged_at__lte=F("acknowledge_by")).count(),
        ),
        ("suggestions closed this month", resolution[1], closed.count),
        (
            "of them resolved, never reopened",
            resolution[0],
            lambda: closed.exclude(Exists(reopened)).filter(resolved_at__isnull=False).count(),
        ),
        ("callbacks that reached the rider", callbacks[1], called.count),
        (
            "tasks returned this month",
            stored.total(stored.period, rates.RETURNS),
            lambda: Task.objects.filter(returned_at__gte=start, returned_at__lt=end).count(),
        ),
    ]


def report(args, sizes, refreshes, cases, queries, checks) -> str:
    bare = cases[0].median_ms
    size_text = ", ".join(f"{table} {n:,}" for table, n in sizes.items())
    lines = [
        f"Run on {date.today().isoformat()}: {machine()}.",
        f"Rows: {size_text}.",
        f"gunicorn {os.environ.get('WEB_CONCURRENCY', '3')} workers, production settings. "
        f"{args.requests} timed requests per page after {args.warmup} warm-up rounds, pages "
        "interleaved round by round; times are client-side, full response read.",
        "",
        "| refresh | seconds | figure rows written |",
        "|---|---:|---:|",
        *(f"| {label} | {seconds:.1f} | {rows:,} |" for label, seconds, rows in refreshes),
        "",
        f"| page | as | queries | median ms | p95 ms | median ÷ bare | target ≤ {TARGET_MS} ms |",
        "|---|---|---:|---:|---:|---:|:---:|",
    ]
    for page in cases:
        is_bare = page.path == BARE
        lines.append(
            f"| {page.name} | {page.who} | {'' if is_bare else queries[page.name, page.who]} | "
            f"{page.median_ms:.1f} | {page.p95_ms:.1f} | {page.median_ms / bare:.1f}× | "
            f"{'' if is_bare else ('✓' if page.median_ms <= TARGET_MS else '✗')} |"
        )
    lines += [
        "",
        "| province figure | stored | counted directly | agree | read stored ms | count ms |",
        "|---|---:|---:|:---:|---:|---:|",
        *(
            f"| {label} | {stored:,} | {direct:,} | {'✓' if stored == direct else '✗'} | "
            f"{stored_ms:.1f} | {direct_ms:.0f} |"
            for label, stored, direct, stored_ms, direct_ms in checks
        ),
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
