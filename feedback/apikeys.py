"""Open311 API keys: shown once when made, kept only as a SHA-256 hash."""

import hashlib
import secrets

from django.utils import timezone

from feedback.models import ApiKey


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create_key(name: str, area, *, by=None) -> tuple[ApiKey, str]:
    """A new key for a client; the raw key is returned once and never stored."""
    key = ApiKey(name=name, area=area, created_by=by)
    return key, issue(key)


def issue(key: ApiKey) -> str:
    """Give an unsaved key (the admin's add form) its secret and save it; returns the raw key."""
    raw = secrets.token_hex(24)  # hex: a prefix never starts with "-", which argparse would misread
    key.prefix, key.key_hash = raw[:8], _hash(raw)
    key.save()
    return raw


def authenticate(raw: str) -> ApiKey | None:
    """The live key for `raw`, or None; marks it used."""
    if not raw:
        return None
    key = (
        ApiKey.objects.filter(key_hash=_hash(raw), revoked_at__isnull=True)
        .select_related("area")
        .first()
    )
    if key is not None:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
    return key


def revoke(key: ApiKey) -> bool:
    """Refuse the key from now on; False if it was already revoked."""
    live = ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True)
    return live.update(revoked_at=timezone.now()) == 1
