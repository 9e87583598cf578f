from celery import shared_task
from django.utils import timezone

from registry import imports
from registry.care import remind_due_visits


@shared_task
def remind_care_visits() -> int:
    """三必访 reminders, scheduled daily at 08:00 by the periodic task of migration 0003.

    Safe to run twice a day (a visit is reminded at most once a day); catches up on missed days."""
    return remind_due_visits(timezone.localdate())


@shared_task
def read_import(job_id: int) -> None:
    """Read an uploaded survey list into rows for staff to review."""
    imports.read(job_id)


@shared_task
def commit_import(job_id: int) -> None:
    """Save the valid rows of a reviewed survey list as workers."""
    imports.commit(job_id)


@shared_task
def purge_abandoned_imports() -> int:
    """Delete survey lists left unsaved for a week; scheduled daily by migration 0006."""
    return imports.purge_abandoned()
