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

# The rider's mobile, remembered on their phone after a check-in: signed, so a changed cookie is
# ignored, never trusted.
MOBILE_COOKIE = "rider_mobile"
MOBILE_COOKIE_SALT = "stations.rider_mobile"
MOBILE_COOKIE_MAX_AGE = 365 * 24 * 60 * 60


@dataclass(frozen=True)
class CheckInResult:
    visit: StationVisit  # the new visit, or the earlier one it repeats
    counted: bool  # False: the same phone checked in here less than 30 minutes ago
    visits_that_day: int  # the station's visits on the visit's day, this one included


def worker_for_mobile(mobile: str) -> Worker | None:
    """The registered worker with this mobile; None for an unknown number and for someone who
    withdrew their consent or was erased (they register again, consenting anew)."""
    return Worker.objects.consenting().filter(mobile=mobile).first()


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


def registration_url(station: Station) -> str:
    """The registration page with the station's community chosen; a station that belongs to a
    street or above starts the rider's choice there."""
    area = station.area
    key = "community" if area.level == AreaLevel.COMMUNITY else "area"
    return f"{reverse('registry:register')}?{urlencode({key: area.code})}"
