"""Where a dashboard page's time goes, in process: its SQL against its total, as an official.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_province \
        .venv/bin/python -m bench.dashboard_profile summary12 ranking   # PROFILE=1 adds cProfile

Pages: summary (this month), summary12, rates12 and export12 (the last 12 months), ranking (last
month), for the province official of bench/province.py (or `--as city_official` …). Each is read
twice untimed, five times timed (median printed), then once with its queries captured: the five
slowest are printed with their time.
"""

import argparse
import cProfile
import os
import pstats
import statistics
import time
from datetime import timedelta
from urllib.parse import urlencode

from bench.roster import SERVER_ENVIRONMENT, session_cookie


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pages", nargs="*")
    parser.add_argument("--as", dest="username", default="province_official")
    args = parser.parse_args()
    os.environ.update({**SERVER_ENVIRONMENT, "ALLOWED_HOSTS": "127.0.0.1,testserver"})
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    today = timezone.localdate()
    year = urlencode({"start": today - timedelta(days=364), "end": today})
    last_month = (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    pages = {
        "summary": "/staff/dashboard/",
        "summary12": f"/staff/dashboard/?{year}",
        "rates12": f"/staff/dashboard/rates/?{year}",
        "export12": f"/staff/dashboard/export.xlsx?{year}",
        "ranking": f"/staff/dashboard/ranking/?month={last_month}",
    }
    client = Client()
    name, value = session_cookie(args.username).split("=", 1)
    client.cookies[name] = value

    def get(path):
        response = client.get(path)
        b"".join(response.streaming_content) if response.streaming else response.content
        assert response.status_code == 200, (path, response.status_code)

    for page in args.pages or pages:
        path = pages[page]
        get(path), get(path)
        seconds = []
        for _ in range(5):
            started = time.perf_counter()
            get(path)
            seconds.append(time.perf_counter() - started)
        with CaptureQueriesContext(connection) as context:
            get(path)
        queries = sorted(
            ((float(query["time"]), query["sql"]) for query in context.captured_queries),
            reverse=True,
        )
        print(
            f"== {page}: median {statistics.median(seconds) * 1000:.0f} ms; {len(queries)} "
            f"queries, {sum(t for t, _sql in queries) * 1000:.0f} ms of SQL"
        )
        for spent, sql in queries[:5]:
            print(f"   {spent * 1000:6.0f} ms  {sql[:150]}")
        if os.environ.get("PROFILE"):
            profile = cProfile.Profile()
            profile.runcall(get, path)
            pstats.Stats(profile).sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
