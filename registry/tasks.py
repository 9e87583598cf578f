from celery import shared_task

from registry import imports


@shared_task
def read_import(job_id: int) -> None:
    """Read an uploaded survey list into rows for staff to review."""
    imports.read(job_id)


@shared_task
def commit_import(job_id: int) -> None:
    """Save the valid rows of a reviewed survey list as workers."""
    imports.commit(job_id)
