"""三必访 care visits: the list of visits in scope, recording a reason, recording the visit."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import F
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.permissions import role_required
from portal.roles import KEEPERS
from portal.scope import get_in_scope_or_404
from registry import care
from registry.care_forms import CareTriggerForm, CareVisitForm
from registry.models import CareVisit, Worker
from registry.services import RegistryError

# ?state= of the list: which visits, in which order (open ones by due date, so overdue first).
STATES = {
    "open": (gettext_lazy("Open"), {"closed_at__isnull": True}, ["due_on", "id"]),
    "closed": (gettext_lazy("Visited"), {"closed_at__isnull": False}, ["-closed_at", "-id"]),
    "all": (gettext_lazy("All"), {}, [F("closed_at").desc(nulls_first=True), "due_on", "id"]),
}


@role_required(*KEEPERS)
def care_visits(request):
    state = request.GET.get("state") if request.GET.get("state") in STATES else "open"
    _label, lookup, order = STATES[state]
    visits = (
        CareVisit.objects.in_scope(request.user)
        .filter(**lookup)
        .select_related("worker__area", "responsible")
        .order_by(*order)
    )
    page = Paginator(visits, 50).get_page(request.GET.get("page"))
    states = [(key, label) for key, (label, _lookup, _order) in STATES.items()]
    return render(
        request, "registry/care_visits.html", {"page": page, "state": state, "states": states}
    )


@role_required(*KEEPERS)
def care_new(request, pk):
    """Record why a party member must be visited (三必访); it makes a visit due."""
    worker = get_in_scope_or_404(Worker.objects.select_related("area"), request.user, id=pk)
    try:
        care.check_can_have_visits(worker)
    except RegistryError as error:
        return render(request, "registry/care_new.html", {"worker": worker, "refusal": error})
    form = CareTriggerForm(
        request.POST if request.method == "POST" else None, worker=worker, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            visit = care.record_trigger(
                worker,
                data["trigger"],
                data["trigger_notes"],
                data["responsible"],
                by=request.user,
                due_on=data["due_on"],
            )
        except RegistryError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("A care visit to %(name)s is due by %(due)s.")
                % {"name": worker, "due": visit.due_on.isoformat()},
            )
            return redirect("registry:worker_detail", worker.id)
    return render(request, "registry/care_new.html", {"worker": worker, "form": form})


@role_required(*KEEPERS)
def care_visit(request, pk):
    """A care visit's reason and, until it is recorded, the form to record the visit."""
    visit = get_in_scope_or_404(
        CareVisit.objects.select_related("worker", "responsible", "recorded_by", "closed_by"),
        request.user,
        "worker__area",
        id=pk,
    )
    form = CareVisitForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            care.record_visit(
                visit,
                data["visited_on"],
                data["visitor"],
                data["visit_notes"],
                data["follow_up_needed"],
                by=request.user,
            )
        except RegistryError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, _("The visit to %(name)s is recorded.") % {"name": visit.worker}
            )
            return redirect("registry:care_visits")
    return render(request, "registry/care_visit.html", {"visit": visit, "form": form})
