"""The rider's side of a station's QR code: its landing page and 报到.

Built for a cheap phone inside WeChat's browser: no JavaScript, its own small stylesheet instead
of Bootstrap, four queries (the station with its area and amenities, then one for each part other
apps add through portal.slots: points' leaderboard, feedback's "what was done here", registry's
recruitment calls), and for a few seconds none.
A signed-in rider (registry.services.riders) gets the page of their own, never cached: its 报到
button records the check-in with one tap, and the page then says 已报到.
"""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from portal import ratelimit, slots
from portal.otp_forms import MobileForm
from registry.services import riders
from stations import checkin, landing_cache, last_station
from stations.icons import AMENITY_ICONS
from stations.models import Amenity, Service, Station, StationVisit
from stations.selectors import station_for_token

AMENITY_ORDER = {code: position for position, code in enumerate(Amenity.values)}


def landing(request, token):
    """From landing_cache when another rider opened it a few seconds ago; a signed-in rider's
    own page neither from nor into it. Either way the phone remembers the station, for the rider
    header's link back to it."""
    if riders.SESSION_KEY in request.session:
        response = _landing(request, token)
    else:
        key = landing_cache.key(token, get_language())
        html = landing_cache.pages.get(key)
        if html is not None:
            response = HttpResponse(html)
        else:
            response = _landing(request, token)
            if response.status_code == 200:
                landing_cache.pages.set(key, response.content)
    if response.status_code != 200:
        return response
    last_station.remember(response, token)
    return response


def _landing(request, token):
    station = station_for_token(token, with_amenities=True)
    now = timezone.localtime()
    codes = sorted(station.amenity_codes, key=AMENITY_ORDER.get)
    rider = riders.current_worker(request)
    visit = checkin.recent_visit(station, rider) if rider else None
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
            "rider": rider,
            "visit": visit,
            "visits_today": (
                StationVisit.objects.filter(station=station, day=visit.day).count() if visit else 0
            ),
            "more": slots.render(slots.STATION_LANDING, request, station),
            # This station, not the visitor's cookie: the page is cached for every rider.
            "last_station_url": reverse("stations:landing", args=[station.token]),
        },
    )


def hours_on(station: Station, weekday: int) -> list[str]:
    """The day's opening intervals as riders read them: ["08:00–12:00", "14:00–20:00"]."""
    return [f"{start}–{end}" for start, end in station.hours.get(str(weekday), [])]


def check_in(request, token):
    """报到. A signed-in rider's tap (a POST) records it, and they land back on the station's
    page. Anyone else gives their mobile once: a texted code proves it and signs them in, or
    takes them to registration with the number proven and the station's community chosen;
    either way they come back here and the check-in is recorded without another tap."""
    station = station_for_token(token)
    worker = riders.current_worker(request)
    if worker is not None:
        if request.method == "POST" or request.session.get(checkin.AFTER_SIGN_IN) == station.token:
            request.session.pop(checkin.AFTER_SIGN_IN, None)
            return _check_in(request, station, worker)
        return render(request, "stations/check_in.html", {"station": station, "rider": worker})
    form = MobileForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        refusal = riders.send_code(request, form.cleaned_data["mobile"])
        if not refusal:
            request.session[checkin.AFTER_SIGN_IN] = station.token
            return redirect(checkin.sign_in_code_url(station))
        form.add_error("mobile", refusal)
    return render(request, "stations/check_in.html", {"station": station, "form": form})


def _check_in(request, station, worker):
    # Bounds what one leaked QR code or one rider can do, from however many networks.
    if not ratelimit.allow_all(
        ("check-in:station", station.token), ("check-in:mobile", worker.mobile)
    ):
        return ratelimit.too_many(request)
    result = checkin.check_in(station, worker)
    if not result.counted:
        messages.info(
            request,
            _("You checked in here at %(time)s; a visit counts once every 30 minutes.")
            % {"time": timezone.localtime(result.visit.created_at).strftime("%H:%M")},
        )
    # The station's page says 已报到; a reload there records nothing.
    return redirect("stations:landing", station.token)
