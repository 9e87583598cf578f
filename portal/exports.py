"""Excel exports of the staff lists, immediate or in the background.

An app registers each of its exports here from AppConfig.ready() (the core imports no app): a
function that, for a user and the list's query string, gives the rows in the user's scope
(`Table`), and the roles that may ask for it. An export of up to EXPORT_BACKGROUND_ROWS rows is
written in the request (portal.export_views.respond); a larger one becomes an ExportJob that a
Celery task writes into the private storage, reporting progress (the job's heartbeat) every
PROGRESS_EVERY rows, and the requester gets an inbox message with the download link. The file
is deleted EXPORT_KEEP_HOURS later by the sweep, which also shows a job whose worker died as
failed (it may be started again) and sends again the jobs whose message was lost.
"""

import logging
import tempfile
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models.functions import Now
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from portal.background import DATABASE_UNREACHABLE, enqueue, enqueue_on_commit
from portal.filters import AuditLogFilter
from portal.inbox import notify
from portal.models import AuditLog, ExportJob, Role
from portal.xlsx import workbook

logger = logging.getLogger(__name__)

# Rows between two progress reports (each one also the job's heartbeat).
PROGRESS_EVERY = 500
# A job still waiting this long after it was asked for lost its message (Redis was down).
QUEUED_RESEND_MINUTES = 5

# Kept as English message ids in ExportJob.error and translated when shown.
STOPPED = gettext_noop(
    "The export stopped part-way: the background worker writing it was interrupted. Start it again."
)
WRITE_FAILED = gettext_noop(
    "The export could not be written. Start it again; if it fails again, tell an administrator."
)
NOT_ALLOWED = gettext_noop(
    "The export was not written: your account may no longer export this list, or its filters "
    "no longer apply."
)


@dataclass(frozen=True)
class Table:
    """One export's rows for one user: `rows` are read as the file is written."""

    title: str  # the sheet's title and the start of the file name
    description: str  # what the access log says was exported: the list and its filters
    header: list
    rows: Iterable[list]
    count: int


def filtered_table(title, filters, rows, header: list, lines) -> Table | None:
    """The table of a list as its filter set (a portal.filters one, with describe()) chose
    `rows`, each written by `lines`; None when the filters cannot be applied."""
    if filters.errors:
        return None
    title = str(title)
    return Table(
        title=title,
        description=f"{title} ({filters.describe()})",
        header=header,
        rows=lines(rows),
        count=rows.count(),
    )


@dataclass(frozen=True)
class Kind:
    roles: tuple[Role, ...]
    # (user, query) → the table, or None when a filter cannot be applied.
    table: Callable[[object, QueryDict], Table | None]
    list_url: str  # the list's URL name: where an export with a bad filter goes back to
    # An administrators' list (the security log): as on its page, the access log keeps the
    # client's address, and its job and file answer only within ADMIN_ALLOWED_NETWORKS.
    administrators: bool = False


KINDS: dict[str, Kind] = {}


def register(name: str, kind: Kind) -> None:
    KINDS[name] = kind


def filename(table: Table) -> str:
    return f"{table.title}-{timezone.localtime().strftime('%Y%m%d-%H%M')}.xlsx"


def may_export(user, kind_name: str) -> bool:
    kind = KINDS.get(kind_name)
    return bool(kind and user and user.is_active and user.role in kind.roles)


def administrators(kind_name: str) -> bool:
    kind = KINDS.get(kind_name)
    return bool(kind and kind.administrators)


def start(user, kind_name: str, query: QueryDict, table: Table, address=None) -> ExportJob:
    """A job for `table`, the request written to the access log (with the client's `address`
    for an administrators' list); its task is sent on commit."""
    from portal.tasks import write_export

    with transaction.atomic():
        job = ExportJob.objects.create(
            user=user,
            kind=kind_name,
            query=query.urlencode(),
            title=table.title[:100],
            description=table.description[:300],
            filename=filename(table)[:200],
            language=translation.get_language() or settings.LANGUAGE_CODE,
            rows_total=table.count,
        )
        AuditLog.record(
            user,
            AuditLog.Action.EXPORTED,
            table.description,
            subject=job,
            rows=table.count,
            address=address,
        )
        enqueue_on_commit(write_export, job.pk)
    return job


def start_again(job: ExportJob, address=None) -> ExportJob | None:
    """A new job for a failed or deleted one's list and filters, re-read for its user now; None
    when they may no longer export it."""
    if not may_export(job.user, job.kind):
        return None
    with translation.override(job.language):
        table = KINDS[job.kind].table(job.user, QueryDict(job.query))
        if table is None:
            return None
        return start(job.user, job.kind, QueryDict(job.query), table, address)


class Abandoned(Exception):
    """The job is no longer this run's: the sweep found it stalled, or another run took it."""


def run(job_id: int) -> None:
    """Write a job's file. A run finds a job waiting, or running with no heartbeat for
    EXPORT_STALE_MINUTES (a redelivery after its worker died), and writes it from the start;
    a job done, failed or running elsewhere is left alone, so a second run changes nothing."""
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or not (job.status == ExportJob.Status.QUEUED or job.stalled):
            return
        job.status, job.rows_done, job.updated_at = ExportJob.Status.RUNNING, 0, timezone.now()
        job.save(update_fields=["status", "rows_done", "updated_at"])
    try:
        with translation.override(job.language):
            _write(job)
    except Abandoned:
        return
    except DATABASE_UNREACHABLE:
        # Tried again by the task (portal.background.Task): waiting, so that run takes it.
        ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.RUNNING).update(
            status=ExportJob.Status.QUEUED
        )
        raise
    except Exception as error:  # whatever went wrong, the job says so, and the user is told
        logger.warning("export %s failed (%s)", job.pk, type(error).__name__)
        fail(job, WRITE_FAILED)


def _write(job: ExportJob) -> None:
    if not may_export(job.user, job.kind):
        fail(job, NOT_ALLOWED)
        return
    table = KINDS[job.kind].table(job.user, QueryDict(job.query))
    if table is None:
        fail(job, NOT_ALLOWED)
        return
    running = ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.RUNNING)
    running.update(rows_total=table.count, updated_at=Now())
    written = [0]
    book = workbook(table.title, table.header, _reporting(running, table.rows, written))
    with tempfile.TemporaryFile() as spool:
        book.save(spool)
        spool.seek(0)
        name = job.file.field.generate_filename(job, f"{uuid.uuid4().hex}.xlsx")
        name = job.file.storage.save(name, File(spool, name))
    now = timezone.now()
    expires = now + timedelta(hours=settings.EXPORT_KEEP_HOURS)
    finished = running.update(
        status=ExportJob.Status.DONE,
        file=name,
        rows_done=written[0],
        rows_total=written[0],
        updated_at=now,
        finished_at=now,
        expires_at=expires,
    )
    if not finished:  # the sweep gave up on it meanwhile: the user was told to start again
        job.file.storage.delete(name)
        raise Abandoned
    download = reverse("export_download", args=[job.pk])
    notify(
        job.user,
        _("Your export is ready: %(what)s") % {"what": table.title},
        _("%(rows)s rows. Download it before %(time)s; the file is deleted then.")
        % {"rows": written[0], "time": timezone.localtime(expires).strftime("%Y-%m-%d %H:%M")},
        download,
    )


def _reporting(running, rows: Iterable[list], written: list[int]) -> Iterator[list]:
    for number, row in enumerate(rows, start=1):
        yield row
        written[0] = number
        if number % PROGRESS_EVERY == 0 and not running.update(rows_done=number, updated_at=Now()):
            raise Abandoned


def fail(job: ExportJob, error: str) -> None:
    """Mark a job failed (if it is still waiting or running) and tell its requester."""
    failed = ExportJob.objects.filter(
        pk=job.pk, status__in=(ExportJob.Status.QUEUED, ExportJob.Status.RUNNING)
    ).update(status=ExportJob.Status.FAILED, error=error, finished_at=timezone.now())
    if failed and job.user:
        with translation.override(job.language):
            notify(
                job.user,
                _("Your export failed: %(what)s") % {"what": job.title},
                _(error),
                reverse("export_job", args=[job.pk]),
            )


def sweep(now) -> dict:
    """Every few minutes (portal.tasks.sweep_exports): jobs whose worker died fail visibly,
    jobs whose message was lost are sent again, files past their time are deleted."""
    stale = now - timedelta(minutes=settings.EXPORT_STALE_MINUTES)
    stalled = list(
        ExportJob.objects.filter(
            status=ExportJob.Status.RUNNING, updated_at__lt=stale
        ).select_related("user")
    )
    for job in stalled:
        fail(job, STOPPED)
    lost = ExportJob.objects.filter(
        status=ExportJob.Status.QUEUED,
        created_at__lt=now - timedelta(minutes=QUEUED_RESEND_MINUTES),
    )
    from portal.tasks import write_export

    resent = 0
    for job_id in lost.values_list("pk", flat=True):
        resent += enqueue(write_export, job_id)
    expired = 0
    for job in ExportJob.objects.filter(status=ExportJob.Status.DONE, expires_at__lte=now):
        if job.file:
            job.file.storage.delete(job.file.name)
        expired += ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.DONE).update(
            status=ExportJob.Status.EXPIRED, file=""
        )
    return {"stalled": len(stalled), "resent": resent, "expired": expired}


def audit_log_table(user, query) -> Table | None:
    """The core's own list: the security log as filtered (a date range, an action, a user),
    oldest first, every row; the export is itself a row of the log."""
    filters = AuditLogFilter(query, queryset=AuditLog.objects.select_related("user"))
    if filters.errors:
        return None
    entries = filters.qs.order_by("created_at", "id")
    title = _("Security log")
    start, end = filters.form.cleaned_data.get("start"), filters.form.cleaned_data.get("end")
    return Table(
        title=title,
        description=f"{title} ({start or '…'} – {end or '…'})",
        header=[
            _("When"),
            _("Staff username"),
            _("Staff member"),
            _("Action"),
            _("Concerning"),
            _("What"),
            _("Records"),
            _("Client address"),
        ],
        rows=_audit_lines(entries),
        count=entries.count(),
    )


def _audit_lines(entries) -> Iterator[list]:
    for entry in entries.prefetch_related("subject").iterator(chunk_size=2000):
        yield [
            timezone.localtime(entry.created_at).strftime("%Y-%m-%d %H:%M:%S"),
            entry.user.username if entry.user else "",
            entry.user.name if entry.user else "",
            entry.get_action_display(),
            str(entry.subject) if entry.subject else "",
            entry.description,
            entry.rows,
            entry.address or "",
        ]
