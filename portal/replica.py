"""Heavy reads from a streaming replica of PostgreSQL (DATABASE_REPLICA_URL), everything else
from the primary.

A view opts in with `@reads_from_replica` (the dashboard, the rosters and their exports, the
Open311 reads, the friendly map, the leaderboards). Its reads go to the replica only while all of
these hold, otherwise to the primary:

- the request is a GET or HEAD, and has written nothing yet (the router's db_for_write notes a
  write; a write in an open transaction on the primary counts too);
- the user has not written within REPLICA_AFTER_WRITE_SECONDS (a mark in their session, set by
  `ReplicaMiddleware` after any request that wrote), so nobody misses their own change;
- the replica answers and is at most REPLICA_MAX_LAG_SECONDS behind: checked at most every
  REPLICA_CHECK_SECONDS per process and remembered in memory, so a replica that is down costs
  one failed connection per process per interval, not one per request.

A replica that fails in the middle of a view (it stopped after the last check) makes the view
run once more, on the primary: a read-only view is safe to repeat.

Without DATABASE_REPLICA_URL there is no "replica" alias, no router, and all of this does nothing.
Migrations run on the primary only; the replica receives them by streaming.
"""

import logging
import math
import time
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections

logger = logging.getLogger(__name__)

REPLICA = "replica"
WROTE_AT = "replica:wrote_at"  # session key: when this user's last write was (time.time())

OK, LAGGING, DOWN = "ok", "lagging", "down"


@dataclass
class _Request:
    """What the router needs to know of the request being served."""

    replica_allowed: bool = False  # inside a @reads_from_replica view, and nothing speaks against
    wrote: bool = False
    read_replica: bool = False


_request: ContextVar[_Request | None] = ContextVar("replica_request", default=None)


def configured() -> bool:
    return REPLICA in settings.DATABASES


# The replica's state, per process: (state, monotonic time of the check).
_last_check: tuple[str, float] = (DOWN, -math.inf)


def forget_state() -> None:
    """The next question about the replica checks it again."""
    global _last_check
    _last_check = (DOWN, -math.inf)


def _mark_down() -> None:
    global _last_check
    _last_check = (DOWN, time.monotonic())


def lag_seconds() -> float:
    """How far the replica is behind the primary, in seconds: 0 when it has replayed everything
    the primary had written when asked, else the age of the last transaction it replayed. (The
    age alone would grow while an idle primary writes nothing, so positions are compared first.)
    Raises the database's error when either is unreachable."""
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        (position,) = cursor.fetchone()
    with connections[REPLICA].cursor() as cursor:
        cursor.execute(
            "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn() >= %s::pg_lsn,"
            " EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())",
            [position],
        )
        recovering, caught_up, age = cursor.fetchone()
    if not recovering:
        raise RuntimeError("DATABASE_REPLICA_URL is not a streaming replica (not in recovery)")
    if caught_up:
        return 0.0
    return math.inf if age is None else float(age)


def state() -> str:
    """OK, LAGGING or DOWN; checked at most every REPLICA_CHECK_SECONDS in this process."""
    global _last_check
    if not configured():
        return DOWN
    known, checked_at = _last_check
    now = time.monotonic()
    if now - checked_at < settings.REPLICA_CHECK_SECONDS:
        return known
    try:
        lag = lag_seconds()
    except Exception as exc:  # whatever the failure, the primary serves the reads
        connections[REPLICA].close()
        logger.warning("replica: down (%s)", type(exc).__name__)
        _last_check = (DOWN, now)
        return DOWN
    if lag > settings.REPLICA_MAX_LAG_SECONDS:
        logger.warning("replica: %.0f s behind the primary", lag)
        _last_check = (LAGGING, now)
        return LAGGING
    _last_check = (OK, now)
    return OK


def wrote_recently(request) -> bool:
    """Whether the session says the user wrote within REPLICA_AFTER_WRITE_SECONDS. No session
    cookie, no question asked: an anonymous page keeps its caching headers (no Vary: Cookie)."""
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False
    wrote_at = request.session.get(WROTE_AT)
    return (
        isinstance(wrote_at, int | float)
        and time.time() - wrote_at < settings.REPLICA_AFTER_WRITE_SECONDS
    )


def reads_from_replica(view):
    """The view's reads may come from the replica (see the module's docstring for when)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        current = _request.get()
        if (
            current is None  # not a request through ReplicaMiddleware (a test's RequestFactory)
            or not configured()
            or request.method not in ("GET", "HEAD")
            or current.wrote
            or wrote_recently(request)  # the session, from the primary
        ):
            return view(request, *args, **kwargs)
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            request.user.is_authenticated  # noqa: B018  (the user too, from the primary)
        current.replica_allowed = True
        try:
            return view(request, *args, **kwargs)
        except (OperationalError, InterfaceError):
            if not (current.read_replica and connections[REPLICA].errors_occurred):
                raise
            if current.wrote:
                raise
            logger.warning("replica: failed during a request, which is served again by the primary")
            connections[REPLICA].close()
            _mark_down()
            current.replica_allowed = False
            return view(request, *args, **kwargs)
        finally:
            current.replica_allowed = False

    return wrapper


@contextmanager
def from_primary():
    """Reads in this block come from the primary: for work in a @reads_from_replica view that
    writes what it computes from its reads (the dashboard's recount on a laptop)."""
    current = _request.get()
    allowed = current is not None and current.replica_allowed
    if allowed:
        current.replica_allowed = False
    try:
        yield
    finally:
        if allowed:
            current.replica_allowed = not current.wrote


class ReplicaMiddleware:
    """Notes whether the request wrote; if it did, the user's reads stay on the primary for
    REPLICA_AFTER_WRITE_SECONDS (a mark in the session, when there is one)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        current = _Request()
        token = _request.set(current)
        try:
            response = self.get_response(request)
        finally:
            _request.reset(token)
        if current.wrote and configured() and not request.session.is_empty():
            request.session[WROTE_AT] = time.time()
        return response


class ReplicaRouter:
    """settings.DATABASE_ROUTERS when DATABASE_REPLICA_URL is set."""

    def db_for_read(self, model, **hints):
        current = _request.get()
        if (
            current is not None
            and current.replica_allowed
            and not current.wrote
            and not connections[DEFAULT_DB_ALIAS].in_atomic_block
            and state() == OK
        ):
            current.read_replica = True
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        current = _request.get()
        # A session saved at the end of every request is no change the user would look for.
        if current is not None and model._meta.app_label != "sessions":
            current.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the primary's rows

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS
