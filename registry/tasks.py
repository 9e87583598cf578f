from celery import shared_task
from django.utils import timezone

from portal.background import enqueue
from registry import services
from registry.care import remind_due_visits
from registry.imports import jobs


@shared_task
def remind_care_visits() -> int:
    """三必访 reminders, scheduled daily at 08:00 by the periodic task of migration 0003.

    Safe to run twice a day (a visit is reminded at most once a day); catches up on missed days."""
    return remind_due_visits(timezone.localdate())


@shared_task
def read_import(job_id: int) -> None:
    """Read an uploaded survey list into rows for staff to review."""
    jobs.read(job_id)


@shared_task
def commit_import(job_id: int) -> None:
    """Save the valid rows of a reviewed survey list as workers."""
    jobs.commit(job_id)


@shared_task
def purge_abandoned_imports() -> int:
    """Delete survey lists left unsaved for a week; scheduled daily by migration 0006."""
    return jobs.purge_abandoned()


@shared_task
def anonymise_departed_workers() -> int:
    """Retention: anonymise workers who left more than REGISTRY_ANONYMISE_AFTER_DAYS ago,
    scheduled daily at 04:15 by the periodic task of migration 0007. Safe to run twice."""
    return services.anonymise_departed(timezone.now())


@shared_task
def sweep_imports() -> int:
    """Send again the survey lists stalled waiting to be read or saved (jobs.stalled): those
    uploaded or saved while Redis was down. Scheduled every 10 minutes by migration 0008; returns
    how many jobs it sent."""
    to_read, to_save = jobs.stalled()
    for job_id in to_read:
        enqueue(read_import, job_id)
    for job_id in to_save:
        enqueue(commit_import, job_id)
    return len(to_read) + len(to_save)
