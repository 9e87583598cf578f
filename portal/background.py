"""Background work that outlives a Redis outage and transient failures.

Requests enqueue with enqueue_on_commit(). When the broker cannot be reached the failure is
logged and the request goes on: its change is saved, and the work can always be found again
from the database by its app's periodic sweep (stations.tasks.sweep_qr_codes,
registry.tasks.sweep_imports). Every task retries with backoff when it fails for a moment (Task,
the Celery app's base class), which is safe because every task is idempotent: a run after a
partial one finds what was done and does the rest (CONVENTIONS.md: a task is safe to run twice).
"""

import logging
from functools import partial

from celery import Task as CeleryTask
from django.db import InterfaceError, OperationalError, transaction
from kombu.exceptions import OperationalError as BrokerUnreachable
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# What Redis away raises: from the cache (redis-py; BusyLoadingError, while a restarted Redis
# loads, is a ConnectionError) and from Celery's broker (kombu).
REDIS_UNREACHABLE = (RedisConnectionError, RedisTimeoutError, BrokerUnreachable)

# The database connection lost (a restart, a fail-over, a terminated backend) or a deadlock.
DATABASE_UNREACHABLE = (OperationalError, InterfaceError)

# Failures that pass by themselves; OSError covers the mail and SMS providers' network errors
# (smtplib's errors are OSErrors too).
TRANSIENT = (*REDIS_UNREACHABLE, *DATABASE_UNREACHABLE, OSError)


class Task(CeleryTask):
    """Every task of the portal (portal/celery.py makes it the app's base class): on a transient
    failure it is tried again up to 6 times, about 5 s, 10 s, 20 s … apart (random within each
    step, so the tasks one restart failed do not all come back at once), at most 10 minutes.
    A task may still set its own options in @shared_task(…)."""

    autoretry_for = TRANSIENT
    retry_backoff = 5
    retry_backoff_max = 600
    retry_jitter = True
    max_retries = 6


def enqueue(task, *args) -> bool:
    """Send `task` to the workers; False, with a warning in the log, when the broker cannot be
    reached. Only for work a periodic sweep finds again from the database. The arguments are
    primary keys, so the log holds nothing personal."""
    try:
        task.delay(*args)
    except REDIS_UNREACHABLE as error:
        logger.warning(
            "could not enqueue %s%r (%s); the periodic sweep will do it",
            task.name,
            args,
            type(error).__name__,
        )
        return False
    return True


def enqueue_on_commit(task, *args) -> None:
    """enqueue() once the current transaction commits, so the worker sees the saved rows."""
    transaction.on_commit(partial(enqueue, task, *args))
