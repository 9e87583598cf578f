"""The digital work card (工作证): its QR code holds a signed token that names the worker and
when it stops being valid. The token cannot be forged or extended; the worker's id inside it
can be read, which says nothing about them.

A card is valid only for a worker their community has confirmed; while the registration waits
it says so, and in any other state (left, refused, consent withdrawn) it is not valid."""

from datetime import datetime, timedelta
from enum import Enum

from django.conf import settings
from django.core import signing
from django.utils import timezone

from registry.models import Worker, WorkerStatus

SALT = "points.work-card"


class Check(Enum):
    VALID = "valid"
    PENDING = "pending"
    EXPIRED = "expired"
    INVALID = "invalid"


def standing(worker: Worker) -> Check:
    """What the card says of its holder: valid once the community confirmed them, pending while
    it has not, invalid in every other state, whatever states the registry adds."""
    if worker.status == WorkerStatus.CONFIRMED:
        return Check.VALID
    if worker.status == WorkerStatus.PENDING:
        return Check.PENDING
    return Check.INVALID


def token_for(worker: Worker, now: datetime | None = None) -> tuple[str, datetime]:
    """A token valid WORK_CARD_MINUTES from now, and when it expires."""
    until = (now or timezone.now()) + timedelta(minutes=settings.WORK_CARD_MINUTES)
    return signing.dumps({"w": worker.pk, "u": int(until.timestamp())}, salt=SALT), until


def read(token: str) -> tuple[Check, Worker | None, datetime | None]:
    """What a scanned token says: valid or pending (with whose card and until when), expired,
    or invalid (tampered with, made up, or its worker no longer confirmed or pending, or their
    consent withdrawn since). An invalid card names no one."""
    try:
        payload = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return Check.INVALID, None, None
    until = datetime.fromtimestamp(payload["u"], tz=timezone.get_current_timezone())
    if until <= timezone.now():
        return Check.EXPIRED, None, until
    worker = Worker.objects.consenting().select_related("area").filter(pk=payload["w"]).first()
    check = Check.INVALID if worker is None else standing(worker)
    if check is Check.INVALID:
        return Check.INVALID, None, None
    return check, worker, until
