"""Short codes that people read off a phone screen and type: tracking codes, pickup codes."""

import secrets

# No 0/O, 1/I/L: a code read aloud or copied from a phone screen is typed right.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def readable_code(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def normalised_code(code: str) -> str:
    """A code as typed, in the form it is stored: any case, spaces or dashes between the
    characters ("abc 234", "ABC-234" → "ABC234")."""
    return "".join(code.split()).replace("-", "").upper()
