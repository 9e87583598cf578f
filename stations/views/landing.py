"""The rider's side of a station's QR code: its landing page and 报到.

Built for a cheap phone inside WeChat's browser: no JavaScript, its own small stylesheet instead
of Bootstrap, two queries (the station with its area, its amenities), and for a few seconds none.
"""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from portal import ratelimit, slots
from portal.privacy import mask_mobile
from registry.forms import MobileForm
from stations import checkin, landing_cache, last_station
from stations.icons import AMENITY_ICONS
from stations.models import Amenity, RetiredToken, Service, Station

AMENITY_ORDER = {code: position for position, code in enumerate(Amenity.values)}


def station_from_token(view):
    """Resolve the QR code's token into the station (with its area), or answer for a code that
    was replaced (410, a page that says so) or never existed (404)."""

    @wraps(view)
    def wrapped(request, token, *args, **kwargs):
        if "\x00" in token:  # in no token, and PostgreSQL refuses one in a query (a 500)
            return render(request, "stations/unknown.html", status=404)
        station = Station.objects.select_related("area").filter(token=token).first()
        if station is not None:
            return view(request, station, *args, **kwargs)
        retired = RetiredToken.objects.select_related("station").filter(token=token).first()
        if retired is not None:
            return render(
                request, "stations/replaced.html", {"station": retired.station}, status=410
            )
        return render(request, "stations/unknown.html", status=404)

    return wrapped


def landing(request, token):
    """From landing_cache when another rider opened it a few seconds ago. Either way the phone
    remembers the station, for the rider header's link back to it."""
    key = landing_cache.key(token, get_language())
    html = landing_cache.pages.get(key)
    if html is not None:
        response = HttpResponse(html)
    else:
        response = _landing(request, token)
        if response.status_code != 200:
            return response
        landing_cache.pages.set(key, response.content)
    last_station.remember(response, token)
    return response


@station_from_token
def _landing(request, station):
    now = timezone.localtime()
    codes = sorted(station.amenities.values_list("amenity", flat=True), key=AMENITY_ORDER.get)
    return render(
        request,
        "stations/landing.html",
        {
            "station": station,
            "open_now": station.is_open_at(now),
            "hours_today": hours_on(station, now.weekday()),
            "amenities": [(Amenity(code).label, AMENITY_ICONS[code]) for code in codes],
            "services": [
                Service(code).label for code in station.services if code in Service.values
            ],
            "registration_url": checkin.registration_url(station),
            "more": slots.render(slots.STATION_LANDING, request, station),
            # This station, not the visitor's cookie: the page is cached for every rider.
            "last_station_url": reverse("stations:landing", args=[station.token]),
        },
    )


def hours_on(station: Station, weekday: int) -> list[str]:
    """The day's opening intervals as riders read them: ["08:00–12:00", "14:00–20:00"]."""
    return [f"{start}–{end}" for start, end in station.hours.get(str(weekday), [])]


@station_from_token
def check_in(request, station):
    """报到: the rider gives their mobile once; afterwards the phone remembers it and one tap
    checks in. Unknown numbers go to registration with the station's community chosen."""
    remembered = remembered_mobile(request)
    use_remembered = (
        bool(remembered) and "another" not in request.GET and "mobile" not in request.POST
    )
    form = MobileForm(request.POST if request.method == "POST" and not use_remembered else None)
    if request.method == "POST":
        if use_remembered:
            return _check_in(request, station, remembered)
        if form.is_valid():
            # A typed number's answer says whether it is registered: bound how many numbers one
            # network can try, generously, as riders share carrier addresses.
            if ratelimit.allow("check-in:address", ratelimit.client_address(request)):
                return _check_in(request, station, form.cleaned_data["mobile"])
            form.add_error(
                "mobile",
                _("Too many numbers tried from this network. Wait ten minutes, or ask the staff."),
            )
    return render(
        request,
        "stations/check_in.html",
        {
            "station": station,
            "form": form,
            "remembered": mask_mobile(remembered) if use_remembered else "",
        },
    )


def _check_in(request, station, mobile):
    # Bounds what one leaked QR code or one number can do, from however many networks.
    if not ratelimit.allow("check-in:station", station.token):
        return ratelimit.too_many(request)
    if not ratelimit.allow("check-in:mobile", mobile):
        return ratelimit.too_many(request)
    worker = checkin.worker_for_mobile(mobile)
    if worker is None:
        messages.info(
            request,
            _("This mobile number is not registered yet. Register first: it takes a minute."),
        )
        response = redirect(checkin.registration_url(station))
        response.delete_cookie(checkin.MOBILE_COOKIE)
        return response
    # Rendered in answer to the POST: sending it again (a reload) repeats a visit within 30
    # minutes, which counts once, so the redirect-after-post would add a request and nothing else.
    response = render(
        request,
        "stations/checked_in.html",
        {"station": station, "result": checkin.check_in(station, worker)},
    )
    response.set_signed_cookie(
        checkin.MOBILE_COOKIE,
        mobile,
        salt=checkin.MOBILE_COOKIE_SALT,
        max_age=checkin.MOBILE_COOKIE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


def remembered_mobile(request) -> str:
    """The mobile of this phone's last check-in; empty when none, or when tampered with."""
    return request.get_signed_cookie(
        checkin.MOBILE_COOKIE,
        default="",
        salt=checkin.MOBILE_COOKIE_SALT,
        max_age=checkin.MOBILE_COOKIE_MAX_AGE,
    )
