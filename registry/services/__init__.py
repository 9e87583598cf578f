"""Registry state changes: each is atomic and writes its timeline row in the same transaction.
The rider's signed-in identity, which every app's rider pages ask, is `registry.services.riders`."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.errors import DomainError
from portal.fields import EncryptedCharField
from portal.timeline import stored_value
from registry.models import (
    Channel,
    CheckIn,
    Platform,
    PoliticalStatus,
    Worker,
    WorkerEvent,
    WorkerStatus,
)
from registry.services import appointments

logger = logging.getLogger(__name__)

# Sent inside merge_duplicate's transaction with `duplicate`, `kept` and `by`: each app moves its
# own rows of the duplicate to the kept worker (registry imports none of them).
worker_merged = Signal()

# Bump when the wording of the consent notice (templates/registry/_consent_notice.html) changes.
CONSENT_VERSION = "2026-11-v1"


class RegistryError(DomainError):
    """A change of the registry that cannot be made, and why."""


def register(details: dict, *, sensitive_consent: bool, channel: Channel, actor=None) -> Worker:
    """报到: create the worker for this mobile, or update the existing one, and add a check-in.

    The caller has proven that the mobile is the rider's (a texted code): only its owner changes
    a record. An update takes the fields filled in and keeps what a blank one would erase
    (`filled`). One mobile is one worker, also when two submits from one phone race: the unique
    mobile index lets one insert win and the other becomes an update.
    """
    consent = _consent(sensitive_consent)
    with transaction.atomic():
        worker = Worker.objects.select_for_update().filter(mobile=details["mobile"]).first()
        if worker is None:
            try:
                with transaction.atomic():
                    worker = Worker.objects.create(**details, **consent)
            except IntegrityError:
                worker = Worker.objects.select_for_update().get(mobile=details["mobile"])
                _update(worker, {**filled(details), **_rejoining(worker)}, consent, actor)
            else:
                WorkerEvent.objects.create(
                    worker=worker, kind=WorkerEvent.Kind.REGISTERED, actor=actor
                )
        else:
            _update(worker, {**filled(details), **_rejoining(worker)}, consent, actor)
        CheckIn.objects.create(
            worker=worker,
            area=worker.area,
            as_party_member=worker.is_party_member,
            channel=channel,
            recorded_by=actor,
        )
    return worker


def filled(details: dict) -> dict:
    """The details a rider's registration changes in their existing record: a blank field (an
    empty text, an unticked box) keeps the stored value. What the rider chose says what no longer
    applies: the party details of a political status outside the party, the free-text platform of
    a listed one."""
    kept = {field: value for field, value in details.items() if value not in ("", None, False)}
    if details["political_status"] not in PoliticalStatus.party():
        kept.update(party_branch="", membership_held_at="", is_mobile_party_member=False)
    if details["platform"] != Platform.OTHER:
        kept["platform_other"] = ""
    return kept


def _rejoining(worker: Worker) -> dict:
    """Someone who left, or withdrew consent, and registers again gives consent anew and waits
    for confirmation like a newcomer."""
    if worker.status != WorkerStatus.LEFT:
        return {}
    return {
        "status": WorkerStatus.PENDING,
        "left_at": None,
        "consent_withdrawn_at": None,
        "refused_at": None,
        "refusal_reason": "",
    }


def _consent(sensitive: bool) -> dict:
    now = timezone.now()
    consent = {"consent_version": CONSENT_VERSION, "consented_at": now}
    if sensitive:
        consent["sensitive_consented_at"] = now
    return consent


def detail_changes(worker: Worker, details: dict) -> dict:
    """What `details` would change in the worker, as the timeline keeps it: {field: [old, new]}."""
    return {
        # The timeline says that an encrypted field changed, never what it holds.
        field: ["***", "***"]
        if isinstance(Worker._meta.get_field(field), EncryptedCharField)
        else [stored_value(getattr(worker, field)), stored_value(value)]
        for field, value in details.items()
        if getattr(worker, field) != value
    }


def _update(worker: Worker, details: dict, consent: dict, actor, roles=None) -> None:
    changes = detail_changes(worker, details)
    if roles is not None:
        changes.update(appointments.set_roles(worker, roles, by=actor))
    for field, value in {**details, **consent}.items():
        setattr(worker, field, value)
    worker.save()
    if changes:
        WorkerEvent.objects.create(
            worker=worker, kind=WorkerEvent.Kind.UPDATED, actor=actor, changes=changes
        )


def add_worker(details: dict, roles: list[str], *, sensitive_consent: bool, by) -> Worker:
    """Staff enter a worker by hand (the offline channel); it counts as a check-in at the desk."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                worker = Worker.objects.create(
                    **details,
                    **_consent(sensitive_consent),
                    status=WorkerStatus.CONFIRMED,
                    confirmed_at=timezone.now(),
                    confirmed_by=by,
                )
        except IntegrityError:
            raise RegistryError(
                "duplicate_mobile", _("A worker with this mobile number is already registered.")
            ) from None
        appointments.set_roles(worker, roles, by=by)
        WorkerEvent.objects.create(
            worker=worker,
            kind=WorkerEvent.Kind.REGISTERED,
            actor=by,
            changes={"roles": [[], sorted(roles)]} if roles else {},
        )
        CheckIn.objects.create(
            worker=worker,
            area=worker.area,
            as_party_member=worker.is_party_member,
            channel=Channel.STAFF,
            recorded_by=by,
        )
    return worker


def update_worker(
    worker: Worker, details: dict, roles: list[str], *, sensitive_consent: bool, by
) -> None:
    """Staff correct a worker's details and roles; the timeline keeps what changed."""
    with transaction.atomic():
        worker = Worker.objects.select_for_update().get(pk=worker.pk)
        require_active(worker)
        consent = {}
        if sensitive_consent and not worker.sensitive_consented_at:
            consent["sensitive_consented_at"] = timezone.now()
        try:
            with transaction.atomic():
                _update(worker, details, consent, by, roles=roles)
        except IntegrityError:
            raise RegistryError(
                "duplicate_mobile", _("A worker with this mobile number is already registered.")
            ) from None


def require_active(worker: Worker) -> None:
    if worker.anonymised_at:
        raise RegistryError("anonymised", _("This record has been anonymised."))


def leave(worker: Worker, *, reason: str, by) -> None:
    """离职/迁出: the worker no longer works here; the record and its history stay."""
    with transaction.atomic():
        worker = Worker.objects.select_for_update().get(pk=worker.pk)
        require_active(worker)
        if worker.status == WorkerStatus.LEFT:
            raise RegistryError("already_left", _("This worker is already marked as left."))
        old_status = worker.status
        worker.status = WorkerStatus.LEFT
        worker.left_at = timezone.now()
        worker.save(update_fields=["status", "left_at", "updated_at"])
        WorkerEvent.objects.create(
            worker=worker,
            kind=WorkerEvent.Kind.LEFT,
            actor=by,
            changes={"status": [old_status, WorkerStatus.LEFT], "reason": ["", reason]},
        )


def withdraw_consent(worker: Worker, *, by=None) -> None:
    """The worker withdraws consent: the record is marked for anonymisation and leaves the rosters'
    active lists; an administrator then erases the personal details (`anonymise`)."""
    with transaction.atomic():
        worker = Worker.objects.select_for_update().get(pk=worker.pk)
        require_active(worker)
        if worker.consent_withdrawn_at:
            raise RegistryError("already_withdrawn", _("Consent has already been withdrawn."))
        worker.consent_withdrawn_at = timezone.now()
        fields = ["consent_withdrawn_at", "updated_at"]
        if worker.status != WorkerStatus.LEFT:
            worker.status, worker.left_at = WorkerStatus.LEFT, worker.consent_withdrawn_at
            fields += ["status", "left_at"]
        worker.save(update_fields=fields)
        _close_care_visits(worker, by)
        WorkerEvent.objects.create(worker=worker, kind=WorkerEvent.Kind.CONSENT_WITHDRAWN, actor=by)


def _close_care_visits(worker: Worker, by) -> None:
    """No more visits (nor reminders about them) for someone who withdrew or was erased."""
    worker.care_visits.filter(closed_at__isnull=True).update(closed_at=timezone.now(), closed_by=by)


# What anonymisation keeps: the counts by area, occupation, platform and party membership.
ERASED = {
    "name": "",
    "platform_other": "",
    "party_branch": "",
    "membership_held_at": "",
    "id_number": "",
}


def anonymise(worker: Worker, *, by, reason: str = "") -> None:
    """PIPL's deletion right: clear the personal fields of a departed worker, keep the counts.

    `reason`, if given, is kept on the timeline row (the retention rule says why it acted)."""
    with transaction.atomic():
        worker = Worker.objects.select_for_update().get(pk=worker.pk)
        require_active(worker)
        if worker.status != WorkerStatus.LEFT:
            raise RegistryError(
                "not_left", _("Only a worker who has left or withdrawn consent can be anonymised.")
            )
        for field, value in ERASED.items():
            setattr(worker, field, value)
        # A placeholder no real number can take (mainland mobiles start with 1), unique per row.
        worker.mobile = f"0{worker.pk:010d}"[-11:]
        if worker.political_status not in PoliticalStatus.party():
            worker.sensitive_consented_at = None
        worker.is_mobile_party_member = False
        worker.anonymised_at = timezone.now()
        worker.save()
        worker.events.update(changes={})  # old values in the timeline are personal data too
        _close_care_visits(worker, by)
        worker.care_visits.update(trigger_notes="", visit_notes="")
        WorkerEvent.objects.create(
            worker=worker,
            kind=WorkerEvent.Kind.ANONYMISED,
            actor=by,
            changes={"reason": ["", reason]} if reason else {},
        )


def departed_past_retention(now: datetime):
    """Workers who left or withdrew consent more than REGISTRY_ANONYMISE_AFTER_DAYS ago and are
    not anonymised yet. One who checked in again since leaving is back, and is left alone."""
    cutoff = now - timedelta(days=settings.REGISTRY_ANONYMISE_AFTER_DAYS)
    back = CheckIn.objects.filter(worker=OuterRef("pk"), created_at__gt=OuterRef("left_at"))
    return Worker.objects.filter(
        status=WorkerStatus.LEFT, anonymised_at__isnull=True, left_at__lt=cutoff
    ).exclude(Exists(back))


def anonymise_departed(now: datetime) -> int:
    """The retention rule: anonymise the workers past retention, each in its own transaction
    with its timeline row (by the system); returns how many. A second run finds none left.

    The log line gives counts only, never a name or a mobile."""
    days = settings.REGISTRY_ANONYMISE_AFTER_DAYS
    if not days:
        logger.info("retention: departed workers are kept (REGISTRY_ANONYMISE_AFTER_DAYS=0)")
        return 0
    reason = _("Erased automatically %(days)d days after leaving") % {"days": days}
    anonymised = 0
    for pk in list(departed_past_retention(now).order_by("pk").values_list("pk", flat=True)):
        try:
            anonymise(Worker(pk=pk), by=None, reason=reason)
        except RegistryError:
            continue  # anonymised by an administrator meanwhile
        anonymised += 1
    logger.info(
        "retention: anonymised %d departed workers who left more than %d days ago",
        anonymised,
        days,
    )
    return anonymised


def confirm(worker: Worker, by) -> None:
    with transaction.atomic():
        worker = Worker.objects.select_for_update().get(pk=worker.pk)
        _require_pending(worker)
        worker.status = WorkerStatus.CONFIRMED
        worker.confirmed_at = timezone.now()
        worker.confirmed_by = by
        worker.save(update_fields=["status", "confirmed_at", "confirmed_by", "updated_at"])
        WorkerEvent.objects.create(worker=worker, kind=WorkerEvent.Kind.CONFIRMED, actor=by)


def refuse(worker: Worker, *, reason: str, by) -> None:
    """Staff turn a registration down and say why: the record stops counting as active (status
    left) and the rider reads the reason on 我的. Registering again makes it wait anew."""
    reason = reason.strip()
    if not reason:
        raise RegistryError("reason", _("Say why the registration is refused."))
    with transaction.atomic():
        worker = Worker.objects.select_for_update().get(pk=worker.pk)
        _require_pending(worker)
        worker.status = WorkerStatus.LEFT
        worker.refused_at = worker.left_at = timezone.now()
        worker.refusal_reason = reason
        worker.save(
            update_fields=["status", "refused_at", "left_at", "refusal_reason", "updated_at"]
        )
        WorkerEvent.objects.create(
            worker=worker,
            kind=WorkerEvent.Kind.REFUSED,
            actor=by,
            changes={"reason": ["", reason]},
        )


def _require_pending(worker: Worker) -> None:
    if worker.status != WorkerStatus.PENDING:
        raise RegistryError("not_pending", _("This registration no longer waits for a decision."))


def merge_duplicate(duplicate: Worker, *, kept: Worker, by) -> None:
    """A registration that repeats a worker already on the roster (a new mobile, a survey list's
    typo): everything the duplicate did moves to the kept worker, and the duplicate's record stays,
    not active, pointing at it, with its own timeline. Other apps move their rows in receivers of
    `worker_merged`, inside this transaction: one failure undoes the whole merge."""
    if duplicate.pk == kept.pk:
        raise RegistryError("same_worker", _("A registration cannot be a duplicate of itself."))
    with transaction.atomic():
        locked = {
            worker.pk: worker
            for worker in Worker.objects.select_for_update()
            .filter(pk__in=[duplicate.pk, kept.pk])
            .order_by("pk")
        }
        duplicate, kept = locked[duplicate.pk], locked[kept.pk]
        _require_pending(duplicate)
        if kept.anonymised_at or kept.merged_into_id:
            raise RegistryError(
                "kept_inactive",
                _("%(name)s's record was erased or merged itself: choose another worker.")
                % {"name": kept},
            )
        worker_merged.send(sender=Worker, duplicate=duplicate, kept=kept, by=by)
        duplicate.check_ins.update(worker=kept)
        duplicate.care_visits.update(worker=kept)
        # The duplicate's appointments become the kept worker's history; an open one the kept
        # worker holds too goes (one open appointment per role).
        held = kept.roles.filter(ended_on__isnull=True).values_list("role", flat=True)
        duplicate.roles.filter(ended_on__isnull=True, role__in=list(held)).delete()
        duplicate.roles.update(worker=kept)
        duplicate.status = WorkerStatus.LEFT
        duplicate.left_at = timezone.now()
        duplicate.merged_into = kept
        duplicate.save(update_fields=["status", "left_at", "merged_into", "updated_at"])
        WorkerEvent.objects.create(
            worker=duplicate,
            kind=WorkerEvent.Kind.MERGED,
            actor=by,
            changes={"merged_into": ["", _described(kept)]},
        )
        WorkerEvent.objects.create(
            worker=kept,
            kind=WorkerEvent.Kind.MERGED,
            actor=by,
            changes={"duplicate": ["", _described(duplicate)]},
        )


def _described(worker: Worker) -> str:
    return f"{worker.name} ({worker.masked_mobile})"
