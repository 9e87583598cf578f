"""An export's answer (the file at once, or a background job), a job's page, its download."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal import exports, private_files
from portal.filters import unfiltered_export
from portal.middleware import from_allowed_network
from portal.models import AuditLog, ExportJob
from portal.permissions import role_required
from portal.ratelimit import known_address
from portal.xlsx import xlsx_response

# Seconds between reloads of a job's page while it is written (a Refresh header: no script).
REFRESH_SECONDS = 3


def respond(request, kind_name: str):
    """The export view of a list, after its own role check: up to EXPORT_BACKGROUND_ROWS rows
    are sent at once, more become a job written in the background."""
    kind = exports.KINDS[kind_name]
    table = kind.table(request.user, request.GET)
    if table is None:
        return unfiltered_export(request, kind.list_url)
    address = _address(request, kind_name)
    if table.count > settings.EXPORT_BACKGROUND_ROWS:
        job = exports.start(request.user, kind_name, request.GET, table, address)
        return redirect("export_job", job.pk)
    response = xlsx_response(exports.filename(table), table.title, table.header, table.rows)
    # Written once the file is made, before it is sent: a write before would send the reads
    # of the export to the primary (portal.replica).
    AuditLog.record(
        request.user,
        AuditLog.Action.EXPORTED,
        table.description,
        rows=table.count,
        address=address,
    )
    return response


def _address(request, kind_name: str) -> str | None:
    """The client's address, which the access log keeps for an administrators' list."""
    return known_address(request) if exports.administrators(kind_name) else None


def _own_job(request, pk) -> ExportJob:
    """Only the user who asked for an export sees it: 404 to everyone else, and for an
    administrators' list outside ADMIN_ALLOWED_NETWORKS, as its page answers there."""
    job = get_object_or_404(ExportJob, pk=pk, user=request.user)
    if exports.administrators(job.kind) and not from_allowed_network(request):
        raise Http404
    return job


@role_required()
def job(request, pk):
    job = _own_job(request, pk)
    response = render(request, "portal/export_job.html", {"job": job})
    if job.status in (ExportJob.Status.QUEUED, ExportJob.Status.RUNNING) and not job.stalled:
        response["Refresh"] = str(REFRESH_SECONDS)
    return response


@role_required()
def download(request, pk):
    job = _own_job(request, pk)
    if job.status == ExportJob.Status.EXPIRED or (
        job.status == ExportJob.Status.DONE and job.expires_at <= timezone.now()
    ):
        return render(request, "portal/export_gone.html", {"job": job}, status=410)
    if job.status != ExportJob.Status.DONE:
        return redirect("export_job", job.pk)
    response = private_files.serve(job.file)
    AuditLog.record(
        request.user,
        AuditLog.Action.DOWNLOADED,
        job.description,
        subject=job,
        rows=job.rows_done,
        address=_address(request, job.kind),
    )
    response["Content-Disposition"] = content_disposition_header(True, job.filename)
    return response


@require_POST
@role_required()
def again(request, pk):
    """Start a failed, stalled or deleted export again, with the same list and filters."""
    job = _own_job(request, pk)
    if not (job.status in (ExportJob.Status.FAILED, ExportJob.Status.EXPIRED) or job.stalled):
        return redirect("export_job", job.pk)
    if not exports.may_export(request.user, job.kind):
        raise PermissionDenied
    if job.stalled:  # a run that comes back to life finds it failed, and stops
        exports.fail(job, exports.STOPPED)
    new = exports.start_again(job, _address(request, job.kind))
    if new is None:
        messages.warning(request, _(exports.NOT_ALLOWED))
        return redirect("export_job", job.pk)
    return redirect("export_job", new.pk)
