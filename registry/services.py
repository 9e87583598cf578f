"""Registry state changes: each is atomic and writes its timeline row in the same transaction."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from registry.models import Channel, CheckIn, Worker, WorkerEvent, WorkerStatus

# Bump when the wording of the consent notice (templates/registry/consent_notice.html) changes.
CONSENT_VERSION = "2026-11-v1"


class RegistryError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def register(details: dict, *, sensitive_consent: bool, channel: Channel, actor=None) -> Worker:
    """报到: create the worker for this mobile, or update the existing one, and add a check-in.

    One mobile is one worker, also when two submits from one phone race: the unique mobile
    index lets one insert win and the other becomes an update.
    """
    now = timezone.now()
    consent = {"consent_version": CONSENT_VERSION, "consented_at": now}
    if sensitive_consent:
        consent["sensitive_consented_at"] = now
    with transaction.atomic():
        worker = Worker.objects.select_for_update().filter(mobile=details["mobile"]).first()
        if worker is None:
            try:
                with transaction.atomic():
                    worker = Worker.objects.create(**details, **consent)
            except IntegrityError:
                worker = Worker.objects.select_for_update().get(mobile=details["mobile"])
                _update(worker, details, consent, actor)
            else:
                WorkerEvent.objects.create(
                    worker=worker, kind=WorkerEvent.Kind.REGISTERED, actor=actor
                )
        else:
            _update(worker, details, consent, actor)
        CheckIn.objects.create(
            worker=worker,
            area=worker.area,
            as_party_member=worker.is_party_member,
            channel=channel,
            recorded_by=actor,
        )
    return worker


def _update(worker: Worker, details: dict, consent: dict, actor) -> None:
    changes = {
        # The timeline says that the ID number changed, never what it is.
        field: ["***", "***"] if field == "id_number" else [str(getattr(worker, field)), str(value)]
        for field, value in details.items()
        if getattr(worker, field) != value
    }
    for field, value in {**details, **consent}.items():
        setattr(worker, field, value)
    worker.save()
    if changes:
        WorkerEvent.objects.create(
            worker=worker, kind=WorkerEvent.Kind.UPDATED, actor=actor, changes=changes
        )


def confirm(worker: Worker, by) -> None:
    with transaction.atomic():
        worker = Worker.objects.select_for_update().get(pk=worker.pk)
        if worker.status != WorkerStatus.PENDING:
            raise RegistryError("not_pending", _("This registration is already confirmed."))
        worker.status = WorkerStatus.CONFIRMED
        worker.confirmed_at = timezone.now()
        worker.confirmed_by = by
        worker.save(update_fields=["status", "confirmed_at", "confirmed_by", "updated_at"])
        WorkerEvent.objects.create(worker=worker, kind=WorkerEvent.Kind.CONFIRMED, actor=by)
