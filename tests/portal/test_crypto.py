"""Keys of the encrypted fields: rotation to a new key, in batches that resume, and the checks
that stop a portal without keys (issue 18, point 5)."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from portal import checks, crypto
from portal.crypto import DecryptionError, key_id
from registry.models import Worker
from tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db

OLD = "Lk0MYH3rMz5FS7JRUVb6KxJq1mVw1uTj0Yx9hQG0b9o="
NEW = "q2Yc1Kq7oE3oT0vWm6lZyJm7cG5n9bH4dU8rS1aX0eQ="


def stored_key_ids() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT party_branch FROM registry_worker ORDER BY id")
        return [value.split(":")[0] for (value,) in cursor.fetchall()]


@pytest.fixture
def members(tree):
    with override_settings(FIELD_ENCRYPTION_KEYS=[OLD]):
        return WorkerFactory.create_batch(5, area=tree.community_a, party_member=True)


def rotate(**options) -> str:
    from io import StringIO

    out = StringIO()
    call_command("rotate_field_keys", stdout=out, **options)
    return out.getvalue()


@override_settings(FIELD_ENCRYPTION_KEYS=[NEW, OLD])
def test_rotation_brings_every_row_under_the_newest_key_and_the_old_key_can_go(members):
    output = rotate(batch_size=2)
    assert "registry_worker: 5 rows re-encrypted" in output
    assert stored_key_ids() == [key_id(NEW)] * 5
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW]):
        assert {w.party_branch for w in Worker.objects.all()} == {"美团骑手党支部"}


@override_settings(FIELD_ENCRYPTION_KEYS=[NEW, OLD])
def test_a_stopped_rotation_resumes_and_skips_the_rows_already_done(members, monkeypatch):
    encrypt, calls = crypto.encrypt, []

    def stops_on_the_fourth(plain):
        calls.append(plain)
        if len(calls) == 4:
            raise KeyboardInterrupt
        return encrypt(plain)

    monkeypatch.setattr(crypto, "encrypt", stops_on_the_fourth)
    with pytest.raises(KeyboardInterrupt):
        rotate(batch_size=members[1].pk)  # the first batch holds the first two workers
    assert stored_key_ids().count(key_id(NEW)) == 2
    monkeypatch.setattr(crypto, "encrypt", encrypt)
    assert "registry_worker: 3 rows re-encrypted" in rotate(batch_size=2)
    assert "registry_worker: 0 rows re-encrypted" in rotate(batch_size=2)


@override_settings(FIELD_ENCRYPTION_KEYS=[NEW])
def test_rotation_without_the_old_key_stops_with_the_error_naming_the_setting(members):
    with pytest.raises(DecryptionError, match="FIELD_ENCRYPTION_KEYS"):
        rotate()
    assert stored_key_ids() == [key_id(OLD)] * 5  # nothing half-written


def test_new_key_prints_a_key_the_settings_accept():
    from cryptography.fernet import Fernet

    Fernet(rotate(new_key=True).strip())


@override_settings(FIELD_ENCRYPTION_KEYS=[], FIELD_HASH_KEY="")
def test_without_keys_the_checks_stop_start_up():
    assert [error.id for error in checks.check_field_encryption_keys(None)] == [
        "portal.E010",
        "portal.E011",
    ]
