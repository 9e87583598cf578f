"""/healthz: is the database, the cache and the broker reachable? JSON, 200 or 503.

Only "ok" or "failed" per component: no hostnames, ports, users or error texts, which would tell
an outsider how the portal is built. The error class goes to the log for the operator.

With a read replica (DATABASE_REPLICA_URL), "replica" is "ok" or "degraded" (down, or further
behind than REPLICA_MAX_LAG_SECONDS: the primary serves its reads meanwhile). A degraded replica
alone still answers 200, with "status": "degraded": the load balancer keeps the web process,
which works, and monitoring sees what is wrong. Its state is the one the process last found
(portal.replica, at most REPLICA_CHECK_SECONDS old).

With an object store (S3_BUCKET), "storage" is "ok" or "degraded" in the same way: while it is
down, pages, check-ins and suggestions without a photo work, and an upload answers with a page
saying nothing was saved (portal.outage.StoreOutage); taking every web host out of the load
balancer because the store they share is down would stop all of that too.
"""

import logging
import uuid

from django.core.cache import cache
from django.core.files.storage import storages
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from storages.backends.s3 import S3Storage

from portal import replica
from portal.celery import app as celery_app

logger = logging.getLogger(__name__)


def check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_cache():
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    if cache.get(key) != "1":
        raise RuntimeError("cache did not return what was stored")
    cache.delete(key)


def check_broker():
    if celery_app.conf.task_always_eager:
        return  # no broker configured: tasks run in-process
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, timeout=3)


def check_storage():
    """The private bucket answers, within S3_TIMEOUT."""
    store = storages["default"]
    store.connection.meta.client.head_bucket(Bucket=store.bucket_name)


CHECKS = {"database": check_database, "cache": check_cache, "broker": check_broker}


def passes(name: str, check) -> bool:
    try:
        check()
    except Exception as exc:  # any failure of the component means "failed"
        logger.warning("healthz: %s check failed (%s)", name, type(exc).__name__)
        return False
    return True


@never_cache
@require_GET
def healthz(request):
    results = {name: "ok" if passes(name, check) else "failed" for name, check in CHECKS.items()}
    healthy = all(value == "ok" for value in results.values())
    if replica.configured():
        results["replica"] = "ok" if replica.state() == replica.OK else "degraded"
    if isinstance(storages["default"], S3Storage):
        results["storage"] = "ok" if passes("storage", check_storage) else "degraded"
    status = "ok" if healthy else "failed"
    if healthy and "degraded" in results.values():
        status = "degraded"
    return JsonResponse({"status": status, **results}, status=200 if healthy else 503)
