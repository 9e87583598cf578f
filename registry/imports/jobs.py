"""The job: created for an upload, read into rows, saved, finished; and found again when its task
was lost or it was left unsaved. The tasks in registry/tasks.py are one call each into here."""

import logging
import uuid
from collections.abc import Iterable, Iterator
from datetime import timedelta
from itertools import islice

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from portal.background import DATABASE_UNREACHABLE
from registry import services
from registry.imports import saving
from registry.imports.checking import RowChecker
from registry.imports.workbook import first_sheet_rows, header_positions, is_blank
from registry.models import ImportJob, ImportRow

logger = logging.getLogger(__name__)

# Rows per bulk insert while reading, and per transaction while saving.
CHUNK = 1000
Outcome = ImportRow.Outcome
RUNNING = (ImportJob.Status.QUEUED, ImportJob.Status.READING, ImportJob.Status.COMMITTING)

# Kept as English message ids in ImportJob.error and translated when shown.
READ_FAILED = gettext_noop(
    "The file could not be read. Check that it is the survey list saved as .xlsx, and upload it "
    "again."
)
ABANDONED = gettext_noop(
    "This list was not saved within 7 days, so the uploaded file and its rows were deleted. "
    "Upload it again to import it."
)
SAVE_FAILED = gettext_noop(
    "Saving stopped part-way; the workers saved until then are kept. Upload the list again to "
    "save the rest: people already saved are recognised by their mobile number and not added "
    "twice."
)


def chunks(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def create_job(upload, *, by, sensitive_consent: bool) -> ImportJob:
    """A job for an upload that passed ImportUploadForm; the caller enqueues `read` on commit."""
    original_name = upload.name
    upload.name = f"{uuid.uuid4().hex}.xlsx"  # the stored name says nothing about the list
    return ImportJob.objects.create(
        uploaded_by=by,
        area=by.area,
        file=upload,
        original_name=original_name[:200],
        consent_version=services.CONSENT_VERSION,
        sensitive_consent=sensitive_consent,
    )


def read(job_id: int) -> None:
    """Read a queued job's file into rows with their outcome; a job already read is left alone.
    A rerun (a retry, a redelivery after a crash, the sweep) reads the file again and adds the
    rows still missing; two runs at once take the chunks in turn, and the first to finish
    finishes the job for both."""
    # Durable, as each chunk below and _finish: a rerun goes on from what has committed.
    with transaction.atomic(durable=True):
        job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status not in (ImportJob.Status.QUEUED, ImportJob.Status.READING):
            return
        job.status, job.processed_rows = ImportJob.Status.READING, 0
        job.save(update_fields=["status", "processed_rows"])
    try:
        _read_rows(job)
    except DATABASE_UNREACHABLE:
        raise  # the task is tried again (portal.background.Task), the job still "reading"
    except Exception as error:  # whatever went wrong, the job says so and keeps nothing
        logger.warning("import %s: reading failed (%s)", job.pk, type(error).__name__)
        _finish(job, ImportJob.Status.FAILED, error=READ_FAILED)
        return
    counts = job.rows.aggregate(
        total=Count("id"), valid=Count("id", filter=~Q(outcome=Outcome.REJECTED))
    )
    ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.READING).update(
        status=ImportJob.Status.READ,
        total_rows=counts["total"],
        processed_rows=counts["total"],
        valid_rows=counts["valid"],
    )


def _read_rows(job: ImportJob) -> None:
    with job.file.open("rb") as file, first_sheet_rows(file) as (rows, size):
        checker = RowChecker(job, header_positions(next(rows, ())))
        reading = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.READING)
        reading.update(total_rows=max(size - 1, 0))
        numbered = (
            (number, cells) for number, cells in enumerate(rows, start=2) if not is_blank(cells)
        )
        processed = 0
        for chunk in chunks(numbered, CHUNK):
            checked = checker.check(chunk)
            with transaction.atomic(durable=True):
                # Locked, so another run of this job takes its chunk before or after this one;
                # once the job is read, saved or failed, this run has nothing more to add.
                if not reading.select_for_update().values_list("pk", flat=True):
                    return
                # A row an earlier run saved (same job, same number) is kept as it is.
                ImportRow.objects.bulk_create(checked, ignore_conflicts=True)
                processed += len(chunk)
                reading.update(processed_rows=processed)


def start_commit(job: ImportJob) -> None:
    """Staff asked to save a reviewed job; the caller enqueues `commit` on commit. A second click
    finds the job already saving and changes nothing."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.status in (ImportJob.Status.COMMITTING, ImportJob.Status.DONE):
            raise services.RegistryError(
                "already_saved", _("This list is already being saved or has been saved.")
            )
        if job.status != ImportJob.Status.READ:
            raise services.RegistryError(
                "not_read", _("This list cannot be saved: it was not read.")
            )
        job.status, job.processed_rows = ImportJob.Status.COMMITTING, 0
        job.save(update_fields=["status", "processed_rows"])


def commit(job_id: int) -> None:
    """Save the valid rows of a job being committed, a chunk per transaction. Each chunk moves the
    job's counters in the same transaction, so a rerun goes on where the last run stopped."""
    job = (
        ImportJob.objects.select_related("area", "uploaded_by")
        .filter(pk=job_id, status=ImportJob.Status.COMMITTING)
        .first()
    )
    if job is None:
        return
    conflicts = 0
    try:
        while True:
            try:
                if not _commit_next_chunk(job):
                    break
            except IntegrityError:
                # Someone registered one of these mobiles meanwhile: again, now as updates.
                conflicts += 1
                if conflicts > 3:
                    raise
    except DATABASE_UNREACHABLE:
        raise  # the task is tried again and goes on from the chunk that failed
    except Exception as error:  # the chunks saved so far stay saved, and the job says so
        logger.warning("import %s: saving failed (%s)", job.pk, type(error).__name__)
        _finish(job, ImportJob.Status.FAILED, error=SAVE_FAILED)
        return
    _finish(job, ImportJob.Status.DONE)


def _commit_next_chunk(job: ImportJob) -> bool:
    # Durable: a rerun goes on from the last chunk committed; never inside a caller's.
    with transaction.atomic(durable=True):
        done = (
            ImportJob.objects.select_for_update()
            .values_list("processed_rows", flat=True)
            .get(pk=job.pk)
        )
        rows = list(
            job.rows.exclude(outcome=Outcome.REJECTED).order_by("number")[done : done + CHUNK]
        )
        if not rows:
            return False
        created, updated = saving.save_workers(job, [row.values for row in rows])
        ImportJob.objects.filter(pk=job.pk).update(
            processed_rows=F("processed_rows") + len(rows),
            created_count=F("created_count") + created,
            updated_count=F("updated_count") + updated,
        )
    return True


def _finish(job: ImportJob, status: str, error: str = "") -> None:
    """Done or failed: the rows and the file go (personal data is kept no longer than needed);
    the counts stay."""
    # Durable: the file is deleted once this has committed; never inside a caller's transaction.
    with transaction.atomic(durable=True):
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.status in (ImportJob.Status.DONE, ImportJob.Status.FAILED):
            return  # a second run of the same job finished it already
        job.rows.all().delete()
        stored = job.file.name
        job.file = ""
        job.status, job.error, job.finished_at = status, error, timezone.now()
        job.save(update_fields=["file", "status", "error", "finished_at"])
        if stored:
            storage = job.file.storage
            transaction.on_commit(lambda: storage.delete(stored))


ABANDONED_AFTER = timedelta(days=7)


def purge_abandoned(now=None) -> int:
    """Uploads left unsaved for a week lose their file and rows, as finished ones do: a survey
    list is personal data and is not kept because someone forgot to press Save."""
    now = now or timezone.now()
    waiting = ImportJob.objects.filter(
        status__in=[ImportJob.Status.QUEUED, ImportJob.Status.READING, ImportJob.Status.READ],
        created_at__lt=now - ABANDONED_AFTER,
    )
    jobs = list(waiting)
    for job in jobs:
        _finish(job, ImportJob.Status.FAILED, error=ABANDONED)
    return len(jobs)


STALLED_AFTER = timedelta(minutes=10)


def stalled(now=None) -> tuple[list[int], list[int]]:
    """The jobs to read and the jobs to save whose task may never have reached a worker (Redis
    was down when it was enqueued) or ran out of retries: uploaded STALLED_AFTER ago and still
    waiting, reading or saving. A 20,000-row list takes well under a minute; a job still running
    after that is run a second time, which is safe (read and commit take their chunks in turn)."""
    waiting = ImportJob.objects.filter(created_at__lt=(now or timezone.now()) - STALLED_AFTER)
    to_read = waiting.filter(status__in=[ImportJob.Status.QUEUED, ImportJob.Status.READING])
    to_save = waiting.filter(status=ImportJob.Status.COMMITTING)
    return (
        list(to_read.order_by("pk").values_list("pk", flat=True)),
        list(to_save.order_by("pk").values_list("pk", flat=True)),
    )
