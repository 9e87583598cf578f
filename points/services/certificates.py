"""Volunteer service certificates (志愿服务证明): staff issue one for a rider's hours in a period
and revoke it with a reason. The hours and activities are copied onto the certificate when it is
issued (points.selectors.service_in_period), so a later correction does not change it.

Issuing the same period again while its certificate is valid (a double tap, a resent form) finds
that certificate instead of making a second; the database holds that rule
(points_certificate_once_per_period), also when two requests arrive at once.
"""

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from points.models import Certificate
from points.selectors import service_in_period
from portal.errors import DomainError
from registry.models import Worker


class CertificateError(DomainError):
    """A certificate that cannot be issued or revoked, and why."""


def issue(worker: Worker, start: date, end: date, *, by) -> tuple[Certificate, bool]:
    """The rider's certificate for the hours counted in activities from `start` to `end`, and
    whether it is new (False: that period's valid certificate, issued before)."""
    if end < start:
        raise CertificateError("period", _("The period cannot end before it starts."))
    if end > timezone.localdate():
        raise CertificateError("future", _("The period cannot end after today."))
    if worker.anonymised_at:
        raise CertificateError("anonymised", _("This person's details have been erased."))
    existing = Certificate.objects.valid().filter(worker=worker, period_start=start, period_end=end)
    if found := existing.first():
        return found, False
    service = service_in_period(worker, start, end)
    if not service["minutes"]:
        raise CertificateError("no_hours", _("No hours were counted for this rider in the period."))
    try:
        with transaction.atomic():
            certificate = Certificate.objects.create(
                worker=worker,
                area_id=worker.area_id,
                period_start=start,
                period_end=end,
                minutes=service["minutes"],
                activities=service["activities"],
                issued_by=by,
            )
    except IntegrityError:
        # The same period issued at the same moment by another request: that one stands.
        return existing.get(), False
    return certificate, True


def revoke(certificate: Certificate, reason: str, *, by) -> Certificate:
    """Revoke a valid certificate, saying why; the verify page says it is revoked from now on."""
    reason = reason.strip()
    if not reason:
        raise CertificateError("reason", _("Say why the certificate is revoked."))
    with transaction.atomic():
        certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if certificate.revoked:
            raise CertificateError("revoked", _("This certificate was revoked already."))
        certificate.revoked_at = timezone.now()
        certificate.revoked_by = by
        certificate.revoke_reason = reason
        certificate.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    return certificate
