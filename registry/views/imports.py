from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from portal.background import enqueue_on_commit
from portal.errors import flash_refusal
from portal.models import Area, AreaLevel
from portal.permissions import role_required
from portal.roles import KEEPERS
from portal.scope import get_in_scope_or_404
from registry import services, tasks
from registry.imports.jobs import RUNNING, create_job, start_commit
from registry.imports.review import outcome_counts, preview
from registry.imports.template import build_template
from registry.imports.upload import ImportUploadForm
from registry.models import ImportJob, ImportRow

PREVIEW_PAGE_SIZE = 100
# Seconds between reloads of a job page while its task runs (a Refresh header: no script).
REFRESH_SECONDS = 2


@role_required(*KEEPERS)
def start(request):
    """Upload a survey list; below the form, the recent imports in the user's area."""
    form = ImportUploadForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    if request.method == "POST" and form.is_valid():
        job = create_job(
            form.cleaned_data["file"],
            by=request.user,
            sensitive_consent=form.cleaned_data["sensitive_consent"],
        )
        enqueue_on_commit(tasks.read_import, job.pk)  # or the sweep reads it (Redis down)
        return redirect("registry:import_job", job.pk)
    jobs = ImportJob.objects.in_scope(request.user).select_related("uploaded_by")[:20]
    return render(
        request,
        "registry/import_start.html",
        {"form": form, "jobs": jobs, "consent_version": services.CONSENT_VERSION},
    )


@role_required(*KEEPERS)
def template(request):
    communities = list(
        Area.objects.in_scope(request.user).filter(level=AreaLevel.COMMUNITY).order_by("code")[:1]
    )
    return HttpResponse(
        build_template(communities),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": content_disposition_header(True, "数据摸排清单模板.xlsx")},
    )


@role_required(*KEEPERS)
def job(request, pk):
    """A job's progress while its task runs; then the review of every row, or the result."""
    job = get_in_scope_or_404(ImportJob.objects.select_related("uploaded_by"), request.user, id=pk)
    context = {"job": job}
    if job.status in (ImportJob.Status.READ, ImportJob.Status.DONE):
        context["counts"] = outcome_counts(job)
    if job.status == ImportJob.Status.READ:
        rejected_only = request.GET.get("show") == "rejected"
        rows = job.rows.order_by("number")
        if rejected_only:
            rows = rows.filter(outcome=ImportRow.Outcome.REJECTED)
        page = Paginator(rows, PREVIEW_PAGE_SIZE).get_page(request.GET.get("page"))
        context.update(page=page, rows=preview(page.object_list), rejected_only=rejected_only)
    response = render(request, "registry/import_job.html", context)
    if job.status in RUNNING:
        response["Refresh"] = str(REFRESH_SECONDS)
    return response


@require_POST
@role_required(*KEEPERS)
def commit(request, pk):
    job = get_in_scope_or_404(ImportJob.objects, request.user, id=pk)
    with flash_refusal(request, messages.WARNING):
        start_commit(job)
        enqueue_on_commit(tasks.commit_import, job.pk)
    return redirect("registry:import_job", job.pk)
