"""A staff member's second factor in tests: a confirmed authenticator whose codes the test
computes, and a client session verified by it (what the sign-in's second step leaves)."""

import time

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.second_factor import TOLERANCE


def authenticator(user) -> TOTPDevice:
    """The user's confirmed authenticator, made on first use."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(
        user=user, name="test", confirmed=True, tolerance=TOLERANCE
    )


def code(device: TOTPDevice, *, steps: int = 0) -> str:
    """The code the device's app shows now, or `steps` of 30 seconds from now (by time.time(),
    the clock TOTPDevice.verify_token reads, which the `clock` fixture moves)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps * device.step
    return f"{totp.token():06d}"


def verify_session(client, user) -> None:
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = authenticator(user).persistent_id
    session.save()


def sign_in(client, user, password, **extra):
    """Both steps of a real staff sign-in: the password (through axes and the login view), then
    the code of the user's authenticator. Returns the code step's answer."""
    from django.urls import reverse

    client.post(reverse("login"), {"username": user.username, "password": password}, **extra)
    return client.post(reverse("second_factor"), {"code": code(authenticator(user))}, **extra)
