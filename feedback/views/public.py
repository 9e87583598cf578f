"""The rider's side of the loop: file a suggestion from a phone, follow it by its tracking code,
and rate the outcome or say it is not solved. No account: the tracking code is the key."""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from feedback import services
from feedback.forms import HONEYPOT, RatingForm, ReopenForm, SuggestionForm, TrackingCodeForm
from feedback.models import FOLLOWER_STATES, Category, Channel, State, Suggestion, TaskPhoto
from portal import ratelimit
from portal.community_picker import choose_community, chosen_community
from portal.errors import flash_refusal
from registry.services import riders
from stations.selectors import recent_station_for_token

STATE_EXPLANATIONS = {
    State.SUBMITTED: gettext_lazy(
        "Community staff will read it and decide what to do, normally within %(days)s working days."
    ),
    State.ACCEPTED: gettext_lazy(
        "It was taken up: the departments that can act on it are working on it."
    ),
    State.RESOLVED: gettext_lazy(
        "The work is done. Read the reply, then tell us whether it solved the problem."
    ),
    State.CLOSED: gettext_lazy("It is finished. Thank you for telling us."),
    State.REJECTED: gettext_lazy("It was not taken up. The reply says why."),
    State.DUPLICATE: gettext_lazy("The same matter was reported before: it follows that report."),
    State.MERGED: gettext_lazy(
        "It was joined with a report of the same matter, and follows that one."
    ),
}


def suggest(request):
    """From the portal's home: the rider first taps down to their community (as registration
    does), whose staff then assess the suggestion."""
    community = chosen_community(request)
    if community is None:
        return choose_community(request, title=_("Make a suggestion"))
    return _suggest(request, area=community, channel=Channel.ONLINE)


def station_suggest(request, token):
    """From a station's QR code: the station and its area come with it."""
    station = recent_station_for_token(token)
    return _suggest(request, area=station.area, station=station, channel=Channel.QR_CODE)


def _suggest(request, *, area, channel, station=None):
    """A signed-in rider (registry.services.riders) finds their name and mobile filled in, and
    files it as themselves: a hazard report then earns them its points."""
    rider = riders.current_worker(request)
    if request.method == "POST":
        if request.POST.get(HONEYPOT):
            return render(request, "feedback/honeypot.html")
        # Counted before the photos are decoded, the costly part a flood would aim at.
        attempts = [("suggest:address", ratelimit.client_address(request))]
        if station:
            attempts.append(("suggest:station", station.token))
        if not ratelimit.allow_all(*attempts):
            return ratelimit.too_many(request)
        form = SuggestionForm(request.POST, request.FILES)
        if form.is_valid():
            mobile = form.cleaned_data["mobile"]
            if mobile and not ratelimit.allow("suggest:mobile", mobile):
                return ratelimit.too_many(request)
            suggestion = services.submit(
                form.details(station),
                form.cleaned_data["photos"],
                channel=channel,
                area=area,
                station=station,
                worker=rider,
            )
            url = reverse("feedback:track", args=[suggestion.tracking_code])
            return redirect(f"{url}?filed=1")
    else:
        category = request.GET.get("category")
        initial = {"category": category} if category in Category.values else {}
        if rider is not None:
            initial |= {"name": rider.name, "mobile": rider.mobile}
        form = SuggestionForm(initial=initial)
    return render(
        request,
        "feedback/suggest.html",
        {"form": form, "area": area, "station": station, "rider": rider},
    )


def by_tracking_code(view):
    """Resolve the code (in its stored form however it was typed: portal.converters) into the
    suggestion, or answer 404; unknown codes are counted per client address and, past their
    limit, every code is refused for a while, so guessing gets nowhere."""

    @wraps(view)
    def wrapped(request, code, *args, **kwargs):
        address = ratelimit.client_address(request)
        if ratelimit.exhausted("track-miss:address", address):
            return ratelimit.too_many(request)
        suggestion = (
            Suggestion.objects.select_related("original__original", "issue_type")
            .filter(tracking_code=code)
            .first()
        )
        if suggestion is None:
            ratelimit.allow("track-miss:address", address)
            return render(request, "feedback/unknown_code.html", status=404)
        return view(request, suggestion, *args, **kwargs)

    return wrapped


def track_lookup(request):
    form = TrackingCodeForm(request.GET if "code" in request.GET else None)
    if form.is_valid():
        address = ratelimit.client_address(request)
        if ratelimit.exhausted("track-miss:address", address):
            return ratelimit.too_many(request)
        code = form.cleaned_data["code"]
        if Suggestion.objects.filter(tracking_code=code).exists():
            return redirect("feedback:track", code)
        ratelimit.allow("track-miss:address", address)
        form.add_error("code", _("No suggestion has this code. Check it character by character."))
    return render(request, "feedback/track_lookup.html", {"form": form})


@by_tracking_code
def track(request, suggestion):
    return _track_page(request, suggestion)


def _track_page(request, suggestion, *, rating_form=None, reopen_form=None):
    """What the submitter may see: no staff names (events without their actor), no name or
    mobile, only the public events and the photos not hidden."""
    followed = suggestion.outcome() if suggestion.state in FOLLOWER_STATES else None
    resolved = suggestion.state == State.RESOLVED
    # Texts are sent while there is news to come: not once it is closed or not taken up. Whether
    # the number is still good is the sender's to check (feedback.texts.mobile_of).
    texted = bool(suggestion.mobile or suggestion.worker_id) and suggestion.state not in (
        State.CLOSED,
        State.REJECTED,
    )
    return render(
        request,
        "feedback/track.html",
        {
            "suggestion": suggestion,
            "filed": "filed" in request.GET,
            "track_url": request.build_absolute_uri(
                reverse("feedback:track", args=[suggestion.tracking_code])
            ),
            "explanation": explain(suggestion.state),
            "events": suggestion.events.filter(public=True),
            "photos": suggestion.photos.filter(hidden=False),
            # The departments' result photos that staff chose to show.
            "result_photos": TaskPhoto.objects.filter(
                task__suggestion=suggestion, published=True, hidden=False
            )
            if suggestion.state in (State.RESOLVED, State.CLOSED)
            else [],
            "followed": followed,
            "followed_explanation": explain(followed.state, follower=True) if followed else "",
            "followed_events": followed.events.filter(public=True) if followed else [],
            "rating_form": (rating_form or RatingForm()) if resolved else None,
            "reopen_form": (reopen_form or ReopenForm()) if resolved else None,
            "hazard": suggestion.category == Category.HAZARD,
            "texted": texted,
        },
    )


def explain(state: str, *, follower=False) -> str:
    """The state in plain words; a follower's submitter cannot rate the original's outcome."""
    if follower and state == State.RESOLVED:
        return _("The work is done. Read the reply.")
    return STATE_EXPLANATIONS[state] % {"days": settings.FEEDBACK_ASSESS_WITHIN_WORKING_DAYS}


@require_POST
@by_tracking_code
def rate(request, suggestion):
    form = RatingForm(request.POST)
    if not form.is_valid():
        return _track_page(request, suggestion, rating_form=form)
    with flash_refusal(request):
        services.rate(
            suggestion, rating=form.cleaned_data["rating"], comment=form.cleaned_data["comment"]
        )
        messages.success(request, _("Thank you for rating the outcome."))
    return redirect("feedback:track", suggestion.tracking_code)


@require_POST
@by_tracking_code
def reopen(request, suggestion):
    form = ReopenForm(request.POST)
    if not form.is_valid():
        return _track_page(request, suggestion, reopen_form=form)
    with flash_refusal(request):
        services.reopen(suggestion, comment=form.cleaned_data["comment"])
        messages.success(
            request, _("We are sorry it is not solved. Community staff will look at it again.")
        )
    return redirect("feedback:track", suggestion.tracking_code)


@require_POST
@by_tracking_code
def stop_texts(request, suggestion):
    """The submitter's "no more text messages" button on the tracking page."""
    with flash_refusal(request):
        services.stop_texts(suggestion)
        messages.success(request, _("No more text messages will be sent about this suggestion."))
    return redirect("feedback:track", suggestion.tracking_code)
