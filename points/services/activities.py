"""Volunteer teams and activities: the state changes, one function each.

An activity's `signed_up` counter moves in the same transaction as the sign-up row it counts, by a
conditional UPDATE (`signed_up < capacity`): on PostgreSQL the second of two concurrent sign-ups
waits for the first's row lock and then re-checks the condition, so the last place goes once, and
the CHECK constraint stops anything that slips past. A sign-up's own times are its timeline
(signed up, reminded, attended and by whom, cancelled); the points it earned are the ledger entry
it caused (points.services.ledger.cause_of).
"""

import logging
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from points.models import (
    Activity,
    ActivityRating,
    EntryKind,
    SignUp,
    TeamMember,
    VolunteerTeam,
    WaitingListEntry,
)
from points.services.ledger import award, cause_of
from portal.dates import local_midnight
from portal.errors import DomainError
from portal.sms import send_sms
from registry.models import Worker, WorkerStatus

logger = logging.getLogger(__name__)


class ActivityError(DomainError):
    """A change of an activity or its sign-ups that cannot be made, and why."""


def save_activity(activity: Activity, *, by) -> Activity:
    """Add an activity, or save staff's changes to one. The capacity cannot drop below the places
    already taken; `signed_up` is never written from a form's stale copy."""
    if activity.pk is None:
        activity.created_by = by
        activity.save()
        return activity
    fields = [
        field.name
        for field in Activity._meta.concrete_fields
        if field.editable and not field.primary_key and field.name not in ("created_by",)
    ]
    with transaction.atomic():
        taken = Activity.objects.select_for_update().values_list("signed_up", flat=True)
        taken = taken.get(pk=activity.pk)
        if activity.capacity < taken:
            raise ActivityError(
                "capacity",
                _("%(count)s riders have signed up already: the places cannot be fewer.")
                % {"count": taken},
            )
        activity.save(update_fields=fields)
        activity.signed_up = taken
    return activity


def sign_up(activity: Activity, worker: Worker) -> SignUp:
    """Take a place at the activity for the rider, or say why not."""
    if worker.status == WorkerStatus.LEFT:
        raise ActivityError("left", _("Your registration is closed: ask your community's staff."))
    now = timezone.now()
    with transaction.atomic():
        taken = Activity.objects.filter(
            pk=activity.pk,
            cancelled=False,
            sign_up_deadline__gt=now,
            signed_up__lt=F("capacity"),
        ).update(signed_up=F("signed_up") + 1)
        if not taken:
            raise _refusal(Activity.objects.get(pk=activity.pk), worker, now)
        try:
            with transaction.atomic():
                signup = SignUp.objects.create(activity=activity, worker=worker)
        except IntegrityError:
            raise ActivityError(
                "twice", _("You have signed up for this activity already.")
            ) from None
        # A place freed some other way (more places): the rider waits no longer.
        WaitingListEntry.objects.waiting().filter(activity=activity, worker=worker).update(
            promoted_at=now
        )
    return signup


def _refusal(activity: Activity, worker: Worker, now) -> ActivityError:
    if activity.cancelled:
        return ActivityError("cancelled", _("This activity is cancelled."))
    if activity.sign_up_deadline <= now:
        return ActivityError("closed", _("Sign-up for this activity has closed."))
    if SignUp.objects.active().filter(activity=activity, worker=worker).exists():
        return ActivityError("twice", _("You have signed up for this activity already."))
    return ActivityError("full", _("This activity is full."))


def cancel_sign_up(signup: SignUp) -> None:
    """The rider gives their place back, until the activity starts."""
    with transaction.atomic():
        signup = SignUp.objects.select_for_update().select_related("activity").get(pk=signup.pk)
        if signup.cancelled_at:
            raise ActivityError("cancelled", _("This sign-up is cancelled already."))
        if signup.attended_at:
            raise ActivityError("attended", _("Your attendance is recorded already."))
        if signup.activity.starts_at <= timezone.now():
            raise ActivityError("started", _("The activity has started: it cannot be cancelled."))
        signup.cancelled_at = timezone.now()
        signup.save(update_fields=["cancelled_at"])
        Activity.objects.filter(pk=signup.activity_id).update(signed_up=F("signed_up") - 1)
        promote_next(signup.activity)


def join_waiting_list(activity: Activity, worker: Worker) -> WaitingListEntry:
    """Put the rider in line for a place at a full activity, or say why not (a place is free:
    sign up instead)."""
    if worker.status == WorkerStatus.LEFT:
        raise ActivityError("left", _("Your registration is closed: ask your community's staff."))
    now = timezone.now()
    with transaction.atomic():
        activity = Activity.objects.select_for_update().get(pk=activity.pk)
        refusal = _refusal(activity, worker, now)
        if refusal.code != "full":
            raise refusal
        if activity.places_left > 0:
            raise ActivityError("not_full", _("There are places left: sign up instead."))
        try:
            with transaction.atomic():
                return WaitingListEntry.objects.create(activity=activity, worker=worker)
        except IntegrityError:
            raise ActivityError(
                "waiting", _("You are on the waiting list for this activity already.")
            ) from None


def leave_waiting_list(activity: Activity, worker: Worker) -> None:
    left = (
        WaitingListEntry.objects.waiting()
        .filter(activity=activity, worker=worker)
        .update(left_at=timezone.now())
    )
    if not left:
        raise ActivityError("not_waiting", _("You are not on the waiting list for this activity."))


def promote_next(activity: Activity) -> SignUp | None:
    """Give a free place to the first rider still waiting (first come, first served), in the
    caller's transaction, and text them once it is committed. None when no one is waiting or
    no place is free."""
    entry = (
        WaitingListEntry.objects.waiting()
        .select_for_update(of=("self",))
        .select_related("activity", "worker")
        .filter(activity=activity)
        .exclude(
            Exists(SignUp.objects.active().filter(activity=activity, worker=OuterRef("worker")))
        )
        .order_by("joined_at", "id")
        .first()
    )
    if entry is None:
        return None
    taken = Activity.objects.filter(
        pk=activity.pk, cancelled=False, signed_up__lt=F("capacity")
    ).update(signed_up=F("signed_up") + 1)
    if not taken:
        return None
    entry.promoted_at = timezone.now()
    entry.save(update_fields=["promoted_at"])
    signup = SignUp.objects.create(activity=entry.activity, worker=entry.worker)
    mobile, text = entry.worker.mobile, promoted_text(entry.activity)
    transaction.on_commit(lambda: send_sms(mobile, text))
    return signup


def rate(activity: Activity, worker: Worker, stars: int, comment: str = "") -> ActivityRating:
    """An attendee rates the activity once it is over; once only."""
    if not 1 <= stars <= 5:
        raise ActivityError("stars", _("Choose from 1 to 5 stars."))
    signup = SignUp.objects.active().filter(activity=activity, worker=worker).first()
    if signup is None or not signup.attended_at:
        raise ActivityError("not_attended", _("Only riders who attended rate an activity."))
    if activity.ends_at > timezone.now():
        raise ActivityError("not_over", _("Rate the activity once it is over."))
    try:
        with transaction.atomic():
            return ActivityRating.objects.create(
                activity=activity, worker=worker, stars=stars, comment=comment.strip()
            )
    except IntegrityError:
        raise ActivityError("rated", _("You have rated this activity already.")) from None


def promoted_text(activity: Activity) -> str:
    starts = timezone.localtime(activity.starts_at)
    return _(
        "A place at %(title)s is yours from the waiting list: it starts at %(time)s at "
        "%(place)s. If you cannot come, please cancel on the activity's page."
    ) % {"title": activity.title, "time": f"{starts:%m-%d %H:%M}", "place": activity.place}


def mark_attendance(signup: SignUp, *, by) -> bool:
    """The rider came: record it and award the activity's points, once. Marking again changes
    nothing and returns False. A mistake is put right with a manual adjustment of the ledger."""
    with transaction.atomic():
        signup = (
            SignUp.objects.select_for_update(of=("self",))
            .select_related("activity", "worker")
            .get(pk=signup.pk)
        )
        if signup.attended_at:
            return False
        if signup.cancelled_at:
            raise ActivityError("cancelled", _("%(name)s cancelled.") % {"name": signup.worker})
        if signup.activity.starts_at > timezone.now():
            raise ActivityError(
                "not_started", _("Attendance can be marked once the activity has started.")
            )
        record_attendance(signup, by=by)
    return True


def record_attendance(signup: SignUp, *, by) -> None:
    """Mark the sign-up attended and award the activity's points; the caller holds the
    sign-up's lock and has checked it is not attended yet (staff's tick, or the rider's scan with
    `by` None). The ledger's one-entry-per-cause constraint backs the once."""
    signup.attended_at = timezone.now()
    signup.marked_by = by
    signup.save(update_fields=["attended_at", "marked_by"])
    if signup.activity.points:
        award(
            signup.worker,
            signup.activity.points,
            EntryKind.ACTIVITY,
            cause=cause_of(signup),
            note=signup.activity.title,
            by=by,
        )


def add_member(team: VolunteerTeam, worker: Worker, *, by) -> bool:
    """Put a worker on the team; False when they are on it already."""
    _member, created = TeamMember.objects.get_or_create(
        team=team, worker=worker, defaults={"added_by": by}
    )
    return created


def remove_member(team: VolunteerTeam, worker: Worker) -> None:
    TeamMember.objects.filter(team=team, worker=worker).delete()


def needing_reminder(now: datetime):
    """Active sign-ups of activities starting from now until the end of tomorrow that have not
    been reminded: the state the evening task reads, so a missed run is caught up by the next
    (for an activity tomorrow, or one later today)."""
    day_after = timezone.localdate(now) + timedelta(days=2)
    until = local_midnight(day_after)
    return SignUp.objects.active().filter(
        reminded_on__isnull=True,
        activity__cancelled=False,
        activity__starts_at__gt=now,
        activity__starts_at__lt=until,
    )


def remind(now: datetime) -> int:
    """Text each rider once about the activity they signed up for, the day before. Returns how
    many were reminded. The message goes out with the sign-up locked and is recorded in the same
    transaction: a failed send is tried again by the next run, a second run sends nothing."""
    today = timezone.localdate(now)
    reminded = 0
    for pk in list(needing_reminder(now).values_list("pk", flat=True)):
        # Durable: each text is recorded as sent in its own transaction, never in a caller's.
        with transaction.atomic(durable=True):
            signup = (
                needing_reminder(now)
                # Another run holding this sign-up reminds it; this one moves on.
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("activity", "worker")
                .filter(pk=pk)
                .first()
            )
            if signup is None:
                continue
            send_sms(signup.worker.mobile, reminder_text(signup.activity))
            signup.reminded_on = today
            signup.save(update_fields=["reminded_on"])
        reminded += 1
    return reminded


def reminder_text(activity: Activity) -> str:
    starts = timezone.localtime(activity.starts_at)
    return _(
        "Reminder: %(title)s, which you signed up for, starts at %(time)s at %(place)s. "
        "If you cannot come, please cancel on the activity's page."
    ) % {"title": activity.title, "time": f"{starts:%m-%d %H:%M}", "place": activity.place}
