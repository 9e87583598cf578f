"""Short codes that people read off a phone screen and type: tracking codes, pickup codes."""

import secrets

# No 0/O, 1/I/L: a code read aloud or copied from a phone screen is typed right.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def readable_code(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


# Chinese input methods type letters, digits and punctuation full-width ("ＡＢＣ２３４", "１３８"):
# U+FF01…U+FF5E are U+0021…U+007E shifted, and U+3000 is the ideographic space.
FULL_WIDTH = {0x3000: " ", **{code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}}


def halfwidth(text: str) -> str:
    """Full-width ASCII as ASCII ("ＡＢＣ－２３４" → "ABC-234"); other characters unchanged."""
    return text.translate(FULL_WIDTH)


def normalised_code(code: str) -> str:
    """A code as typed, in the form it is stored: any case, full-width or not, spaces or dashes
    between the characters ("abc 234", "ＡＢＣ－２３４" → "ABC234")."""
    return "".join(halfwidth(code).split()).replace("-", "").upper()
