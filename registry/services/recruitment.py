"""招募令: staff publish a call for a role, riders apply with a few words, staff accept (which
appoints the role, registry.services.appointments) or decline with a reason. Each change is
atomic with its row on the rider's timeline; the call is locked while its places are counted, so
two acceptances at once cannot fill more places than it has."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.errors import DomainError
from registry.models import (
    Application,
    RecruitmentCall,
    Worker,
    WorkerEvent,
    WorkerRole,
    WorkerStatus,
)
from registry.services import appointments


class RecruitmentError(DomainError):
    """An application or a decision that cannot be made, and why."""


def publish(details: dict, *, by) -> RecruitmentCall:
    return RecruitmentCall.objects.create(**details, created_by=by)


def places_taken(call: RecruitmentCall) -> int:
    return call.applications.filter(status=Application.Status.ACCEPTED).count()


def apply(call: RecruitmentCall, worker: Worker, message: str) -> Application:
    """A signed-in rider answers a call: once per call, by its deadline, while it has places, if
    their registration is confirmed and they do not hold the role already."""
    with transaction.atomic():
        call = RecruitmentCall.objects.select_for_update().get(pk=call.pk)
        today = timezone.localdate()
        if worker.status != WorkerStatus.CONFIRMED:
            raise RecruitmentError(
                "not_confirmed", _("Your community has to confirm your registration first.")
            )
        if not call.is_open(today):
            raise RecruitmentError("closed", _("The deadline of this call has passed."))
        if places_taken(call) >= call.wanted:
            raise RecruitmentError("filled", _("Every place of this call has been filled."))
        if WorkerRole.objects.active(today).filter(worker=worker, role=call.role).exists():
            raise RecruitmentError("already_appointed", _("You already hold this role."))
        try:
            with transaction.atomic():
                application = Application.objects.create(
                    call=call, worker=worker, message=message.strip()
                )
        except IntegrityError:
            raise RecruitmentError(
                "already_applied", _("You have already applied to this call.")
            ) from None
        WorkerEvent.objects.create(
            worker=worker, kind=WorkerEvent.Kind.APPLIED, changes={"call": ["", str(call)]}
        )
    return application


def _locked(application: Application) -> Application:
    """The application, its call locked first (the order every decision takes), still pending."""
    RecruitmentCall.objects.select_for_update().get(pk=application.call_id)
    application = (
        Application.objects.select_for_update()
        .select_related("call__area", "worker")
        .get(pk=application.pk)
    )
    if application.status != Application.Status.PENDING:
        raise RecruitmentError("decided", _("This application has already been decided."))
    return application


def accept(application: Application, *, by) -> WorkerRole:
    """Accept the rider and appoint them to the call's role in its area, in one transaction."""
    with transaction.atomic():
        application = _locked(application)
        call, worker = application.call, application.worker
        if worker.status != WorkerStatus.CONFIRMED or worker.anonymised_at:
            raise RecruitmentError(
                "not_active", _("This rider's registration is no longer active.")
            )
        if places_taken(call) >= call.wanted:
            raise RecruitmentError("filled", _("Every place of this call has been filled."))
        try:
            appointment = appointments.appoint(
                worker,
                call.role,
                area=call.area,
                department=call.department,
                ends_on=call.term_ends_on,
                by=by,
            )
        except appointments.AppointmentError as error:
            raise RecruitmentError(error.code, str(error)) from None
        application.status = Application.Status.ACCEPTED
        application.decided_by = by
        application.decided_at = timezone.now()
        application.appointment = appointment
        application.save(update_fields=["status", "decided_by", "decided_at", "appointment"])
    return appointment


def decline(application: Application, *, reason: str, by) -> None:
    """Decline the application; the rider sees the reason on 我的."""
    reason = reason.strip()
    if not reason:
        raise RecruitmentError("reason_required", _("Say why the application is declined."))
    with transaction.atomic():
        application = _locked(application)
        application.status = Application.Status.DECLINED
        application.reason = reason
        application.decided_by = by
        application.decided_at = timezone.now()
        application.save(update_fields=["status", "reason", "decided_by", "decided_at"])
        WorkerEvent.objects.create(
            worker=application.worker,
            kind=WorkerEvent.Kind.DECLINED,
            actor=by,
            changes={"call": ["", str(application.call)], "reason": ["", reason]},
        )
