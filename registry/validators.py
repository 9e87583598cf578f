"""Validation of resident ID numbers (GB 11643-1999) as riders and staff type them."""

import re
import unicodedata
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARACTERS = "10X98765432"


def normalise_id_number(value: str) -> str:
    """One spelling of an ID number: half-width digits (NFKC folds ０-９ and Ｘ), an upper-case X,
    no spaces around it."""
    return unicodedata.normalize("NFKC", value).strip().upper()


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
