"""Validation of what riders type: mainland mobile numbers, GB 11643 ID numbers, names."""

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.codes import halfwidth

# re.ASCII: \d alone also takes full-width and Arabic-Indic digits, which no SMS gateway dials.
MOBILE = re.compile(r"^1[3-9]\d{9}$", re.ASCII)
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARACTERS = "10X98765432"


def normalise_mobile(value: str) -> str:
    """Drop spaces, hyphens and a +86 / 0086 prefix, as people type them, full-width or not."""
    digits = re.sub(r"[\s\-]", "", halfwidth(value or ""))
    return re.sub(r"^(\+86|0086)", "", digits)


def validate_mobile(value: str) -> None:
    if not MOBILE.match(value):
        raise ValidationError(
            _("Enter an 11-digit mainland mobile number starting with 13 to 19."), code="mobile"
        )


def validate_id_number(value: str) -> None:
    """An 18-character resident ID number (GB 11643-1999): a real birth date and its check digit."""
    if not re.match(r"^\d{17}[\dX]$", value, re.ASCII):
        raise ValidationError(
            _("An ID number has 18 characters: 17 digits and a last digit or X."), code="id_format"
        )
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        born = None
    if born is None or born.year < 1900 or born > timezone.localdate():
        raise ValidationError(
            _("The date of birth in this ID number is not a real date."), code="id_birth_date"
        )
    total = sum(int(digit) * weight for digit, weight in zip(value[:17], ID_WEIGHTS, strict=True))
    if ID_CHECK_CHARACTERS[total % 11] != value[17]:
        raise ValidationError(
            _("This ID number is not valid: please check it digit by digit."), code="id_check_digit"
        )
