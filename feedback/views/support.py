"""我也遇到了: from a station's page, a rider adds themselves to a report that is open near the
station instead of filing it again (feedback.services.support). Counted once per rider, so only a
rider whose mobile a texted code proved: signed in, or proving it here as 报到 does (a rider
without a record registers first and comes back). Nothing here is cached: the page is a rider's
own."""

from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from feedback import services
from feedback.models import OPEN_STATES
from feedback.selectors import near, published, supported
from portal.errors import flash_refusal
from portal.models import AreaLevel
from portal.otp_forms import MobileForm
from registry.services import riders
from stations.selectors import station_for_token

# The report whose 我也遇到了 a rider tapped before proving their mobile: once they are signed in
# (or registered), it is counted without another tap.
AFTER_SIGN_IN = "support_after_sign_in"


def support(request, token, public_id):
    station = station_for_token(token)
    suggestion = get_object_or_404(
        published().filter(near(station), state__in=OPEN_STATES), public_id=public_id
    )
    rider = riders.current_worker(request)
    if rider is not None:
        if request.method == "POST" or request.session.get(AFTER_SIGN_IN) == public_id:
            request.session.pop(AFTER_SIGN_IN, None)
            return _support(request, station, suggestion, rider)
        context = {"rider": rider, "already": supported(rider, suggestion)}
    else:
        form = MobileForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            refusal = riders.send_code(request, form.cleaned_data["mobile"])
            if not refusal:
                request.session[AFTER_SIGN_IN] = public_id
                return redirect(_sign_in_code_url(station, request.path))
            form.add_error("mobile", refusal)
        context = {"form": form}
    return render(
        request,
        "feedback/support.html",
        {"station": station, "suggestion": suggestion, **context},
    )


def _support(request, station, suggestion, rider):
    with flash_refusal(request, messages.WARNING):
        if services.support(suggestion, rider):
            messages.success(
                request, _("Thank you: you are counted. Staff see how many riders met it.")
            )
        else:
            messages.info(request, _("You said so before: each rider counts once."))
    return redirect("stations:landing", station.token)


def _sign_in_code_url(station, back: str) -> str:
    """The code step of the rider's sign-in: back here once signed in, or to registration with
    the station's community chosen for a mobile without a record."""
    area = station.area
    query = {
        "next": back,
        ("community" if area.level == AreaLevel.COMMUNITY else "area"): area.code,
    }
    return f"{reverse('registry:sign_in_code')}?{urlencode(query)}"
