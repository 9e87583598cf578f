"""A rider withdraws their consent themselves: they prove the mobile is theirs with a texted code.

The answer is the same whether the number is registered or not, so the page tells no one who is.
"""

from contextlib import suppress

from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from portal import otp
from portal.privacy import mask_mobile
from registry import services
from registry.forms import CodeForm, MobileForm
from registry.models import Worker

PURPOSE = "withdraw-consent"
SESSION_KEY = "withdraw_consent_mobile"


def withdraw(request):
    form = MobileForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        mobile = form.cleaned_data["mobile"]
        registered = Worker.objects.consenting().filter(mobile=mobile).exists()
        # An unregistered number gets the same answers, "wait a minute" included, and no text.
        refusal = otp.send_limited_code(request, PURPOSE, mobile, deliver=registered)
        if refusal:
            form.add_error("mobile", refusal)
        else:
            request.session[SESSION_KEY] = mobile
            return redirect("registry:withdraw_confirm")
    return render(request, "registry/withdraw.html", {"form": form})


def withdraw_confirm(request):
    mobile = request.session.get(SESSION_KEY)
    if not mobile:
        return redirect("registry:withdraw")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        worker = Worker.objects.filter(mobile=mobile).first()
        if worker and otp.check_code(PURPOSE, mobile, form.cleaned_data["code"]):
            # Withdrawn already (a second tab, a double tap) is the outcome the rider asked for.
            with suppress(services.RegistryError):
                services.withdraw_consent(worker)
            del request.session[SESSION_KEY]
            return redirect("registry:withdrawn")
        form.add_error("code", _("That code is not right or has expired. Check it, or ask again."))
    return render(
        request, "registry/withdraw_confirm.html", {"form": form, "masked": mask_mobile(mobile)}
    )


def withdrawn(request):
    return render(request, "registry/withdrawn.html")
