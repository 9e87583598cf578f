"""Mainland mobile numbers as people type them: the key of a rider's record, a sign-in and a
suggestion's contact alike; and the contact phone of a station or an enterprise."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal.codes import halfwidth

# re.ASCII: \d alone also takes full-width and Arabic-Indic digits, which no SMS gateway dials.
MOBILE = re.compile(r"^1[3-9]\d{9}$", re.ASCII)
# A contact phone: a mobile, or a landline with its area code (0370-1234567 once normalised).
CONTACT_PHONE = re.compile(r"(1[3-9]\d{9})|(0\d{2,3}\d{7,8})")


def normalise_mobile(value: str) -> str:
    """Drop spaces, hyphens and a +86 / 0086 prefix, as people type them, full-width or not."""
    digits = re.sub(r"[\s\-]", "", halfwidth(value or ""))
    return re.sub(r"^(\+86|0086)", "", digits)


def validate_mobile(value: str) -> None:
    if not MOBILE.match(value):
        raise ValidationError(
            _("Enter an 11-digit mainland mobile number starting with 13 to 19."), code="mobile"
        )


def contact_phone(value: str) -> str:
    """A station's or an enterprise's contact phone, normalised as a mobile is; ValidationError
    when it is neither a mobile nor a landline with its area code."""
    phone = normalise_mobile(value)
    if phone and not CONTACT_PHONE.fullmatch(phone):
        raise ValidationError(
            _("Enter a mobile number or a landline with its area code, e.g. 0370-1234567.")
        )
    return phone
