"""Riders sign in with their mobile and a texted code. Up to the code step a number that is not
a registered rider gets the same answers as one that is (its code is kept but never texted), so
the page tells no one who is registered; the code page invites those without a code to register."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from points import riders
from portal import otp
from portal.privacy import mask_mobile
from registry.forms import CodeForm, MobileForm
from registry.models import Worker

PURPOSE = "rider-sign-in"
CODE_SECONDS = 5 * 60
SESSION_KEY = "rider_sign_in_mobile"


def next_url(request) -> str:
    """Where to go once signed in: `?next=` if it is a page of this site, else the rider's page."""
    url = request.GET.get("next", "")
    # A path: redirect() would take a bare word (`"><img …`) for a URL name, and fail (a 500).
    if url.startswith("/") and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return reverse("points:me")


def _with_next(request, url_name: str) -> str:
    url = reverse(url_name)
    return f"{url}?{urlencode({'next': request.GET['next']})}" if "next" in request.GET else url


def sign_in(request):
    if riders.current_worker(request) is not None:
        return redirect(next_url(request))
    form = MobileForm(
        request.POST or None, initial={"mobile": request.session.get(SESSION_KEY, "")}
    )
    if request.method == "POST" and form.is_valid():
        mobile = form.cleaned_data["mobile"]
        registered = Worker.objects.consenting().filter(mobile=mobile).exists()
        refusal = otp.send_limited_code(
            request, PURPOSE, mobile, seconds=CODE_SECONDS, deliver=registered
        )
        if refusal:
            form.add_error("mobile", refusal)
        else:
            request.session[SESSION_KEY] = mobile
            return redirect(_with_next(request, "points:sign_in_code"))
    return render(request, "points/sign_in.html", {"form": form})


def sign_in_code(request):
    mobile = request.session.get(SESSION_KEY)
    if not mobile:
        return redirect(_with_next(request, "points:sign_in"))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        worker = Worker.objects.consenting().filter(mobile=mobile).first()
        if otp.check_code(PURPOSE, mobile, form.cleaned_data["code"]) and worker is not None:
            del request.session[SESSION_KEY]
            riders.sign_in(request, worker)
            return redirect(next_url(request))
        form.add_error("code", otp.refusal(PURPOSE, mobile))
    return render(
        request,
        "points/sign_in_code.html",
        {
            "form": form,
            "masked": mask_mobile(mobile),
            "minutes": CODE_SECONDS // 60,
            "sign_in_url": _with_next(request, "points:sign_in"),
        },
    )


@require_POST
def sign_out(request):
    riders.sign_out(request)
    messages.success(request, _("You have signed out."))
    return redirect("points:sign_in")
