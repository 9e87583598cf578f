"""One-time codes by text message: how a rider, who has no account, proves a mobile is theirs.

The code lives only in the cache, hashed, for ten minutes; a number gets at most one code a minute
and five guesses per code, so neither texting nor guessing can be driven by a script.
"""

import secrets

from django.core.cache import cache
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from portal.sms import send_sms

CODE_SECONDS = 600
RESEND_SECONDS = 60
MAX_GUESSES = 5


def _key(purpose: str, mobile: str) -> str:
    return f"otp:{purpose}:{mobile}"


def _digest(key: str, code: str) -> str:
    return salted_hmac(key, code, algorithm="sha256").hexdigest()


def send_code(purpose: str, mobile: str) -> bool:
    """Text a fresh code; False (and nothing sent) if the last one went out under a minute ago."""
    key = _key(purpose, mobile)
    if not cache.add(f"{key}:sent", 1, RESEND_SECONDS):
        return False
    code = f"{secrets.randbelow(10**6):06d}"
    cache.set(key, {"digest": _digest(key, code), "guesses": 0}, CODE_SECONDS)
    send_sms(
        mobile,
        _("Nuanxin Portal code: %(code)s. Valid for 10 minutes. Do not tell anyone.")
        % {"code": code},
    )
    return True


def check_code(purpose: str, mobile: str, code: str) -> bool:
    """Whether `code` is the one sent; a right code works once, a code gets five guesses."""
    key = _key(purpose, mobile)
    entry = cache.get(key)
    if entry is None or entry["guesses"] >= MAX_GUESSES:
        return False
    if constant_time_compare(entry["digest"], _digest(key, code.strip())):
        cache.delete(key)
        return True
    entry["guesses"] += 1
    cache.set(key, entry, CODE_SECONDS)
    return False
