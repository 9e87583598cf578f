"""报到 at a station: a rider's visit, counted once per station per 30 minutes, and the visits per
station and day that the dashboard reads.

A station visit is not the registry's CheckIn: that one is 双报到, a worker reporting to their
community (registration records it). Tapping 报到 at a station records only a StationVisit.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from django.db import transaction
from django.db.models import Count, QuerySet
from django.urls import reverse
from django.utils import timezone

from portal.models import AreaLevel
from registry.models import Worker
from stations.models import Station, StationVisit

# Two taps of one phone at one station within this time are one visit.
SAME_VISIT = timedelta(minutes=30)

# The station whose 报到 a rider tapped before proving their mobile (registry.services.riders):
# once they are signed in, or registered, the check-in is recorded without another tap.
AFTER_SIGN_IN = "check_in_after_sign_in"


@dataclass(frozen=True)
class CheckInResult:
    visit: StationVisit  # the new visit, or the earlier one it repeats
    counted: bool  # False: the same phone checked in here less than 30 minutes ago
    visits_that_day: int  # the station's visits on the visit's day, this one included


def check_in(station: Station, worker: Worker, *, at: datetime | None = None) -> CheckInResult:
    """Count the worker's visit to the station, once per 30 minutes.

    The worker's row is locked so that two taps racing each other (a double tap, a retry on a
    slow network) see each other's visit and count once.
    """
    at = at or timezone.now()
    with transaction.atomic():
        Worker.objects.select_for_update().filter(pk=worker.pk).exists()
        visit = (
            StationVisit.objects.filter(
                worker=worker, station=station, created_at__gt=at - SAME_VISIT
            )
            .order_by("-created_at")
            .first()
        )
        counted = visit is None
        if counted:
            visit = StationVisit.objects.create(
                station=station, worker=worker, day=timezone.localdate(at), created_at=at
            )
        visits = StationVisit.objects.filter(station=station, day=visit.day).count()
    return CheckInResult(visit, counted, visits)


def visits_per_day(stations: QuerySet, since: date) -> list[dict]:
    """[{"station": id, "day": date, "visits": n}, …] from `since` on, ordered by station and
    day, in one query (the `station_visit_day` index serves it)."""
    return list(
        StationVisit.objects.filter(station__in=stations, day__gte=since)
        .values("station", "day")
        .annotate(visits=Count("id"))
        .order_by("station", "day")
    )


def recent_visit(station: Station, worker: Worker) -> StationVisit | None:
    """The worker's visit to the station that a tap now would repeat, if any."""
    since = timezone.now() - SAME_VISIT
    return (
        StationVisit.objects.filter(worker=worker, station=station, created_at__gt=since)
        .order_by("-created_at")
        .first()
    )


def _community(station: Station) -> dict:
    """The registration form's start: the station's community; a station that belongs to a
    street or above starts the rider's choice there."""
    area = station.area
    return {"community" if area.level == AreaLevel.COMMUNITY else "area": area.code}


def registration_url(station: Station) -> str:
    """The registration page with the station's community chosen; the rider comes back to the
    station's page afterwards."""
    query = {**_community(station), "next": reverse("stations:landing", args=[station.token])}
    return f"{reverse('registry:register')}?{urlencode(query)}"


def sign_in_code_url(station: Station) -> str:
    """The code step of the rider's sign-in, on the way to this station's 报到: it comes back to
    the check-in, or goes to registration with the station's community chosen."""
    query = {"next": reverse("stations:check_in", args=[station.token]), **_community(station)}
    return f"{reverse('registry:sign_in_code')}?{urlencode(query)}"
