"""The steps of a staff sign-in after the password (portal.second_factor, portal.passwords): the
code, a texted code, enrolling an authenticator app, and choosing a new password."""

import base64

import django_otp
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from portal import otp, passwords, qr, second_factor
from portal.errors import flash_refusal
from portal.models import AuditLog, TextMessageDevice
from portal.privacy import mask_mobile
from portal.ratelimit import known_address


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=20,
        help_text=gettext_lazy(
            "The 6 digits your authenticator app or the text message shows, or one of your "
            "recovery codes."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
    )


class EnrolForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("The 6-digit code the app shows"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


def _next(request) -> str:
    """Where the sign-in was going, as asked (?next=, kept through each step's form)."""
    return request.POST.get("next") or request.GET.get("next", "")


def _onward(request):
    """Where the sign-in was going, on this site only, else the staff home."""
    target = _next(request)
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("staff_home")


def _verified(request, device):
    """The session is now verified by `device`, under a new session key: the sign-in is
    complete, and the security log says so (the password step wrote its own row)."""
    django_otp.login(request, device)
    request.session.cycle_key()
    AuditLog.record(
        request.user,
        AuditLog.Action.SECOND_FACTOR_PASSED,
        str(device.name),
        address=known_address(request),
    )
    messages.success(request, _("Logged in as %(name)s.") % {"name": request.user})


@login_required
def second_factor_view(request):
    user = request.user
    if user.is_verified():
        return redirect(_onward(request))
    if not second_factor.has_second_factor(user):
        return redirect("second_factor_enrol")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with flash_refusal(request):
            _verified(request, second_factor.verify(user, form.cleaned_data["code"]))
            return redirect(_onward(request))
    texted = second_factor.texted(user)
    return render(
        request,
        "registration/second_factor.html",
        {
            "form": form,
            "texted": texted,
            "issuer": settings.OTP_TOTP_ISSUER,
            "mobile": mask_mobile(user.mobile) if texted else "",
            "next": _next(request),
        },
    )


@require_POST
@login_required
def second_factor_text(request):
    """Text a sign-in code to the user's mobile, within the texted codes' rate limits."""
    user = request.user
    if second_factor.texted(user):
        refusal = otp.send_limited_code(
            request, TextMessageDevice.purpose(user), user.mobile, deliver=True
        )
        if refusal:
            messages.error(request, refusal)
        else:
            messages.success(
                request, _("Code sent to %(mobile)s.") % {"mobile": mask_mobile(user.mobile)}
            )
    else:
        messages.error(request, _("Sign-in codes are not texted to you. Use your app."))
    if target := request.POST.get("next"):
        return redirect_to_login(target, reverse("second_factor"))
    return redirect("second_factor")


@login_required
def second_factor_enrol(request):
    """Enrol an authenticator app: scan the QR code (or type the secret), confirm with a code,
    then see the recovery codes, once."""
    user = request.user
    if second_factor.has_second_factor(user):
        return redirect("second_factor")
    device = second_factor.enrolment_device(user)
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with flash_refusal(request):
            device, codes = second_factor.enrol(user, form.cleaned_data["code"])
            _verified(request, device)
            return render(
                request,
                "registration/recovery_codes.html",
                {"codes": codes, "onward": _onward(request)},
            )
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "registration/second_factor_enrol.html",
        {
            "form": form,
            "qr": base64.b64encode(qr.png(device.config_url)).decode(),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "next": _next(request),
        },
    )


@login_required
def password_change(request):
    """Choose a new password: at the first sign-in, after an administrator set one, when it
    expired, or whenever the user likes."""
    user = request.user
    form = PasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        passwords.change(user, form.cleaned_data["new_password1"])
        update_session_auth_hash(request, user)
        messages.success(request, _("Your new password is set."))
        return redirect(_onward(request))
    return render(
        request,
        "registration/password_change.html",
        {
            "form": form,
            "first": user.password_changed_at is None,
            "expired": passwords.must_change(user) and user.password_changed_at is not None,
            "next": _next(request),
        },
    )
