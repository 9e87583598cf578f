"""Sensitive columns encrypted at rest, keyed hashes to look them up, and the batches that
encrypt a table's existing rows or bring them under a new key.

A stored value is "<key id>:<Fernet token>". Fernet (from `cryptography`: AES-128-CBC with an
HMAC-SHA256 over it) is authenticated, so a wrong key or an altered value fails loudly instead of
decrypting to garbage. The first key of FIELD_ENCRYPTION_KEYS encrypts; every listed key decrypts.
The key id (8 hex characters derived from the key, not revealing it) picks the key to decrypt
with, turns a missing key into an error that names it, and lets rotation skip the rows already
under the newest key in SQL.
"""

import hashlib
import hmac
import re
from collections.abc import Callable
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction

STORED = re.compile(r"([0-9a-f]{8}):(gAAAAA[A-Za-z0-9_=-]+)")


class DecryptionError(Exception):
    """A stored value that the configured keys cannot decrypt; the message says what to fix."""


def key_id(key: str) -> str:
    return hmac.new(key.encode(), b"portal field encryption key id", hashlib.sha256).hexdigest()[:8]


@lru_cache(maxsize=4)
def _keyring(keys: tuple[str, ...]) -> dict[str, Fernet]:
    return {key_id(key): Fernet(key) for key in keys}  # in the settings' order: newest first


def keyring() -> dict[str, Fernet]:
    if not settings.FIELD_ENCRYPTION_KEYS:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS is not set: encrypted fields can be neither read nor written."
        )
    return _keyring(tuple(settings.FIELD_ENCRYPTION_KEYS))


def current_key_id() -> str:
    return next(iter(keyring()))


def encrypt(plain: str) -> str:
    kid, fernet = next(iter(keyring().items()))
    return f"{kid}:{fernet.encrypt(plain.encode()).decode()}"


def decrypt(stored: str) -> str:
    match = STORED.fullmatch(stored)
    if match is None:
        raise DecryptionError(
            "A value in an encrypted column is not encrypted: it was written in plain text, past "
            "the field (has the migration that encrypts the existing rows run?), or damaged."
        )
    kid, token = match.groups()
    fernet = keyring().get(kid)
    if fernet is None:
        raise DecryptionError(
            f"A value was encrypted with key {kid}, which is not in FIELD_ENCRYPTION_KEYS: add "
            "the key it was written with (after the newest, until rotate_field_keys has run)."
        )
    try:
        return fernet.decrypt(token.encode()).decode()
    except InvalidToken:
        raise DecryptionError(
            f"A value under key {kid} of FIELD_ENCRYPTION_KEYS fails its integrity check: it "
            "was altered, or written with another key."
        ) from None


def is_encrypted(stored: str) -> bool:
    return STORED.fullmatch(stored) is not None


def lookup_hash(value: str) -> str:
    """HMAC-SHA256 of a normalised value under FIELD_HASH_KEY: equal values give equal hashes,
    and without the key a hash cannot be tested against the few billion possible ID numbers."""
    if not settings.FIELD_HASH_KEY:
        raise ImproperlyConfigured("FIELD_HASH_KEY is not set: lookup hashes cannot be computed.")
    return hmac.new(settings.FIELD_HASH_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()


def reencrypt_table(
    table: str,
    columns: list[str],
    *,
    derived: Callable[[dict], dict] | None = None,
    batch_size: int = 10_000,
    progress: Callable[[int, int, int], None] | None = None,
    to_plain: bool = False,
) -> int:
    """Bring every non-empty value of `columns` under the newest key, one primary-key range per
    transaction: a plain value (from before encryption) is encrypted, a value under an older key
    re-encrypted, one under the newest key skipped by the query itself, so a run that was stopped
    resumes where it was when run again. `derived(plain values)` gives further columns to set
    from the plain values (a lookup hash). `progress(done up to pk, last pk, rows changed)` after
    each batch. Returns the rows changed. `to_plain` decrypts instead (a migration reversed).

    Raw SQL, not the ORM: the model's fields refuse plain values, which the first run meets."""
    quote = connection.ops.quote_name
    if to_plain:
        pattern, pending = "%:gAAAAA%", " OR ".join(f"{quote(c)} LIKE %s" for c in columns)
    else:
        pattern = current_key_id() + ":%"
        pending = " OR ".join(f"({quote(c)} <> '' AND {quote(c)} NOT LIKE %s)" for c in columns)
    # Table and column names come from the code; values go as parameters.
    names = ", ".join(quote(c) for c in columns)
    select = f"SELECT id, {names} FROM {quote(table)} WHERE id > %s AND id <= %s AND ({pending})"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(id) FROM {quote(table)}")  # noqa: S608
        last = cursor.fetchone()[0] or 0
    changed = 0
    for start in range(0, last, batch_size):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(select, [start, start + batch_size] + [pattern] * len(columns))
            updates = []
            for pk, *values in cursor.fetchall():
                plain = {
                    column: decrypt(value) if is_encrypted(value) else value
                    for column, value in zip(columns, values, strict=True)
                }
                new = plain if to_plain else {c: encrypt(v) if v else "" for c, v in plain.items()}
                updates.append({**new, **(derived(plain) if derived else {}), "id": pk})
            if updates:
                names = [name for name in updates[0] if name != "id"]
                assignments = ", ".join(f"{quote(name)} = %s" for name in names)
                cursor.executemany(
                    f"UPDATE {quote(table)} SET {assignments} WHERE id = %s",  # noqa: S608
                    [[row[name] for name in names] + [row["id"]] for row in updates],
                )
            changed += len(updates)
        if progress:
            progress(min(start + batch_size, last), last, changed)
    return changed
