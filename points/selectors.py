"""points' reads for the core's hooks: the rider page's activities and rewards, and the top of the
month's leaderboard on a station's landing page."""

from django.db.models import Sum
from django.db.models.functions import ExtractYear
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from points import leaderboard
from points.models import (
    Certificate,
    Redemption,
    RedemptionState,
    SignUp,
    StarLevel,
    hours_of,
)
from portal.workbench import Line
from registry.models import Worker


def my_activities(worker: Worker) -> dict:
    """The rider's "我的" page section: activities they signed up for, coming and attended."""
    now = timezone.now()
    signups = SignUp.objects.active().filter(worker=worker).select_related("activity")
    return {
        "coming": signups.filter(activity__ends_at__gt=now).order_by("activity__starts_at")[:20],
        "attended": signups.filter(attended_at__isnull=False).order_by("-attended_at")[:10],
    }


RECORD_ACTIVITIES = 20


def volunteer_record(worker: Worker) -> dict:
    """A rider's volunteer record (志愿服务记录), on 我的 and on the staff worker page: hours by
    year and in total, the latest activities with their hours, and the stars the total has
    earned (StarLevel) with the hours to the next. Three queries."""
    counted = SignUp.objects.active().filter(worker=worker, minutes__isnull=False)
    years = list(
        counted.annotate(year=ExtractYear("activity__starts_at"))
        .values("year")
        .annotate(minutes=Sum("minutes"))
        .order_by("-year")
    )
    total = sum(year["minutes"] for year in years)
    stars, next_level = 0, None
    for level in StarLevel.objects.order_by("hours", "stars"):
        if total >= level.hours * 60:
            stars = max(stars, level.stars)
        elif next_level is None:
            next_level = level
    return {
        "worker": worker,
        "years": [{"year": y["year"], "hours": hours_of(y["minutes"])} for y in years],
        "total_hours": hours_of(total),
        "stars": stars,
        "next_level": next_level,
        "to_next": hours_of(next_level.hours * 60 - total) if next_level else None,
        "activities": counted.select_related("activity").order_by("-activity__starts_at", "-id")[
            :RECORD_ACTIVITIES
        ],
    }


def service_in_period(worker: Worker, start, end) -> dict:
    """The hours counted for a rider in the activities that started from `start` to `end` (local
    dates, both included), and those activities oldest first: what a certificate copies."""
    signups = (
        SignUp.objects.active()
        .filter(
            worker=worker,
            minutes__gt=0,
            activity__starts_at__date__gte=start,
            activity__starts_at__date__lte=end,
        )
        .select_related("activity")
        .order_by("activity__starts_at", "id")
    )
    activities = [
        {
            "date": timezone.localdate(signup.activity.starts_at).isoformat(),
            "title": signup.activity.title,
            "minutes": signup.minutes,
        }
        for signup in signups
    ]
    return {"minutes": sum(line["minutes"] for line in activities), "activities": activities}


CERTIFICATES_LISTED = 10


def certificates(worker: Worker) -> dict:
    """A rider's certificates, newest first: their list on 我的 and on the staff page of the
    worker (with the way to issue one). One query."""
    return {
        "worker": worker,
        "certificates": Certificate.objects.filter(worker=worker).order_by("-issued_at", "-id")[
            :CERTIFICATES_LISTED
        ],
    }


def my_redemptions(worker) -> dict:
    """The rider's "我的" section: the rewards waiting for pickup with their codes, then the
    last few handed over or cancelled."""
    recent = list(
        Redemption.objects.filter(worker=worker)
        .select_related("reward__area")
        .order_by("-created_at", "-id")[:20]
    )
    return {
        "waiting": [r for r in recent if r.state == RedemptionState.REQUESTED],
        "done": [r for r in recent if r.state != RedemptionState.REQUESTED][:5],
    }


LANDING_PLACES = 3


def station_board(station) -> dict:
    """The top of the month's board, on the station's landing page (portal.slots)."""
    return {
        "station": station,
        "places": leaderboard.monthly_cached(station.area)[:LANDING_PLACES],
        "month": leaderboard.month_start(),
    }


def workbench(user) -> list[Line]:
    """The staff home's part (portal.workbench): rewards redeemed in the user's scope and
    waiting for the rider to pick them up; one query."""
    waiting = Redemption.objects.in_scope(user).filter(state=RedemptionState.REQUESTED).count()
    url = f"{reverse('points:redemptions')}?state={RedemptionState.REQUESTED}"
    return [Line(_("Rewards to hand over"), waiting, url, note=_("waiting for pickup"))]
