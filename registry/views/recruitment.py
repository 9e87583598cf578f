"""招募令 and appointed roles: staff publish calls and decide applications, riders apply; staff
see the appointments running out and end one early. The rules are in
registry.services.recruitment and registry.services.appointments."""

from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.errors import flash_refusal
from portal.pagination import CappedPaginator
from portal.permissions import role_required
from portal.roles import KEEPERS, READERS
from portal.scope import get_in_scope_or_404
from registry.models import Application, RecruitmentCall, WorkerRole
from registry.recruitment_forms import ApplyForm, CallForm, ReasonForm
from registry.selectors import with_places
from registry.services import appointments, recruitment, riders

PAGE_SIZE = 50


@role_required(*READERS)
def calls(request):
    rows = with_places(RecruitmentCall.objects.in_scope(request.user)).annotate(
        waiting=Count("applications", filter=Q(applications__status=Application.Status.PENDING))
    )
    rows = rows.select_related("area").order_by("-deadline", "-id")
    page = CappedPaginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "registry/calls.html",
        {"page": page, "today": timezone.localdate(), "can_keep": request.user.role in KEEPERS},
    )


@role_required(*KEEPERS)
def call_new(request):
    form = CallForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        call = recruitment.publish(form.cleaned_data, by=request.user)
        messages.success(request, _("The recruitment call is published."))
        return redirect("registry:call", call.pk)
    return render(request, "registry/call_form.html", {"form": form})


@role_required(*READERS)
def call(request, pk):
    call = get_in_scope_or_404(
        with_places(RecruitmentCall.objects.select_related("area", "created_by")),
        request.user,
        id=pk,
    )
    applications = call.applications.select_related("worker", "decided_by")
    page = CappedPaginator(applications, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "registry/call.html",
        {
            "call": call,
            "page": page,
            "can_keep": request.user.role in KEEPERS,
            "reason_form": ReasonForm(),
            "apply_url": request.build_absolute_uri(reverse("registry:apply", args=[call.code])),
        },
    )


def _application(request, pk) -> Application:
    return get_object_or_404(Application.objects.in_scope(request.user), pk=pk)


@require_POST
@role_required(*KEEPERS)
def accept(request, pk):
    application = _application(request, pk)
    with flash_refusal(request):
        recruitment.accept(application, by=request.user)
        messages.success(
            request, _("Accepted: %(name)s is appointed.") % {"name": application.worker}
        )
    return redirect("registry:call", application.call_id)


@require_POST
@role_required(*KEEPERS)
def decline(request, pk):
    application = _application(request, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the application is declined."))
    else:
        with flash_refusal(request):
            recruitment.decline(application, reason=form.cleaned_data["reason"], by=request.user)
            messages.success(request, _("The application is declined."))
    return redirect("registry:call", application.call_id)


@role_required(*READERS)
def expiring(request):
    """Appointments whose term runs out within EXPIRING_DAYS days, soonest first."""
    rows = (
        WorkerRole.objects.in_scope(request.user)
        .expiring(timezone.localdate(), appointments.EXPIRING_DAYS)
        .select_related("worker", "area")
    )
    page = CappedPaginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "registry/appointments_expiring.html",
        {
            "page": page,
            "days": appointments.EXPIRING_DAYS,
            "can_keep": request.user.role in KEEPERS,
            "reason_form": ReasonForm(),
        },
    )


@require_POST
@role_required(*KEEPERS)
def end_appointment(request, pk):
    """End early, with a reason; back to the page the form was on (`?next=`)."""
    appointment = get_object_or_404(WorkerRole.objects.in_scope(request.user), pk=pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the appointment ends."))
    else:
        with flash_refusal(request):
            appointments.end(appointment, reason=form.cleaned_data["reason"], by=request.user)
            messages.success(request, _("The appointment is ended."))
    return redirect(riders.next_url(request, reverse("registry:appointments_expiring")))


@riders.rider_required
def apply(request, code):
    """A call's page for riders: what it asks, and the signed-in rider's answer."""
    call = get_object_or_404(with_places(RecruitmentCall.objects.select_related("area")), code=code)
    form = ApplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with flash_refusal(request):
            recruitment.apply(call, request.worker, form.cleaned_data["message"])
            messages.success(request, _("Your application is sent. Your community will reply."))
            return redirect("points:me")
    application = call.applications.filter(worker=request.worker).first()
    return render(
        request,
        "registry/apply.html",
        {"call": call, "form": form, "application": application, "today": timezone.localdate()},
    )
