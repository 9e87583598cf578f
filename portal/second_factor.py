"""The second step of every staff sign-in (等保 level 3, 身份鉴别 8.1.4.1 d: two kinds of
authentication for those who manage the system), on django-otp.

After the password, a session is not verified until a code passes: from an authenticator app
(TOTP, enrolled with a QR code), from a text message (only for whom an administrator chose it, and
never with STAFF_SECOND_FACTOR_TOTP_ONLY), or one of the recovery codes shown once at enrolment.
Until then portal.middleware.SignInSteps sends every staff page to `next_step`. An administrator
resets another's lost device; the person enrols again at their next sign-in, and every session
that device verified stops being verified at its next request (django-otp checks the device).
"""

import re

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal import passwords
from portal.errors import DomainError
from portal.models import AuditLog, TextMessageDevice, User

# Steps of 30 seconds either side of the server's clock in which a code is still accepted: the
# code that left the screen a moment ago works, as does a phone whose clock is half a minute out.
# A code is accepted once only: django-otp keeps the step of the last one (TOTPDevice.last_t) and
# refuses that step and every earlier one.
TOLERANCE = 1
RECOVERY_CODES = 10

SIX_DIGITS = re.compile(r"[0-9]{6}")
RECOVERY_CODE = re.compile(r"[a-z2-7]{8}")  # django-otp's StaticToken.random_token()


class SecondFactorError(DomainError):
    pass


def texted(user: User) -> bool:
    """Whether the user's codes come by text message."""
    return user.gets_texted_codes


def has_second_factor(user: User) -> bool:
    return texted(user) or TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def next_step(user) -> str | None:
    """The URL name of the sign-in step the user must take before any staff page, or None.

    Who has a second factor proves it before anything else, so a stolen password alone cannot
    even change the password. A new account sets its own password, then enrols."""
    if not user.is_verified():
        if has_second_factor(user):
            return "second_factor"
        if passwords.must_change(user):
            return "password_change"
        return "second_factor_enrol"
    if passwords.must_change(user):
        return "password_change"
    return None


def enrolment_device(user: User) -> TOTPDevice:
    """The authenticator being enrolled: the same secret on every visit until it is confirmed, so
    a reload does not undo a scan."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(
        user=user, name=_("Authenticator app"), confirmed=False, tolerance=TOLERANCE
    )


def enrol(user: User, code: str) -> tuple[TOTPDevice, list[str]]:
    """Confirm the authenticator with a code from it; replace any earlier second factor and
    return the device and the new recovery codes, to be shown once."""
    device = enrolment_device(user)
    if not _verified(user, device, code, _("authenticator app, while enrolling")):
        raise SecondFactorError("wrong", _("That code is not right. Check the app and try again."))
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        StaticDevice.objects.filter(user=user).delete()
        TextMessageDevice.objects.filter(user=user).delete()
        recovery = StaticDevice.objects.create(user=user, name=_("Recovery codes"))
        codes = [StaticToken.random_token() for _i in range(RECOVERY_CODES)]
        StaticToken.objects.bulk_create(StaticToken(device=recovery, token=c) for c in codes)
        AuditLog.record(
            user,
            AuditLog.Action.SECOND_FACTOR_ENROLLED,
            _("Authenticator app, with %(count)s recovery codes") % {"count": RECOVERY_CODES},
            subject=user,
        )
    return device, codes


def verify(user: User, code: str) -> Device:
    """The device a sign-in's code proves: the authenticator (or the texted code, for whom it is
    chosen) for six digits, a recovery code (used up by it) for eight letters and digits."""
    code = re.sub(r"[\s-]", "", code).lower()
    if RECOVERY_CODE.fullmatch(code):
        device = StaticDevice.objects.filter(user=user).first()
        if device is None or not _verified(user, device, code, _("recovery code")):
            raise SecondFactorError("wrong", _("That recovery code is not right or was used."))
        left = StaticToken.objects.filter(device=device).count()
        AuditLog.record(
            user,
            AuditLog.Action.RECOVERY_CODE_USED,
            ngettext("%(count)s recovery code left", "%(count)s recovery codes left", left)
            % {"count": left},
            subject=user,
        )
        return device
    if not SIX_DIGITS.fullmatch(code):
        raise SecondFactorError(
            "shape", _("Enter the 6 digits of the code, or a recovery code of 8 characters.")
        )
    if texted(user):
        device, _created = TextMessageDevice.objects.get_or_create(
            user=user, defaults={"name": _("Text message"), "confirmed": True}
        )
        if not _verified(user, device, code, _("texted code")):
            raise SecondFactorError(
                "wrong", _("That code is not right, has expired or was used. Ask for a new one.")
            )
        return device
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None or not _verified(user, device, code, _("authenticator app")):
        raise SecondFactorError(
            "wrong", _("That code is not right or was used already. Wait for the next one.")
        )
    return device


def _verified(user: User, device: Device, code: str, what: str) -> bool:
    """Check the code on the device, locked against a second request checking it at the same
    time (so one code cannot sign in twice); a wrong code is written to the security log, and
    after one the device makes the next try wait (1, 2, 4 … seconds, django-otp's throttling)."""
    with transaction.atomic():
        device = type(device).objects.select_for_update().get(pk=device.pk)
        allowed, why = device.verify_is_allowed()
        if not allowed:
            wait = max(1, int((why["locked_until"] - timezone.now()).total_seconds()) + 1)
            raise SecondFactorError(
                "throttled",
                ngettext(
                    "Too many wrong codes. Wait %(seconds)s second and try again.",
                    "Too many wrong codes. Wait %(seconds)s seconds and try again.",
                    wait,
                )
                % {"seconds": wait},
            )
        verified = device.verify_token(code)
    if not verified:
        AuditLog.record(
            user, AuditLog.Action.SECOND_FACTOR_FAILED, _("Wrong %(what)s") % {"what": what}
        )
    return verified


def reset(account: User, *, by: User) -> None:
    """An administrator resets another's second factor (a lost or changed phone): every device
    and recovery code goes, and the account enrols again at its next sign-in."""
    if not by.is_administrator:
        raise SecondFactorError("administrator", _("Only administrators reset a second factor."))
    if account.pk == by.pk:
        raise SecondFactorError(
            "self", _("You cannot reset your own second factor. Ask another administrator.")
        )
    with transaction.atomic():
        for model in (TOTPDevice, StaticDevice, TextMessageDevice):
            model.objects.filter(user=account).delete()
        AuditLog.record(
            by,
            AuditLog.Action.SECOND_FACTOR_RESET,
            _(
                "%(account)s's second factor reset by %(administrator)s; enrols again at the next "
                "sign-in."
            )
            % {"account": account.username, "administrator": by.username},
            subject=account,
        )
