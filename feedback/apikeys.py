"""Open311 API keys: shown once when made, kept only as a SHA-256 hash."""

import hashlib
import secrets

from django.utils import timezone

from feedback.models import ApiKey


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create_key(name: str, area, *, by=None) -> tuple[ApiKey, str]:
    """A new key for a client; the raw key is returned once and never stored."""
    raw = secrets.token_urlsafe(30)
    key = ApiKey.objects.create(
        name=name, area=area, prefix=raw[:8], key_hash=_hash(raw), created_by=by
    )
    return key, raw


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


def revoke(key: ApiKey) -> None:
    ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
