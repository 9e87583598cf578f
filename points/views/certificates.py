"""Volunteer service certificates (志愿服务证明): staff issue one from the page of a worker in
their scope and revoke it with a reason; the certificate is an A4 page the browser prints
(static/css/certificate.css), for staff and for its own rider; its QR code opens the public
verify page, which names the rider masked and may never be cached."""

from base64 import b64encode

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from points.certificate_forms import CertificateForm, RevokeForm
from points.models import Certificate, hours_of
from points.services import certificates
from points.services.certificates import CertificateError
from portal import qr
from portal.errors import flash_refusal
from portal.permissions import role_required
from portal.privacy import mask_name
from portal.roles import KEEPERS, READERS
from portal.scope import get_in_scope_or_404
from registry.models import Worker
from registry.services.riders import rider_required

# The activities printed on the certificate, so that it stays one A4 page; the rest are counted.
LINES_PRINTED = 12


def _certificate(request, pk) -> Certificate:
    return get_in_scope_or_404(
        Certificate.objects.select_related("worker", "area"), request.user, id=pk
    )


def _printed(request, certificate: Certificate, back: str, can_revoke: bool = False):
    url = request.build_absolute_uri(
        reverse("points:certificate_verify", args=[certificate.serial])
    )
    lines = [
        {**line, "hours": hours_of(line["minutes"])}
        for line in certificate.activities[:LINES_PRINTED]
    ]
    return render(
        request,
        "points/certificate.html",
        {
            "certificate": certificate,
            "lines": lines,
            "more": max(len(certificate.activities) - LINES_PRINTED, 0),
            "verify_url": url,
            "qr_code": f"data:image/svg+xml;base64,{b64encode(qr.svg(url)).decode()}",
            "back": back,
            "can_revoke": can_revoke and not certificate.revoked,
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(*KEEPERS)
def certificate_issue(request, pk):
    worker = get_in_scope_or_404(Worker.objects.select_related("area"), request.user, id=pk)
    today = timezone.localdate()
    form = CertificateForm(
        request.POST if request.method == "POST" else None,
        initial={"period_start": today.replace(month=1, day=1), "period_end": today},
    )
    if form.is_bound and form.is_valid():
        try:
            certificate, created = certificates.issue(
                worker,
                form.cleaned_data["period_start"],
                form.cleaned_data["period_end"],
                by=request.user,
            )
        except CertificateError as refused:
            form.add_error(None, str(refused))
        else:
            if created:
                messages.success(
                    request, _("Issued certificate %(serial)s.") % {"serial": certificate.serial}
                )
            else:
                messages.info(request, _("This period's certificate was issued already."))
            return redirect("points:certificate", certificate.id)
    return render(
        request,
        "points/certificate_issue.html",
        {"worker": worker, "form": form},
        status=400 if form.errors else 200,
    )


@role_required(*READERS)
def certificate(request, pk):
    certificate = _certificate(request, pk)
    back = reverse("registry:worker_detail", args=[certificate.worker_id])
    return _printed(request, certificate, back, can_revoke=request.user.role in KEEPERS)


@require_http_methods(["GET", "POST"])
@role_required(*KEEPERS)
def certificate_revoke(request, pk):
    certificate = _certificate(request, pk)
    form = RevokeForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        with flash_refusal(request):
            certificates.revoke(certificate, form.cleaned_data["reason"], by=request.user)
            messages.success(
                request, _("Revoked certificate %(serial)s.") % {"serial": certificate.serial}
            )
        return redirect("registry:worker_detail", certificate.worker_id)
    return render(
        request,
        "points/certificate_revoke.html",
        {"certificate": certificate, "form": form},
        status=400 if form.errors else 200,
    )


@rider_required
def my_certificate(request, serial):
    """The rider's own certificate, to print or show; another rider's does not exist here."""
    certificate = get_object_or_404(
        Certificate.objects.select_related("worker", "area"), worker=request.worker, serial=serial
    )
    return _printed(request, certificate, reverse("points:me"))


@never_cache
def certificate_verify(request, serial):
    """What the certificate's QR code opens: valid or revoked, the hours and the period, the
    rider's name masked. An unknown serial number says so, with a 404."""
    certificate = Certificate.objects.select_related("worker", "area").filter(serial=serial).first()
    context = {"certificate": certificate, "serial": serial}
    if certificate:
        context["masked_name"] = mask_name(certificate.worker.name)
    return render(
        request, "points/certificate_verify.html", context, status=200 if certificate else 404
    )
