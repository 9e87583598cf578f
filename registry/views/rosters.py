"""The three rosters (workers, party members, mobile party members), their exports, and a
worker's full record with the changes staff make to it."""

from dataclasses import dataclass

from django.contrib import messages
from django.db.models import OuterRef, Prefetch, Q, Subquery
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from portal.models import Area, AreaLevel, AuditLog, Role
from portal.pagination import CappedPaginator
from portal.permissions import role_required
from portal.scope import get_in_scope_or_404
from portal.xlsx import xlsx_response
from registry import services
from registry.access import LEDGER_KEEPERS, LEDGER_READERS
from registry.filters import WorkerFilter, unfiltered_export
from registry.forms import LeaveForm, StaffWorkerForm
from registry.models import (
    CheckIn,
    Occupation,
    Platform,
    PoliticalStatus,
    Worker,
    WorkerRole,
    WorkerRoleKind,
    WorkerStatus,
)
from registry.views.review import decision_context

PAGE_SIZE = 50


@dataclass(frozen=True)
class Roster:
    title: Promise
    rows: Q
    party: bool  # shows where and when each member last reported as a party member


ROSTERS = {
    "workers": Roster(gettext_lazy("Workers"), Q(), party=False),
    "party_members": Roster(
        gettext_lazy("Party members"),
        Q(political_status__in=PoliticalStatus.party()),
        party=True,
    ),
    "mobile_party_members": Roster(
        gettext_lazy("Mobile party members"), Q(is_mobile_party_member=True), party=True
    ),
}


def roster_rows(request, roster: Roster):
    """The filtered roster in the user's scope, newest first, and its filter set."""
    workers = Worker.objects.in_scope(request.user).filter(roster.rows)
    filters = WorkerFilter(request.GET, queryset=workers, user=request.user)
    rows = filters.qs.select_related("area").order_by("-created_at", "-id")
    if roster.party:
        reports = CheckIn.objects.filter(worker=OuterRef("pk"), as_party_member=True).order_by(
            "-created_at"
        )
        rows = rows.annotate(
            reported_at=Subquery(reports.values("created_at")[:1]),
            reported_to=Subquery(reports.values("area__name")[:1]),
        )
    return filters, rows


@role_required(*LEDGER_READERS)
def roster(request, roster):
    filters, rows = roster_rows(request, ROSTERS[roster])
    rows = rows.prefetch_related(Prefetch("roles", queryset=WorkerRole.objects.order_by("role")))
    page = CappedPaginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "registry/roster.html",
        {
            "roster": ROSTERS[roster],
            "export_url": reverse(f"registry:{roster}_export"),
            "filters": filters,
            "page": page,
            "can_keep": request.user.role in LEDGER_KEEPERS,
        },
    )


@role_required(*LEDGER_READERS)
def roster_export(request, roster):
    filters, rows = roster_rows(request, ROSTERS[roster])
    if filters.errors:
        return unfiltered_export(request, f"registry:{roster}")
    title = str(ROSTERS[roster].title)
    count = rows.count()
    AuditLog.record(
        request.user,
        AuditLog.Action.EXPORTED,
        f"{title} ({filters.describe()})",
        rows=count,
    )
    header = [
        _("Full name"),
        _("Mobile"),
        _("Occupation"),
        _("Platform or employer"),
        _("Community"),
        _("Political status"),
        _("Party branch"),
        _("Where the membership is held"),
        _("Mobile party member"),
        _("Roles"),
        _("Status"),
        _("Registered at"),
    ]
    if ROSTERS[roster].party:
        header += [_("Last reported to"), _("Last reported at")]
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return xlsx_response(
        f"{title}-{stamp}.xlsx", title, header, _export_rows(rows, ROSTERS[roster].party)
    )


def _labels(choices) -> dict:
    """{code: label} translated once per export: get_FOO_display() per row costs 8 s per
    100,000 rows (docs/BENCHMARKS.md)."""
    return {code: str(label) for code, label in choices}


def _export_rows(rows, party: bool):
    yes, no = _("Yes"), _("No")
    occupations, platforms = _labels(Occupation.choices), _labels(Platform.choices)
    statuses, roles = _labels(WorkerStatus.choices), _labels(WorkerRoleKind.choices)
    political = _labels(PoliticalStatus.choices)
    rows = rows.prefetch_related("roles")
    for worker in rows.iterator(chunk_size=2000):
        line = [
            worker.name,
            worker.mobile,
            occupations[worker.occupation],
            worker.platform_other
            if worker.platform == Platform.OTHER
            else platforms[worker.platform],
            worker.area.name,
            political[worker.political_status],
            worker.party_branch,
            worker.membership_held_at,
            yes if worker.is_mobile_party_member else no,
            "、".join(roles[role.role] for role in worker.roles.all()),
            statuses[worker.status],
            timezone.localtime(worker.created_at).strftime("%Y-%m-%d %H:%M"),
        ]
        if party:
            line += [
                worker.reported_to or "",
                timezone.localtime(worker.reported_at).strftime("%Y-%m-%d %H:%M")
                if worker.reported_at
                else "",
            ]
        yield line


def _scoped_worker(request, worker_id) -> Worker:
    return get_in_scope_or_404(Worker.objects.select_related("area"), request.user, id=worker_id)


@role_required(*LEDGER_READERS)
def worker_detail(request, worker_id):
    """The full record: personal data unmasked, so every view is written to the access log."""
    worker = _scoped_worker(request, worker_id)
    # The entry points at the worker instead of copying the name: anonymising erases it here too.
    AuditLog.record(request.user, AuditLog.Action.VIEWED, "", subject=worker)
    can_keep = request.user.role in LEDGER_KEEPERS
    pending_decision = can_keep and worker.status == WorkerStatus.PENDING
    return render(
        request,
        "registry/worker_detail.html",
        {
            "worker": worker,
            "roles": worker.roles.order_by("role"),
            "events": worker.events.select_related("actor")[:100],
            "check_ins": worker.check_ins.select_related("area", "recorded_by")[:20],
            "care_visits": worker.care_visits.order_by("-created_at")[:20],
            "duplicates": worker.merged_duplicates.order_by("id"),
            "can_keep": can_keep,
            "can_anonymise": request.user.role == Role.ADMINISTRATOR,
            "leave_form": LeaveForm(),
            **(decision_context(request.user, worker) if pending_decision else {}),
        },
    )


def _communities(user):
    return Area.objects.in_scope(user).filter(level=AreaLevel.COMMUNITY)


@role_required(*LEDGER_KEEPERS)
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


@role_required(*LEDGER_KEEPERS)
def worker_edit(request, worker_id):
    worker = _scoped_worker(request, worker_id)
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


def _change(request, worker_id, change, done_message, **kwargs):
    """Run one registry state change on a worker in scope and say how it went."""
    worker = _scoped_worker(request, worker_id)
    try:
        change(worker, by=request.user, **kwargs)
    except services.RegistryError as error:
        messages.warning(request, str(error))
    else:
        messages.success(request, done_message)
    return redirect("registry:worker_detail", worker.id)


@require_POST
@role_required(*LEDGER_KEEPERS)
def worker_leave(request, worker_id):
    form = LeaveForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _change(
        request, worker_id, services.leave, _("Marked as left; the record is kept."), reason=reason
    )


@require_POST
@role_required(*LEDGER_KEEPERS)
def worker_withdraw_consent(request, worker_id):
    return _change(
        request,
        worker_id,
        services.withdraw_consent,
        _("Consent withdrawn. An administrator will erase the personal details."),
    )


@require_POST
@role_required(Role.ADMINISTRATOR)
def worker_anonymise(request, worker_id):
    return _change(
        request,
        worker_id,
        services.anonymise,
        _("Personal details erased; the record still counts in the statistics."),
    )
