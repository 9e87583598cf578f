"""A registration waiting in the confirmation queue, opened: its details, the workers it may
repeat, and the decisions on it (confirm is registry.views.workers.confirm; refuse with a reason;
merge into a worker on the roster). The worker's own page carries the same decisions."""

from django.contrib import messages
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.models import AuditLog
from portal.permissions import role_required
from portal.roles import KEEPERS
from portal.scope import get_in_scope_or_404
from registry import services
from registry.forms import DuplicateForm, RefusalForm
from registry.models import Worker, WorkerRole, WorkerStatus

LIKELY_SHOWN = 10


def decision_context(user, worker: Worker) -> dict:
    """What the decision panel needs: its forms and the workers with the same name or ID number."""
    same = Q(name=worker.name)
    if worker.id_number_hash:
        same |= Q(id_number_hash=worker.id_number_hash)
    likely = DuplicateForm(duplicate=worker, user=user).candidates.filter(same)
    return {
        "refusal_form": RefusalForm(),
        "duplicate_form": DuplicateForm(duplicate=worker, user=user),
        "likely": likely.select_related("area").order_by("created_at", "id")[:LIKELY_SHOWN],
    }


@role_required(*KEEPERS)
def review(request, pk):
    worker = get_in_scope_or_404(Worker.objects.select_related("area"), request.user, id=pk)
    if worker.status != WorkerStatus.PENDING:
        messages.info(request, _("This registration no longer waits for a decision."))
        return redirect("registry:worker_detail", worker.id)
    # The full record, as on the worker's page: each view is written to the access log.
    AuditLog.record(request.user, AuditLog.Action.VIEWED, "", subject=worker)
    return render(
        request,
        "registry/review.html",
        {
            "worker": worker,
            "roles": WorkerRole.objects.active(timezone.localdate())
            .filter(worker=worker)
            .order_by("role"),
            "back": "queue",
            **decision_context(request.user, worker),
        },
    )


def decided(request, worker: Worker):
    """After a decision: back to the worker's page if it was taken there, else to the queue."""
    if request.POST.get("back") == "worker":
        return redirect("registry:worker_detail", worker.id)
    return redirect("registry:pending")


def _not_decided(request, worker: Worker, message: str):
    """A refused or incomplete decision: the page it came from, with the reason."""
    messages.warning(request, message)
    if request.POST.get("back") == "worker":
        return redirect("registry:worker_detail", worker.id)
    return redirect("registry:review", worker.id)


def _first_error(form) -> str:
    return next(iter(form.errors.values()))[0]


@require_POST
@role_required(*KEEPERS)
def refuse(request, pk):
    worker = get_in_scope_or_404(Worker.objects, request.user, id=pk)
    form = RefusalForm(request.POST)
    if not form.is_valid():
        return _not_decided(request, worker, _first_error(form))
    try:
        services.refuse(worker, reason=form.cleaned_data["reason"], by=request.user)
    except services.RegistryError as error:
        return _not_decided(request, worker, str(error))
    messages.success(
        request,
        _("Refused the registration of %(name)s; they see the reason on their page.")
        % {"name": worker},
    )
    return decided(request, worker)


@require_POST
@role_required(*KEEPERS)
def duplicate(request, pk):
    worker = get_in_scope_or_404(Worker.objects, request.user, id=pk)
    form = DuplicateForm(request.POST, duplicate=worker, user=request.user)
    if not form.is_valid():
        return _not_decided(request, worker, _first_error(form))
    kept = form.cleaned_data["kept"]
    try:
        services.merge_duplicate(worker, kept=kept, by=request.user)
    except services.RegistryError as error:
        return _not_decided(request, worker, str(error))
    messages.success(
        request,
        _("Merged the registration of %(duplicate)s into %(kept)s; the history moved with it.")
        % {"duplicate": worker, "kept": kept},
    )
    return decided(request, worker)
