"""The rider's side of activities: what is coming up near them, an activity's page, signing up
and giving the place back (after a confirmation page). Anyone may look; signing up needs a
signed-in rider."""

from functools import wraps

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from points.activity_forms import RatingForm
from points.models import Activity, SignUp
from points.services import activities, hours
from points.services.activities import ActivityError
from portal.community_picker import choose_community, chosen_community
from portal.errors import flash_refusal
from registry.services.riders import current_worker, rider_required, sign_in_redirect


def activities_public(request):
    """Coming activities of the signed-in rider's community and the areas above it; for anyone
    else all of them, or those of the community they tap down to."""
    worker = current_worker(request)
    community = worker.area if worker else None
    if community is None:
        if "area" in request.GET or "choose" in request.GET:
            return choose_community(request, title=_("Activities near you"))
        community = chosen_community(request)
    rows = Activity.objects.upcoming(timezone.now()).select_related("area")
    if community:
        rows = rows.filter(area_id__in=community.path_ids())
    page = Paginator(rows, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "points/activities_public.html",
        {"page": page, "community": community, "worker": worker},
    )


def activity_public(request, pk):
    activity = get_object_or_404(Activity.objects.select_related("area", "station"), pk=pk)
    worker = current_worker(request)
    signup = (
        SignUp.objects.active().filter(activity=activity, worker=worker).first() if worker else None
    )
    waiting = activity.waiting.waiting()
    mine = waiting.filter(worker=worker).first() if worker and not signup else None
    return render(
        request,
        "points/activity_public.html",
        {
            "activity": activity,
            "worker": worker,
            "signup": signup,
            "waiting": mine,
            "rating": activity.ratings.filter(worker=worker).first()
            if signup and signup.attended
            else None,
            "rating_form": RatingForm(),
            "over": activity.ends_at <= timezone.now(),
            # the rider's place in line: those who joined before them, and them
            "in_line": waiting.filter(
                Q(joined_at__lt=mine.joined_at) | Q(joined_at=mine.joined_at, id__lte=mine.id)
            ).count()
            if mine
            else None,
            "started": activity.starts_at <= timezone.now(),
        },
    )


def rider_on_activity(view):
    """Buttons of the activity's page: a rider who is not signed in comes back to that page, where
    the buttons are, once signed in (not to the button's URL, which may take only a POST)."""

    @wraps(view)
    def wrapped(request, pk):
        request.worker = current_worker(request)
        if request.worker is None:
            return sign_in_redirect(reverse("points:activity_public", args=[pk]))
        return view(request, pk)

    return wrapped


@require_POST
@rider_on_activity
def activity_sign_up(request, pk):
    activity = get_object_or_404(Activity, pk=pk)
    with flash_refusal(request):
        activities.sign_up(activity, request.worker)
        messages.success(
            request, _("You are signed up. We will text you a reminder the day before.")
        )
    return redirect("points:activity_public", activity.pk)


@require_POST
@rider_on_activity
def activity_rate(request, pk):
    """An attendee rates the activity once it is over."""
    activity = get_object_or_404(Activity, pk=pk)
    form = RatingForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("points:activity_public", activity.pk)
    with flash_refusal(request):
        activities.rate(
            activity, request.worker, form.cleaned_data["stars"], form.cleaned_data["comment"]
        )
        messages.success(request, _("Thank you for rating the activity."))
    return redirect("points:activity_public", activity.pk)


@require_POST
@rider_on_activity
def activity_wait(request, pk):
    """Join the waiting list of a full activity: a place given back is the first rider's."""
    activity = get_object_or_404(Activity, pk=pk)
    with flash_refusal(request):
        activities.join_waiting_list(activity, request.worker)
        messages.success(
            request, _("You are on the waiting list. We will text you if a place is yours.")
        )
    return redirect("points:activity_public", activity.pk)


@require_POST
@rider_on_activity
def activity_leave_waiting_list(request, pk):
    activity = get_object_or_404(Activity, pk=pk)
    with flash_refusal(request):
        activities.leave_waiting_list(activity, request.worker)
        messages.success(request, _("You left the waiting list."))
    return redirect("points:activity_public", activity.pk)


@require_http_methods(["GET", "POST"])
@rider_on_activity
def activity_cancel_sign_up(request, pk):
    """GET asks whether to give the place back, POST does it. Without a place (given back
    already, a second tap) the rider is told so on the activity's page."""
    activity = get_object_or_404(Activity, pk=pk)
    signup = SignUp.objects.active().filter(activity=activity, worker=request.worker).first()
    if signup is None:
        messages.info(request, _("You are not signed up for this activity."))
        return redirect("points:activity_public", pk)
    if request.method == "GET":
        return render(request, "points/activity_cancel.html", {"activity": activity})
    with flash_refusal(request):
        activities.cancel_sign_up(signup)
        messages.success(request, _("You gave your place back."))
    return redirect("points:activity_public", pk)


@never_cache
@require_http_methods(["GET", "POST"])
@rider_required
def activity_scan(request, pk, token):
    """The page the check-in screen's QR code opens: GET says where the rider stands and offers
    signing in (at the start) or out (at the end); POST does it. A code that is stale or of
    another activity is refused here, and again by the service when the button is pressed."""
    activity = get_object_or_404(Activity.objects.select_related("area"), pk=pk)
    if request.method == "POST":
        with flash_refusal(request):
            if request.POST.get("action") == "out":
                if hours.sign_out(activity, request.worker, token):
                    messages.success(request, _("You are signed out. Thank you for your service!"))
                else:
                    messages.info(request, _("You had signed out already."))
            elif hours.sign_in(activity, request.worker, token):
                messages.success(
                    request, _("You are signed in. Scan the code again when you leave.")
                )
            else:
                messages.info(request, _("You had signed in already."))
        return redirect("points:activity_public", activity.pk)
    refusal, status = None, 200
    try:
        hours.check_token(activity, token)
    except ActivityError as refused:
        refusal, status = str(refused), 410 if refused.code == "stale" else 404
    signup = SignUp.objects.active().filter(activity=activity, worker=request.worker).first()
    return render(
        request,
        "points/activity_scan.html",
        {"activity": activity, "signup": signup, "refusal": refusal},
        status=status,
    )
