"""The points ledger at province size: `verify_points` over 5,000,000 entries and a community's
monthly leaderboard.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_rewards .venv/bin/python -m bench.ledger

Migrates, then fills the database with SQL (INSERT … SELECT over generate_series, so it takes a
minute or two, not hours): 300 communities of one street, 1,000,000 workers spread evenly over
them, 5,000,000 entries over two years (a tenth of them spending), and each worker's balance as
the sum of their entries. A re-run finds the rows there and only measures. It prints a Markdown
table: the time of `verify_points` (the points issue's target: under 60 s) and of the leaderboard
query of one community (the median of 20 runs, warm cache), with its query plan's top line.
"""

import os
import statistics
import time

WORKERS = 1_000_000
ENTRIES = 5_000_000
COMMUNITIES = 300

FILL = [
    # Workers: the fields the registry requires, names 孙1 … and mobiles 150…
    (
        """
        INSERT INTO registry_worker (name, name_pinyin, name_initials, mobile, mobile_tail,
            occupation, platform, platform_other, area_id, political_status, party_branch,
            membership_held_at, is_mobile_party_member, id_number, id_number_hash, status,
            consent_version, consented_at, created_at, updated_at)
        SELECT '孙' || n, 'sun' || n, 's', (15000000000 + n)::text,
            right((15000000000 + n)::text, 4), 'food_delivery', 'meituan', '',
            communities.ids[1 + mod(n, %(communities)s)], 'masses', '', '', false, '', '',
            'confirmed', 'bench', now(), now() - mod(n, 1000) * interval '1 day', now()
        FROM generate_series(1, %(workers)s) AS n,
            (SELECT array_agg(id ORDER BY id) AS ids FROM portal_area WHERE level = 'community')
                AS communities
        """
    ),
    # Entries over two years, in time order (as a live ledger fills): each worker's fifth is
    # their last, and half of those spend 3 points of the 4 or more that the first four earned.
    (
        """
        INSERT INTO points_entry (worker_id, amount, kind, cause, note, created_at)
        SELECT workers.first + mod(n::bigint * 7919, %(workers)s),
            CASE WHEN n > 4 * %(workers)s AND mod(n, 2) = 0 THEN -3 ELSE 1 + mod(n, 20) END,
            CASE WHEN n > 4 * %(workers)s AND mod(n, 2) = 0 THEN 'redemption'
                WHEN mod(n, 3) = 0 THEN 'hazard_accepted' ELSE 'activity' END,
            '', '', now() - interval '730 days' * (1 - n::float / %(entries)s)
        FROM generate_series(1, %(entries)s) AS n,
            (SELECT min(id) AS first FROM registry_worker) AS workers
        """
    ),
    """
    INSERT INTO points_account (worker_id, balance)
    SELECT worker_id, sum(amount) FROM points_entry GROUP BY worker_id
    """,
]
SIZES = {"workers": WORKERS, "entries": ENTRIES, "communities": COMMUNITIES}


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    fill_seconds = fill(connection)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    from points import leaderboard
    from portal.models import Area

    started = time.perf_counter()
    call_command("verify_points")
    verify_seconds = time.perf_counter() - started

    community = Area.objects.filter(level="community").order_by("id").first()
    times = []
    for _ in range(20):
        started = time.perf_counter()
        places = leaderboard.monthly(community)
        times.append(time.perf_counter() - started)
    query, params = leaderboard.top_earners(community).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {query}", params)
        plan = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT count(*) FROM points_entry")
        entries = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM registry_worker WHERE area_id = %s", [community.id])
        members = cursor.fetchone()[0]
    print(f"| entries | {entries:,} |")
    print(f"| filling (s) | {fill_seconds:.0f} |")
    print(f"| verify_points (s) | {verify_seconds:.1f} |")
    print(
        f"| leaderboard of a community of {members:,} workers, median of 20 (ms) | "
        f"{statistics.median(times) * 1000:.1f} |"
    )
    print(f"| leaderboard places | {len(places)} |")
    print()
    print("\n".join(plan))


def fill(connection) -> float:
    from django.db import transaction

    from portal.models import Area, AreaLevel

    if Area.objects.filter(level=AreaLevel.COMMUNITY).count() >= COMMUNITIES:
        return 0.0
    started = time.perf_counter()
    with transaction.atomic():
        _fill(connection)
    return time.perf_counter() - started


def _fill(connection):
    from portal.models import Area, AreaLevel

    city = Area.objects.create(level=AreaLevel.CITY, code="419900", name="基准市")
    district = Area.objects.create(
        level=AreaLevel.DISTRICT, code="419901", name="基准区", parent=city
    )
    street = Area.objects.create(
        level=AreaLevel.STREET, code="419901001", name="基准街道", parent=district
    )
    for number in range(COMMUNITIES):
        Area.objects.create(
            level=AreaLevel.COMMUNITY,
            code=f"419901001{number:03d}",
            name=f"基准社区{number}",
            parent=street,
        )
    with connection.cursor() as cursor:
        for statement in FILL:
            cursor.execute(statement, SIZES)


if __name__ == "__main__":
    main()
