"""The work card (工作证) a rider shows from their phone, and the page a station or merchant
opens by scanning its QR code. Neither may be cached: the code must be fresh, the answer current."""

from base64 import b64encode

from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from points import card as work_card
from points.riders import rider_required
from stations import qr


@never_cache
@rider_required
def card(request):
    worker = request.worker
    token, until = work_card.token_for(worker)
    url = request.build_absolute_uri(reverse("points:verify", args=[token]))
    return render(
        request,
        "points/card.html",
        {
            "worker": worker,
            "initials": worker.name[:1],
            "until": until,
            "qr_code": f"data:image/svg+xml;base64,{b64encode(qr.svg(url)).decode()}",
        },
    )


@never_cache
def verify(request, token):
    check, worker, until = work_card.read(token)
    status = (
        200 if check is work_card.Check.VALID else 410 if check is work_card.Check.EXPIRED else 404
    )
    return render(
        request,
        "points/verify.html",
        {"check": check.value, "worker": worker, "until": until},
        status=status,
    )
