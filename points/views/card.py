"""The work card (工作证) a rider shows from their phone, and the page a station or merchant
opens by scanning its QR code. Neither may be cached: the code must be fresh, the answer current.
A card that is not valid (the worker left, was refused…) shows no code to scan."""

from base64 import b64encode

from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from points import card as work_card
from portal import qr
from registry.services.riders import rider_required


@never_cache
@rider_required
def card(request):
    worker = request.worker
    standing = work_card.standing(worker)
    context = {"worker": worker, "standing": standing.value}
    if standing is not work_card.Check.INVALID:
        token, context["until"] = work_card.token_for(worker)
        url = request.build_absolute_uri(reverse("points:verify", args=[token]))
        context["qr_code"] = f"data:image/svg+xml;base64,{b64encode(qr.svg(url)).decode()}"
    return render(request, "points/card.html", context)


@never_cache
def verify(request, token):
    check, worker, until = work_card.read(token)
    status = {work_card.Check.EXPIRED: 410, work_card.Check.INVALID: 404}.get(check, 200)
    return render(
        request,
        "points/verify.html",
        {"check": check.value, "worker": worker, "until": until},
        status=status,
    )
