"""Staff pages of volunteer teams and activities: community staff keep those of their scope,
officials read them. Attendance is ticked on the activity's page."""

from base64 import b64encode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Avg, Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from points import checkin
from points.activity_forms import ActivityForm, AttendanceForm, HoursForm, TeamForm
from points.models import Activity, VolunteerTeam
from points.services import activities, hours
from points.services.activities import ActivityError
from portal import qr
from portal.errors import flash_refusal
from portal.filters import name_search
from portal.models import Area
from portal.permissions import role_required
from portal.roles import KEEPERS, READERS
from portal.scope import get_in_scope_or_404
from registry.models import Worker, WorkerStatus
from stations.models import Station

MEMBER_MATCHES = 20
RATINGS_SHOWN = 50


def _team(request, pk) -> VolunteerTeam:
    return get_in_scope_or_404(
        VolunteerTeam.objects.select_related("area", "created_by"), request.user, id=pk
    )


def _activity(request, pk) -> Activity:
    return get_in_scope_or_404(
        Activity.objects.select_related("area", "station", "team", "created_by"),
        request.user,
        id=pk,
    )


@role_required(*READERS)
def teams(request):
    rows = (
        VolunteerTeam.objects.in_scope(request.user)
        .select_related("area")
        .annotate(member_count=Count("members"))
        .order_by("name", "id")
    )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "points/teams.html",
        {"page": page, "can_keep": request.user.role in KEEPERS},
    )


@role_required(*KEEPERS)
def team_add(request):
    form = TeamForm(request.POST or None, areas=Area.objects.in_scope(request.user))
    if request.method == "POST" and form.is_valid():
        team = form.save(commit=False)
        team.created_by = request.user
        team.save()
        messages.success(request, _("Added %(name)s.") % {"name": team})
        return redirect("points:team", team.id)
    return render(request, "points/team_form.html", {"form": form})


def _candidates(request, team):
    """Workers the user may put on the team: in their scope and the team's area, current."""
    return (
        Worker.objects.in_scope(request.user)
        .within(team.area)
        .consenting()
        .exclude(status=WorkerStatus.LEFT)
    )


@role_required(*READERS)
def team(request, pk):
    team = _team(request, pk)
    can_keep = request.user.role in KEEPERS
    query = request.GET.get("q", "").strip()
    matches = []
    if can_keep and query:
        matches = (
            name_search(_candidates(request, team), query, "mobile_tail")
            .exclude(team_memberships__team=team)
            .select_related("area")
            .order_by("name", "id")[:MEMBER_MATCHES]
        )
    members = team.members.select_related("worker__area", "added_by").order_by("worker__name")
    return render(
        request,
        "points/team.html",
        {
            "team": team,
            "members": members,
            "query": query,
            "matches": matches,
            "can_keep": can_keep,
            "activities": Activity.objects.in_scope(request.user)
            .filter(team=team)
            .order_by("-starts_at")[:10],
        },
    )


def _member(request, team, worker_pk) -> Worker:
    return get_in_scope_or_404(_candidates(request, team), request.user, id=worker_pk)


@require_POST
@role_required(*KEEPERS)
def team_member_add(request, pk, worker_pk):
    team = _team(request, pk)
    worker = _member(request, team, worker_pk)
    if activities.add_member(team, worker, by=request.user):
        messages.success(request, _("%(name)s joined the team.") % {"name": worker})
    return redirect(reverse("points:team", args=[team.id]) + "#members")


@require_POST
@role_required(*KEEPERS)
def team_member_remove(request, pk, worker_pk):
    team = _team(request, pk)
    worker = get_in_scope_or_404(Worker.objects.all(), request.user, id=worker_pk)
    activities.remove_member(team, worker)
    messages.success(request, _("%(name)s left the team.") % {"name": worker})
    return redirect(reverse("points:team", args=[team.id]) + "#members")


# ?when= of the list: which activities (ending after or by now), in which order.
WHEN = {
    "upcoming": (gettext_lazy("Coming"), "ends_at__gt", ["starts_at", "id"]),
    "past": (gettext_lazy("Past"), "ends_at__lte", ["-starts_at", "-id"]),
}


@role_required(*READERS)
def activity_list(request):
    when = request.GET.get("when") if request.GET.get("when") in WHEN else "upcoming"
    _label, lookup, order = WHEN[when]
    rows = (
        Activity.objects.in_scope(request.user)
        .filter(**{lookup: timezone.now()})
        .select_related("area")
        .order_by(*order)
    )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "points/activities.html",
        {
            "page": page,
            "when": when,
            "whens": [(key, label) for key, (label, _lookup, _order) in WHEN.items()],
            "can_keep": request.user.role in KEEPERS,
        },
    )


def _activity_form(request, activity=None):
    user = request.user
    return ActivityForm(
        request.POST or None,
        instance=activity,
        areas=Area.objects.in_scope(user),
        stations=Station.objects.in_scope(user),
        teams=VolunteerTeam.objects.in_scope(user),
    )


def _save_activity(request, form) -> Activity | None:
    try:
        return activities.save_activity(form.save(commit=False), by=request.user)
    except ActivityError as error:
        form.add_error("capacity", str(error))
        return None


@role_required(*KEEPERS)
def activity_add(request):
    form = _activity_form(request)
    if request.method == "POST" and form.is_valid():
        activity = _save_activity(request, form)
        if activity:
            messages.success(request, _("Added %(name)s.") % {"name": activity})
            return redirect("points:activity", activity.id)
    return render(request, "points/activity_form.html", {"form": form, "activity": None})


@role_required(*KEEPERS)
def activity_edit(request, pk):
    activity = _activity(request, pk)
    form = _activity_form(request, activity)
    if request.method == "POST" and form.is_valid() and _save_activity(request, form):
        messages.success(request, _("Saved the changes."))
        return redirect("points:activity", activity.id)
    return render(request, "points/activity_form.html", {"form": form, "activity": activity})


@role_required(*READERS)
def activity_detail(request, pk):
    activity = _activity(request, pk)
    sign_ups = activity.sign_ups.active().select_related("worker__area", "marked_by").order_by("id")
    return render(
        request,
        "points/activity.html",
        {
            "activity": activity,
            "sign_ups": sign_ups,
            "ratings": activity.ratings.order_by("-rated_at", "-id")[:RATINGS_SHOWN],
            "rated": activity.ratings.aggregate(average=Avg("stars"), count=Count("id")),
            # first in line first
            "waiting": activity.waiting.waiting()
            .select_related("worker")
            .order_by("joined_at", "id"),
            "started": activity.starts_at <= timezone.now(),
            "can_keep": request.user.role in KEEPERS,
            "public_url": request.build_absolute_uri(
                reverse("points:activity_public", args=[activity.id])
            ),
        },
    )


@require_POST
@role_required(*KEEPERS)
def activity_attendance(request, pk):
    """Tick the riders who came: each earns the activity's points once."""
    activity = _activity(request, pk)
    form = AttendanceForm(request.POST, activity=activity)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["sign_ups"]))
        return redirect("points:activity", activity.id)
    marked = 0
    with flash_refusal(request):
        for signup in form.cleaned_data["sign_ups"]:
            marked += activities.mark_attendance(signup, by=request.user)
        if not marked:
            messages.info(request, _("Their attendance was recorded already."))
    if marked:
        messages.success(
            request,
            _("Attendance recorded: %(count)s. Each of them earned %(points)s points.")
            % {"count": marked, "points": activity.points},
        )
    return redirect("points:activity", activity.id)


@never_cache
@role_required(*KEEPERS)
def activity_check_in(request, pk):
    """The check-in screen, on a phone or a laptop at the door: the QR code riders scan to sign
    in and out. It makes a new code and reloads itself every minute (a Refresh header, no
    script); a code older than two minutes is refused."""
    activity = _activity(request, pk)
    token = checkin.token_for(activity)
    url = request.build_absolute_uri(reverse("points:activity_scan", args=[activity.id, token]))
    counts = activity.sign_ups.active().aggregate(
        signed_in=Count("id", filter=Q(signed_in_at__isnull=False)),
        signed_out=Count("id", filter=Q(signed_out_at__isnull=False)),
    )
    response = render(
        request,
        "points/activity_check_in.html",
        {
            "activity": activity,
            "qr_code": f"data:image/svg+xml;base64,{b64encode(qr.svg(url)).decode()}",
            "rotate_seconds": checkin.ROTATE_SECONDS,
            **counts,
        },
    )
    response["Refresh"] = str(checkin.ROTATE_SECONDS)
    return response


@require_http_methods(["GET", "POST"])
@role_required(*KEEPERS)
def sign_up_hours(request, pk, signup_pk):
    """Set the hours counted for one rider, with the reason (their adjustments are listed)."""
    activity = _activity(request, pk)
    signup = get_object_or_404(
        activity.sign_ups.active().select_related("worker", "activity"), pk=signup_pk
    )
    data = request.POST if request.method == "POST" else None
    form = HoursForm(data, initial={"hours": signup.hours})
    if form.is_bound and form.is_valid():
        try:
            hours.adjust_hours(
                signup, form.cleaned_data["hours"], form.cleaned_data["reason"], by=request.user
            )
        except ActivityError as refused:
            form.add_error("hours", str(refused))
        else:
            messages.success(request, _("Saved the hours of %(name)s.") % {"name": signup.worker})
            return redirect("points:activity", activity.id)
    return render(
        request,
        "points/sign_up_hours.html",
        {
            "activity": activity,
            "signup": signup,
            "form": form,
            "adjustments": signup.adjustments.select_related("adjusted_by"),
        },
        status=400 if form.errors else 200,
    )
