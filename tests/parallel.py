"""What each process of a parallel run (pytest-xdist, `-n`) keeps to itself.

pytest-django gives each worker a test database of its own (test_portal_gw0, test_portal_gw1 …);
this gives each one a Redis database of its own: REDIS_URL's number plus the worker's, so
redis://127.0.0.1:6379/14 is db 14 for gw0 and 15 for gw1. Every test empties the cache
(tests/conftest.py), which on Redis flushes the whole database, and a Celery worker started by a
`services` test takes the tasks queued there: two test processes on one database would flush
and steal each other's. Loaded with `-p tests.parallel` (pyproject.toml), before pytest-django reads
the settings, so the cache, the Celery broker and every process a test starts see the worker's
REDIS_URL.
"""

import os
from urllib.parse import urlsplit

import pytest

# Redis's default `databases`: numbers 0 to 15.
REDIS_DATABASES = 16


def redis_url_for_worker(url: str, worker: int) -> str:
    parts = urlsplit(url)
    number = int(parts.path.strip("/") or 0) + worker
    if number >= REDIS_DATABASES:
        raise pytest.UsageError(
            f"REDIS_URL={url} gives test process {worker} Redis database {number}, past the last "
            f"({REDIS_DATABASES - 1}): use a lower database number or fewer processes (-n)."
        )
    return parts._replace(path=f"/{number}").geturl()


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config):
    worker = os.environ.get("PYTEST_XDIST_WORKER")  # gw0, gw1 …; unset when not in parallel
    if worker:
        for name in ("REDIS_URL", "CELERY_BROKER_URL"):
            if os.environ.get(name, "").startswith("redis"):
                os.environ[name] = redis_url_for_worker(os.environ[name], int(worker[2:]))


def drop_test_database_with_force(self, test_database_name, verbosity):
    """Django's own DROP DATABASE, WITH (FORCE) (PostgreSQL 13+): a connection pooler in front of
    PostgreSQL (CI's PgBouncer, .ci/run) keeps idle server connections to the test database after
    the tests close theirs, and a plain DROP waits five seconds for them and fails. FORCE ends
    them; PgBouncer drops a server connection that PostgreSQL ended and opens another when asked.
    Only at the end of the run, when no test is left to use them."""
    with self._nodb_cursor() as cursor:
        cursor.execute(
            f"DROP DATABASE {self.connection.ops.quote_name(test_database_name)} WITH (FORCE)"
        )


def pytest_configure(config):
    from django.db.backends.postgresql.creation import DatabaseCreation

    DatabaseCreation._destroy_test_db = drop_test_database_with_force
