"""Appointed roles (任命): a role held in an area, for a term, until it runs out or staff end it.
Each change is atomic with its row on the worker's timeline; `set_roles` runs inside the caller's
change of the record, which writes the timeline row itself."""

from datetime import date

from django.db import transaction
from django.db.models import F, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.errors import DomainError
from registry.models import WorkerEvent, WorkerRole

# How far ahead the staff's list of appointments running out looks.
EXPIRING_DAYS = 30


class AppointmentError(DomainError):
    """An appointment that cannot be made or ended, and why."""


def active_roles() -> Prefetch:
    """`worker.roles.all()` as the roles held today, for a list of workers in one query."""
    return Prefetch(
        "roles", queryset=WorkerRole.objects.active(timezone.localdate()).order_by("role")
    )


def close_lapsed(appointments, today) -> None:
    """Open appointments among `appointments` whose term ran out before `today` end on their last
    day, so that the role can be given again (one open appointment per role)."""
    appointments.filter(ended_on__isnull=True, ends_on__lt=today).update(ended_on=F("ends_on"))


def _open(worker, role, *, area, department, starts_on, ends_on, by) -> WorkerRole:
    """The worker's open appointment of `role`, renewed with this term if they hold it, else a new
    one. An open appointment whose term ran out is closed on its last day first."""
    close_lapsed(worker.roles.filter(role=role), starts_on)
    details = {
        "area": area,
        "department": department,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "appointed_by": by,
    }
    appointment, _created = WorkerRole.objects.update_or_create(
        worker=worker, role=role, ended_on__isnull=True, defaults=details
    )
    return appointment


def set_roles(worker, roles: list[str], *, by) -> dict:
    """Staff tick a worker's roles on the record: a role ticked anew is appointed in the worker's
    community from today with no end; one unticked ends today. The changes, as the timeline keeps
    them ({} for none)."""
    today = timezone.localdate()
    held = sorted(
        WorkerRole.objects.active(today).filter(worker=worker).values_list("role", flat=True)
    )
    if held == sorted(roles):
        return {}
    close_lapsed(worker.roles.all(), today)
    worker.roles.filter(ended_on__isnull=True).exclude(role__in=roles).update(ended_on=today)
    for role in set(roles) - set(held):
        _open(worker, role, area=worker.area, department="", starts_on=today, ends_on=None, by=by)
    return {"roles": [held, sorted(roles)]}


def appoint(worker, role: str, *, area, department: str, ends_on: date | None, by) -> WorkerRole:
    """Appoint the worker to `role` in `area` from today until `ends_on` (None: no end)."""
    today = timezone.localdate()
    if ends_on is not None and ends_on < today:
        raise AppointmentError("term_over", _("The term of this appointment is already over."))
    with transaction.atomic():
        appointment = _open(
            worker, role, area=area, department=department, starts_on=today, ends_on=ends_on, by=by
        )
        WorkerEvent.objects.create(
            worker=worker,
            kind=WorkerEvent.Kind.APPOINTED,
            actor=by,
            changes={
                "role": ["", role],
                "area": ["", area.name],
                "term": ["", term_label(appointment)],
            },
        )
    return appointment


def end(appointment: WorkerRole, *, reason: str, by) -> None:
    """Staff end an appointment before its term: from today it is no longer active."""
    reason = reason.strip()
    if not reason:
        raise AppointmentError("reason_required", _("Say why the appointment ends."))
    today = timezone.localdate()
    with transaction.atomic():
        appointment = WorkerRole.objects.select_for_update().get(pk=appointment.pk)
        if not WorkerRole.objects.active(today).filter(pk=appointment.pk).exists():
            raise AppointmentError("not_active", _("This appointment has already ended."))
        appointment.ended_on = today
        appointment.end_reason = reason
        appointment.save(update_fields=["ended_on", "end_reason"])
        WorkerEvent.objects.create(
            worker_id=appointment.worker_id,
            kind=WorkerEvent.Kind.APPOINTMENT_ENDED,
            actor=by,
            changes={"role": [appointment.role, ""], "reason": ["", reason]},
        )


def term_label(appointment: WorkerRole) -> str:
    if appointment.ends_on is None:
        return _("from %(start)s, no end") % {"start": appointment.starts_on.isoformat()}
    return _("%(start)s to %(end)s") % {
        "start": appointment.starts_on.isoformat(),
        "end": appointment.ends_on.isoformat(),
    }
