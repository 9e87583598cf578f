"""Riders sign in with their mobile and a texted code, the one way a phone becomes a rider's
(registry.services.riders). A code goes to any number, within otp's limits, so the pages tell no
one who is registered: once the code proves the number, a registered rider is signed in, and
anyone else goes on to registration with the number proven (and `next`, the station's
community, kept)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.otp_forms import CodeForm, MobileForm
from portal.privacy import mask_mobile
from registry.selectors import consenting_worker
from registry.services import riders

# What the sign-in pages pass on: where to go afterwards, and the community a registration
# would start at (a station's).
KEPT = ("next", "community", "area")


def with_query(request, url_name: str) -> str:
    url = reverse(url_name)
    query = {key: request.GET[key] for key in KEPT if key in request.GET}
    return f"{url}?{urlencode(query)}" if query else url


def sign_in(request):
    if riders.current_worker(request) is not None:
        return redirect(riders.next_url(request, reverse("points:me")))
    form = MobileForm(request.POST or None, initial={"mobile": riders.code_mobile(request)})
    if request.method == "POST" and form.is_valid():
        refusal = riders.send_code(request, form.cleaned_data["mobile"])
        if refusal:
            form.add_error("mobile", refusal)
        else:
            return redirect(with_query(request, "registry:sign_in_code"))
    return render(request, "registry/sign_in.html", {"form": form})


def sign_in_code(request):
    mobile = riders.code_mobile(request)
    if not mobile:
        return redirect(with_query(request, "registry:sign_in"))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        refusal = riders.check_code(request, mobile, form.cleaned_data["code"])
        if not refusal:
            worker = consenting_worker(mobile)
            if worker is None:
                riders.keep_proven(request, mobile)
                messages.info(
                    request, _("Your number is confirmed. Register once, and you are signed in.")
                )
                return redirect(with_query(request, "registry:register"))
            riders.sign_in(request, worker)
            return redirect(riders.next_url(request, reverse("points:me")))
        form.add_error("code", refusal)
    return render(
        request,
        "registry/sign_in_code.html",
        {
            "form": form,
            "masked": mask_mobile(mobile),
            "minutes": riders.CODE_SECONDS // 60,
            "sign_in_url": with_query(request, "registry:sign_in"),
        },
    )


@require_POST
def sign_out(request):
    riders.sign_out(request)
    messages.success(request, _("You have signed out."))
    return redirect("registry:sign_in")
