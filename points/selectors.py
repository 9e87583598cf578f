"""points' reads for the core's hooks: the rider page's activities and rewards, and the top of the
month's leaderboard on a station's landing page."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from points import leaderboard
from points.models import Redemption, RedemptionState, SignUp
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
