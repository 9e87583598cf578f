"""An append-only table at tens of millions of rows: what keeps a day's or a month's count fast.

    createdb -h 127.0.0.1 -U postgres portal_scale      # once: a scratch database
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_scale \
        .venv/bin/python -m bench.brin                   # --rows 30000000 --days 1095

Fills `bench_visit`, shaped like `stations_stationvisit` (station, worker, area, local day,
created_at), with `--rows` visits spread evenly over `--days` days in the order they happen,
as an append-only table fills, then times the counts the dashboard's refresh makes of it (the
visits of one day and of 35 days by area, and a month's by station) three ways, side by side:
with no index on the time, with a B-tree on created_at, and with a BRIN index on created_at.
Each count is run 5 times after one untimed run; the median is printed, with each index's size
and build time. Prints Markdown for docs/SCALING.md.
"""

import argparse
import os
import statistics
import time
from datetime import timedelta


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=30_000_000)
    parser.add_argument("--days", type=int, default=1095)
    parser.add_argument("--keep", action="store_true", help="reuse a filled table of that size")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from django.db import connection

    with connection.cursor() as cursor:
        filled = fill(cursor, args.rows, args.days, args.keep)
        cursor.execute(
            "SELECT pg_total_relation_size('bench_visit'), min(day), max(day) FROM bench_visit"
        )
        table_bytes, first, last = cursor.fetchone()
        queries = counts(last)
        rows = []
        for label, index in [
            ("no index on the time", None),
            ("B-tree on created_at", "CREATE INDEX bench_visit_time ON bench_visit (created_at)"),
            (
                "BRIN on created_at",
                "CREATE INDEX bench_visit_time ON bench_visit USING brin (created_at)",
            ),
        ]:
            cursor.execute("DROP INDEX IF EXISTS bench_visit_time")
            built = size = 0
            if index:
                started = time.perf_counter()
                cursor.execute(index)
                built = time.perf_counter() - started
                cursor.execute("SELECT pg_relation_size('bench_visit_time')")
                size = cursor.fetchone()[0]
            cursor.execute("ANALYZE bench_visit")
            rows.append(
                (label, built, size, [timed(cursor, sql, params) for _name, sql, params in queries])
            )
        cursor.execute("DROP INDEX IF EXISTS bench_visit_time")
    print(report(args, filled, table_bytes, first, last, queries, rows))


def fill(cursor, rows: int, days: int, keep: bool) -> float:
    cursor.execute("SELECT to_regclass('bench_visit') IS NOT NULL")
    if keep and cursor.fetchone()[0]:
        cursor.execute("SELECT count(*) FROM bench_visit")
        if cursor.fetchone()[0] == rows:
            return 0.0
    cursor.execute("DROP TABLE IF EXISTS bench_visit")
    cursor.execute(
        """CREATE TABLE bench_visit (
            id bigserial PRIMARY KEY, station_id integer NOT NULL, worker_id integer NOT NULL,
            area_id integer NOT NULL, day date NOT NULL, created_at timestamptz NOT NULL)"""
    )
    started = time.perf_counter()
    # In time order, as visits arrive: row n happens at n × (the period ÷ rows).
    cursor.execute(
        """INSERT INTO bench_visit (station_id, worker_id, area_id, day, created_at)
        SELECT n %% 2000 + 1, (n * 7919) %% 1000000 + 1, n %% 3840 + 1,
               (at AT TIME ZONE 'Asia/Shanghai')::date, at
        FROM (SELECT n, now() - make_interval(days => %s)
                        + make_interval(secs => n * (%s * 86400.0 / %s)) AS at
              FROM generate_series(0::bigint, %s - 1) AS n) AS visits""",
        [days, days, rows, rows],
    )
    seconds = time.perf_counter() - started
    cursor.execute("VACUUM ANALYZE bench_visit")
    return seconds


def counts(last) -> list[tuple[str, str, list]]:
    """(what, SQL, parameters): counts of the days before a day ten days from the end."""
    day = last - timedelta(days=10)
    return [
        (
            "one day's visits by area",
            "SELECT area_id, count(*) FROM bench_visit WHERE created_at >= %s::date"
            " AND created_at < %s::date + 1 GROUP BY area_id",
            [day, day],
        ),
        (
            "35 days by area (the nightly recount)",
            "SELECT area_id, count(*) FROM bench_visit WHERE created_at >= %s::date - 34"
            " AND created_at < %s::date + 1 GROUP BY area_id",
            [day, day],
        ),
        (
            "a month by station",
            "SELECT station_id, count(*) FROM bench_visit WHERE created_at >= %s::date - 30"
            " AND created_at < %s::date GROUP BY station_id",
            [day, day],
        ),
    ]


def timed(cursor, sql: str, params: list) -> float:
    cursor.execute(sql, params)
    seconds = []
    for _ in range(5):
        started = time.perf_counter()
        cursor.execute(sql, params)
        cursor.fetchall()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds) * 1000


def report(args, filled, table_bytes, first, last, queries, rows) -> str:
    from bench.roster import machine

    lines = [
        machine(),
        f"`bench_visit`: {args.rows:,} rows from {first} to {last} ({args.days} days), "
        f"{table_bytes / 2**30:.1f} GB with its primary key"
        + (f"; filled in {filled:.0f} s." if filled else "; filled before."),
        "",
        "| index on the time | built in s | size KB | "
        + " | ".join(f"{name} ms" for name, _sql, _params in queries)
        + " |",
        "|---|---:|---:|" + "---:|" * len(queries),
    ]
    for label, built, size, times in rows:
        cells = " | ".join(f"{ms:,.0f}" for ms in times)
        lines.append(f"| {label} | {built:.1f} | {size / 1024:,.0f} | {cells} |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
