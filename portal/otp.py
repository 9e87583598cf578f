"""One-time codes by text message: how a rider, who has no account, proves a mobile is theirs.

The code lives only in the cache, hashed, for as long as its purpose allows (ten minutes unless
told); a number gets at most one code a minute and five guesses per code, so neither texting nor
guessing can be driven by a script.
"""

import math
import secrets
import time

from django.conf import settings
from django.core.cache import cache
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal import ratelimit
from portal.sms import send_sms

CODE_SECONDS = 600
RESEND_SECONDS = 60
MAX_GUESSES = 5


def _key(purpose: str, mobile: str) -> str:
    return f"otp:{purpose}:{mobile}"


def _digest(key: str, code: str) -> str:
    return salted_hmac(key, code, algorithm="sha256").hexdigest()


def send_code(purpose: str, mobile: str, *, seconds: int = CODE_SECONDS, deliver=True) -> bool:
    """Text a fresh code valid for `seconds`; False (and nothing sent) if the last one went out
    under a minute ago. With deliver=False the code is kept but never texted: a number that is
    not registered then gets the same answers as one that is, and no text."""
    key = _key(purpose, mobile)
    if not cache.add(f"{key}:sent", 1, RESEND_SECONDS):
        return False
    code = f"{secrets.randbelow(10**6):06d}"
    entry = {"digest": _digest(key, code), "guesses": 0, "expires": time.time() + seconds}
    cache.set(key, entry, seconds)
    if deliver:
        send_sms(
            mobile,
            _("Nuanxin Portal code: %(code)s. Valid for %(minutes)s minutes. Do not tell anyone.")
            % {"code": code, "minutes": seconds // 60},
        )
    return True


def send_limited_code(request, purpose: str, mobile: str, *, deliver: bool, **options) -> str:
    """send_code() within the limits of texts per network and per number (RATE_LIMITS
    "sms-code:…", shared by every purpose); the refusal in plain words, or "" once sent. A number
    is charged only for codes that went out."""
    if not ratelimit.allow("sms-code:address", ratelimit.client_address(request)):
        return _("Too many codes were asked for from this network. Please try again in an hour.")
    if ratelimit.exhausted("sms-code:mobile", mobile):
        return _("This number has had %(count)s codes this hour. Please try again in an hour.") % {
            "count": settings.RATE_LIMITS["sms-code:mobile"][0]
        }
    if not send_code(purpose, mobile, deliver=deliver, **options):
        return _("We sent a code less than a minute ago. Please wait a minute and ask again.")
    ratelimit.allow("sms-code:mobile", mobile)
    return ""


def check_code(purpose: str, mobile: str, code: str) -> bool:
    """Whether `code` is the one sent; a right code works once, a code gets five guesses."""
    key = _key(purpose, mobile)
    entry = _live(key)
    if entry is None or entry["guesses"] >= MAX_GUESSES:
        return False
    if constant_time_compare(entry["digest"], _digest(key, code.strip())):
        cache.delete(key)
        return True
    entry["guesses"] += 1
    # Kept until its own expiry: wrong guesses do not make a code live longer.
    cache.set(key, entry, max(1, math.ceil(entry["expires"] - time.time())))
    return False


def guesses_left(purpose: str, mobile: str) -> int | None:
    """How many guesses the number's code has left (0: spent by wrong ones), or None when it has
    no code: expired, used, or never sent."""
    entry = _live(_key(purpose, mobile))
    return None if entry is None else MAX_GUESSES - entry["guesses"]


def refusal(purpose: str, mobile: str) -> str:
    """Why a code was refused, in plain words: expired or used, spent, or the tries left."""
    left = guesses_left(purpose, mobile)
    if left is None:
        return _("This code has expired or was used. Ask for a new one.")
    if left == 0:
        return _("The code was entered wrong 5 times and no longer works. Ask for a new one.")
    return ngettext(
        "That code is not right. You have %(count)d attempt left.",
        "That code is not right. You have %(count)d attempts left.",
        left,
    ) % {"count": left}


def _live(key: str) -> dict | None:
    entry = cache.get(key)
    if entry is None or entry["expires"] <= time.time():
        return None
    return entry
