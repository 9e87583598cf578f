"""Path converters for the public codes in the portal's addresses (registered in portal.apps).

An address whose code has a character that code can never have does not match, so it is a 404
before any view runs: no view looks at the shape of its code, and no NUL reaches PostgreSQL,
which refuses one in a query (a 500).
"""

import re

from django.urls import register_converter

from portal.codes import ALPHABET, FULL_WIDTH, halfwidth, normalised_code


class MatchingConverter:
    """A code that is used as it is written: only its `regex` differs."""

    regex: str

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class StationTokenConverter(MatchingConverter):
    """A station's QR token: `secrets.token_urlsafe` (stations.models.new_token), at most 32."""

    regex = "[A-Za-z0-9_-]{1,32}"


def _as_typed(characters: str) -> str:
    """The characters in either case, and each also full-width (as a Chinese input method types
    them)."""
    narrow = set(characters.upper() + characters.lower())
    wide = {chr(code) for code in FULL_WIDTH if halfwidth(chr(code)) in narrow}
    return "".join(sorted(narrow | wide))


class ReadableCodeConverter(MatchingConverter):
    """A code of portal.codes.readable_code (a suggestion's tracking code, a redemption's pickup
    code) as a person may type it: any case, full-width or not, with spaces or dashes between its
    characters. The view gets it as it is stored."""

    regex = f"[{re.escape(_as_typed(ALPHABET + '- '))}]+"

    def to_python(self, value: str) -> str:
        return normalised_code(value)


class AreaCodeConverter(MatchingConverter):
    """An area's division code: 6 digits down to districts, 9 for streets, 12 for communities."""

    regex = "[0-9]{6}(?:[0-9]{3}){0,2}"


class FileNameConverter(MatchingConverter):
    """A stored file's own name in its folder (feedback.models.photo_path: random letters and an
    extension); no folder, no dot-dot, nothing a storage name cannot have."""

    regex = "[A-Za-z0-9_-]+\\.[A-Za-z0-9]+"


register_converter(StationTokenConverter, "station_token")
register_converter(ReadableCodeConverter, "readable_code")
register_converter(AreaCodeConverter, "area_code")
register_converter(FileNameConverter, "file_name")
