"""The rotating QR code of an activity's check-in screen: a signed, timestamped token naming the
activity. The screen makes a new one each minute; a rider's scan is honoured for TOKEN_SECONDS
after it was made, so a photo of the code passed on later, or a code of another activity, is
refused. Like the work card (points.card), the token cannot be forged; its activity id can be
read, which says nothing about anyone."""

from enum import Enum

from django.core import signing

SALT = "points.activity-check-in"
ROTATE_SECONDS = 60
# A code is good for two rotations: the one on screen and the one just before it, for the rider
# whose scan landed as the screen refreshed.
TOKEN_SECONDS = 2 * ROTATE_SECONDS


class Scan(Enum):
    VALID = "valid"
    STALE = "stale"
    OTHER_ACTIVITY = "other_activity"
    INVALID = "invalid"


def token_for(activity) -> str:
    return signing.TimestampSigner(salt=SALT).sign_object({"a": activity.pk})


def read(token: str, activity) -> Scan:
    """Whether a scanned token is a fresh code of this activity, and if not, why not."""
    signer = signing.TimestampSigner(salt=SALT)
    try:
        payload = signer.unsign_object(token, max_age=TOKEN_SECONDS)
    except signing.SignatureExpired:
        return Scan.STALE
    except signing.BadSignature:
        return Scan.INVALID
    return Scan.VALID if payload.get("a") == activity.pk else Scan.OTHER_ACTIVITY
