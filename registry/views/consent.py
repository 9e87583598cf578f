"""A rider withdraws their consent themselves: signed in (registry.services.riders), so the texted
code of the sign-in has proven the mobile is theirs; one question, then it is done."""

from contextlib import suppress

from django.shortcuts import redirect, render

from portal.privacy import mask_mobile
from registry import services
from registry.services import riders


@riders.rider_required
def withdraw(request):
    worker = request.worker
    if request.method == "POST":
        # Withdrawn already (a second tab, a double tap) is the outcome the rider asked for.
        with suppress(services.RegistryError):
            services.withdraw_consent(worker)
        riders.sign_out(request)
        return redirect("registry:withdrawn")
    return render(
        request,
        "registry/withdraw.html",
        {"worker": worker, "masked": mask_mobile(worker.mobile)},
    )


def withdrawn(request):
    return render(request, "registry/withdrawn.html")
