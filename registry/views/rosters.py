"""The three rosters (workers, party members, mobile party members), their exports, and a
worker's full record with the changes staff make to it."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal import export_views, slots
from portal.errors import flash_refusal
from portal.models import Area, AreaLevel, AuditLog, Role
from portal.pagination import CappedPaginator
from portal.permissions import role_required
from portal.replica import reads_from_replica
from portal.roles import KEEPERS, READERS
from portal.scope import get_in_scope_or_404
from registry import services
from registry.exports import ROSTERS, roster_rows
from registry.forms import LeaveForm, StaffWorkerForm
from registry.models import Worker, WorkerRole, WorkerStatus
from registry.services import appointments
from registry.views.review import decision_context

PAGE_SIZE = 50


@reads_from_replica
@role_required(*READERS)
def roster(request, roster):
    filters, rows = roster_rows(request.user, ROSTERS[roster], request.GET)
    rows = rows.prefetch_related(appointments.active_roles())
    page = CappedPaginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "registry/roster.html",
        {
            "roster": ROSTERS[roster],
            "export_url": reverse(f"registry:{roster}_export"),
            "filters": filters,
            "page": page,
            "can_keep": request.user.role in KEEPERS,
        },
    )


@reads_from_replica
@role_required(*READERS)
def roster_export(request, roster):
    """The file at once, or for a large roster a background job (portal.exports)."""
    return export_views.respond(request, f"registry.{roster}")


def _scoped_worker(request, pk) -> Worker:
    return get_in_scope_or_404(Worker.objects.select_related("area"), request.user, id=pk)


@role_required(*READERS)
def worker_detail(request, pk):
    """The full record: personal data unmasked, so every view is written to the access log."""
    worker = _scoped_worker(request, pk)
    # The entry points at the worker instead of copying the name: anonymising erases it here too.
    AuditLog.record(request.user, AuditLog.Action.VIEWED, "", subject=worker)
    can_keep = request.user.role in KEEPERS
    today = timezone.localdate()
    pending_decision = can_keep and worker.status == WorkerStatus.PENDING
    return render(
        request,
        "registry/worker_detail.html",
        {
            "worker": worker,
            "roles": WorkerRole.objects.active(today).filter(worker=worker).order_by("role"),
            "appointments": worker.roles.with_state(today)
            .select_related("area")
            .order_by("-starts_on", "-id"),
            "events": worker.events.select_related("actor")[:100],
            "check_ins": worker.check_ins.select_related("area", "recorded_by")[:20],
            "care_visits": worker.care_visits.order_by("-created_at")[:20],
            "duplicates": worker.merged_duplicates.order_by("id"),
            "can_keep": can_keep,
            "can_anonymise": request.user.role == Role.ADMINISTRATOR,
            "leave_form": LeaveForm(),
            "sections": slots.render(slots.WORKER_PAGE, request, worker),
            **(decision_context(request.user, worker) if pending_decision else {}),
        },
    )


def _communities(user):
    return Area.objects.in_scope(user).filter(level=AreaLevel.COMMUNITY)


@role_required(*KEEPERS)
def worker_add(request):
    """The offline channel: staff enter a worker who registered on paper or at the desk."""
    form = StaffWorkerForm(request.POST or None, communities=_communities(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            worker = services.add_worker(
                form.details(),
                form.cleaned_data["roles"],
                sensitive_consent=form.cleaned_data["sensitive_consent"],
                by=request.user,
            )
        except services.RegistryError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Added %(name)s to the roster.") % {"name": worker})
            return redirect("registry:worker_detail", worker.id)
    return render(
        request,
        "registry/worker_form.html",
        {"form": form, "worker": None, "consent_version": services.CONSENT_VERSION},
    )


@role_required(*KEEPERS)
def worker_edit(request, pk):
    worker = _scoped_worker(request, pk)
    if worker.anonymised_at:
        messages.warning(request, _("This record has been anonymised."))
        return redirect("registry:worker_detail", worker.id)
    form = StaffWorkerForm(
        request.POST or None, instance=worker, communities=_communities(request.user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_worker(
                worker,
                form.details(),
                form.cleaned_data["roles"],
                sensitive_consent=form.cleaned_data.get("sensitive_consent", False),
                by=request.user,
            )
        except services.RegistryError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Saved the changes."))
            return redirect("registry:worker_detail", worker.id)
    return render(request, "registry/worker_form.html", {"form": form, "worker": worker})


def _change(request, pk, change, done_message, **kwargs):
    """Run one registry state change on a worker in scope and say how it went."""
    worker = _scoped_worker(request, pk)
    with flash_refusal(request, messages.WARNING):
        change(worker, by=request.user, **kwargs)
        messages.success(request, done_message)
    return redirect("registry:worker_detail", worker.id)


@require_POST
@role_required(*KEEPERS)
def worker_leave(request, pk):
    form = LeaveForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _change(
        request, pk, services.leave, _("Marked as left; the record is kept."), reason=reason
    )


@require_POST
@role_required(*KEEPERS)
def worker_withdraw_consent(request, pk):
    return _change(
        request,
        pk,
        services.withdraw_consent,
        _("Consent withdrawn. An administrator will erase the personal details."),
    )


@require_POST
@role_required(Role.ADMINISTRATOR)
def worker_anonymise(request, pk):
    return _change(
        request,
        pk,
        services.anonymise,
        _("Personal details erased; the record still counts in the statistics."),
    )
