"""Masking of personal data for lists, logs and console output."""

import re

# A run of 15 to 18 digits (the last may be X) standing alone: what an ID number looks like
# inside free text, such as a search typed into a list whose filters the audit log records.
ID_NUMBER_IN_TEXT = re.compile(r"(?<![0-9])[0-9]{14,17}[0-9Xx](?![0-9A-Za-z])")


def mask_mobile(mobile: str) -> str:
    """138****5678: enough to tell two numbers apart, not enough to call one."""
    if len(mobile) < 7:
        return "*" * len(mobile)
    return f"{mobile[:3]}{'*' * (len(mobile) - 7)}{mobile[-4:]}"


def mask_name(name: str) -> str:
    """孙*: the family name only, for lists that riders see of each other."""
    return f"{name[:1]}*" if name else "*"


def mask_id_numbers(text: str) -> str:
    """Every ID number in `text` as 410***********1234, so no log holds one in full."""
    return ID_NUMBER_IN_TEXT.sub(lambda found: mask_mobile(found.group()), text)
