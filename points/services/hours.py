"""Volunteer hours: the rider signs in and out of an activity by scanning its rotating QR code
(points.checkin), and staff correct the hours counted, with a reason.

Only riders with a place sign in (no walk-ins: the places and the reminders count sign-ups).
Signing in records attendance through activities.record_attendance, so the activity's points
are awarded once, whether staff ticked the rider first or the rider scanned. A scan repeated (a
double tap, a resent form) changes nothing and says so: each function returns False then.
"""

from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from points import checkin
from points.models import Activity, HoursAdjustment, SignUp
from points.services.activities import ActivityError, record_attendance
from registry.models import Worker

# Riders sign in from half an hour before the start until the end, and out until an hour after
# the end; later, staff set the hours.
SIGN_IN_EARLY = timedelta(minutes=30)
SIGN_OUT_LATE = timedelta(hours=1)


def check_token(activity: Activity, token: str) -> None:
    """Refuse a scanned code that is stale, of another activity, or not one of ours."""
    scan = checkin.read(token, activity)
    if scan is checkin.Scan.STALE:
        raise ActivityError("stale", _("This code has expired: scan the code on the screen again."))
    if scan is checkin.Scan.OTHER_ACTIVITY:
        raise ActivityError("other_activity", _("This code belongs to another activity."))
    if scan is not checkin.Scan.VALID:
        raise ActivityError("invalid", _("This code is not valid: scan the code on the screen."))


def _locked_sign_up(activity: Activity, worker: Worker) -> SignUp:
    signup = (
        SignUp.objects.active()
        .select_for_update(of=("self",))
        .select_related("activity", "worker")
        .filter(activity=activity, worker=worker)
        .first()
    )
    if signup is None:
        raise ActivityError(
            "not_signed_up", _("You have no place at this activity: sign up first.")
        )
    return signup


def minutes_between(activity: Activity, start: datetime, end: datetime) -> int:
    """The whole minutes from `start` to `end` that fall within the activity's times: never more
    than its length, never less than nothing."""
    counted = min(end, activity.ends_at) - max(start, activity.starts_at)
    return max(0, int(counted.total_seconds() // 60))


def length_minutes(activity: Activity) -> int:
    return minutes_between(activity, activity.starts_at, activity.ends_at)


def sign_in(activity: Activity, worker: Worker, token: str) -> bool:
    """The rider scanned the code at the start: record it and their attendance (the points,
    once). False when they had signed in already."""
    check_token(activity, token)
    now = timezone.now()
    with transaction.atomic():
        signup = _locked_sign_up(activity, worker)
        if signup.signed_in_at:
            return False
        activity = signup.activity
        if activity.cancelled:
            raise ActivityError("cancelled", _("This activity is cancelled."))
        if now < activity.starts_at - SIGN_IN_EARLY:
            raise ActivityError(
                "too_early", _("Signing in opens half an hour before the activity starts.")
            )
        if now >= activity.ends_at:
            raise ActivityError("over", _("The activity is over: signing in has closed."))
        signup.signed_in_at = now
        signup.save(update_fields=["signed_in_at"])
        if not signup.attended_at:
            record_attendance(signup, by=None)
    return True


def sign_out(activity: Activity, worker: Worker, token: str) -> bool:
    """The rider scanned the code at the end: count the minutes since they signed in, within the
    activity's times (unless staff have set them already). False when they had signed out."""
    check_token(activity, token)
    now = timezone.now()
    with transaction.atomic():
        signup = _locked_sign_up(activity, worker)
        if signup.signed_out_at:
            return False
        if not signup.signed_in_at:
            raise ActivityError(
                "not_signed_in",
                _("You have not signed in to this activity: scan the code when it starts."),
            )
        if now > signup.activity.ends_at + SIGN_OUT_LATE:
            raise ActivityError(
                "sign_out_closed",
                _("Signing out has closed: ask the organiser to record your hours."),
            )
        signup.signed_out_at = now
        if signup.minutes is None:
            signup.minutes = minutes_between(signup.activity, signup.signed_in_at, now)
        signup.save(update_fields=["signed_out_at", "minutes"])
    return True


def adjust_hours(signup: SignUp, hours: Decimal, reason: str, *, by) -> SignUp:
    """Staff set the hours counted for an attended sign-up, at most the activity's length, and
    say why; the change is written to the sign-up's adjustments in the same transaction."""
    reason = reason.strip()
    if not reason:
        raise ActivityError("reason", _("Say why the hours change."))
    minutes = int(hours * 60)
    with transaction.atomic():
        signup = (
            SignUp.objects.select_for_update(of=("self",))
            .select_related("activity", "worker")
            .get(pk=signup.pk)
        )
        if signup.cancelled_at or not signup.attended_at:
            raise ActivityError(
                "not_attended", _("Hours are counted for riders who attended: mark them first.")
            )
        if not 0 <= minutes <= length_minutes(signup.activity):
            raise ActivityError(
                "too_many", _("The hours cannot be more than the activity's length.")
            )
        HoursAdjustment.objects.create(
            signup=signup,
            minutes_before=signup.minutes,
            minutes_after=minutes,
            reason=reason,
            adjusted_by=by,
        )
        signup.minutes = minutes
        signup.save(update_fields=["minutes"])
    return signup
