"""ID numbers, party details and import rows are encrypted in the database (issue 18, point 5):
the raw columns hold tokens, the portal reads the text, a wrong key says so, and ID numbers are
found by their keyed hash."""

import importlib

import pytest
from django.core.exceptions import FieldError
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from portal.crypto import DecryptionError, is_encrypted
from registry.models import ImportJob, ImportRow, Worker, WorkerEvent, WorkerStatus, id_number_hash
from tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db

ID_NUMBER = "11010519491231002X"
OTHER_KEY = "Lk0MYH3rMz5FS7JRUVb6KxJq1mVw1uTj0Yx9hQG0b9o="


def raw(table: str, columns: str, pk: int) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()


@pytest.fixture
def member(tree):
    return WorkerFactory(
        area=tree.community_a,
        party_member=True,
        membership_held_at="河南省商丘市",
        id_number=ID_NUMBER,
    )


def test_the_database_holds_tokens_and_the_portal_reads_the_text(member):
    stored = raw("registry_worker", "id_number, party_branch, membership_held_at", member.pk)
    assert all(is_encrypted(value) for value in stored)
    assert not {ID_NUMBER, "美团骑手党支部", "河南省商丘市"} & set(stored)
    again = Worker.objects.get(pk=member.pk)
    assert (again.id_number, again.party_branch) == (ID_NUMBER, "美团骑手党支部")


def test_an_empty_value_stays_empty_so_the_consent_rule_still_holds(tree):
    worker = WorkerFactory(area=tree.community_a)
    assert raw("registry_worker", "id_number, party_branch", worker.pk) == ("", "")
    assert Worker.objects.filter(pk=worker.pk, id_number="").exists()


def test_a_wrong_key_is_a_clear_error_naming_the_setting_never_garbage(member):
    with (
        override_settings(FIELD_ENCRYPTION_KEYS=[OTHER_KEY]),
        pytest.raises(DecryptionError, match="not in FIELD_ENCRYPTION_KEYS"),
    ):
        Worker.objects.get(pk=member.pk)


def test_an_altered_value_fails_its_integrity_check(member):
    (token,) = raw("registry_worker", "id_number", member.pk)
    altered = token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE registry_worker SET id_number = %s WHERE id = %s", [altered, member.pk]
        )
    with pytest.raises(DecryptionError, match="integrity check"):
        Worker.objects.get(pk=member.pk)


def test_a_plain_comparison_with_an_encrypted_column_is_refused(member):
    with pytest.raises(FieldError, match="keyed hash"):
        list(Worker.objects.filter(id_number=ID_NUMBER))
    with pytest.raises(FieldError):
        list(Worker.objects.filter(party_branch__contains="美团"))


def test_an_id_number_is_found_by_its_hash_however_it_was_typed(member):
    typed = "１１０１０５１９４９１２３１００２x"  # full-width digits, a small x
    assert Worker.objects.get(id_number_hash=id_number_hash(typed)) == member
    assert member.id_number_hash not in raw("registry_worker", "id_number", member.pk)[0]


def test_the_review_page_lists_a_worker_with_the_same_id_number_as_a_likely_duplicate(
    client, staff_a, member, tree
):
    pending = WorkerFactory(
        name="另一个名字",
        area=tree.community_a,
        status=WorkerStatus.PENDING,
        id_number=ID_NUMBER,
        sensitive_consented_at=timezone.now(),
    )
    client.force_login(staff_a)
    response = client.get(reverse("registry:review", args=[pending.id]))
    assert f'name="kept" value="{member.id}"' in response.text


def test_the_timeline_says_party_details_changed_but_never_keeps_them(
    client, staff_a, member, tree
):
    client.force_login(staff_a)
    client.post(
        reverse("registry:worker_edit", args=[member.id]),
        {
            "name": member.name,
            "mobile": member.mobile,
            "occupation": "food_delivery",
            "platform": "meituan",
            "area": tree.community_a.id,
            "political_status": "party_member",
            "party_branch": "顺丰速运党支部",
            "membership_held_at": "河南省商丘市",
            "id_number": ID_NUMBER,
        },
    )
    event = member.events.get(kind=WorkerEvent.Kind.UPDATED)
    assert event.changes == {"party_branch": ["***", "***"]}
    assert Worker.objects.get(pk=member.pk).party_branch == "顺丰速运党支部"


def test_an_import_rows_cells_are_stored_encrypted(staff_a, tree):
    job = ImportJob.objects.create(
        uploaded_by=staff_a, area=tree.community_a, file="imports/list.xlsx", total_rows=1
    )
    row = ImportRow.objects.create(
        job=job, number=2, outcome="new", values={"name": "赵六", "id_number": ID_NUMBER}
    )
    (stored,) = raw("registry_importrow", '"values"', row.pk)
    assert is_encrypted(stored) and "赵六" not in stored and ID_NUMBER not in stored
    assert ImportRow.objects.get(pk=row.pk).values["id_number"] == ID_NUMBER


def test_the_migration_encrypts_plain_rows_fills_the_hash_and_masks_the_timeline(tree):
    worker = WorkerFactory(area=tree.community_a, sensitive_consented_at=timezone.now())
    event = WorkerEvent.objects.create(
        worker=worker, kind="updated", changes={"party_branch": ["", "美团骑手党支部"]}
    )
    with connection.cursor() as cursor:  # a row as it was before the migration
        cursor.execute(
            "UPDATE registry_worker SET id_number = %s, party_branch = %s WHERE id = %s",
            [ID_NUMBER, "美团骑手党支部", worker.pk],
        )
    migration = importlib.import_module("registry.migrations.0013_encrypt_existing_rows")

    migration.encrypt(django_apps(), None)
    id_number, branch, hashed = raw(
        "registry_worker", "id_number, party_branch, id_number_hash", worker.pk
    )
    assert is_encrypted(id_number) and is_encrypted(branch)
    assert hashed == id_number_hash(ID_NUMBER)
    assert Worker.objects.get(pk=worker.pk).party_branch == "美团骑手党支部"
    event.refresh_from_db()
    assert event.changes == {"party_branch": ["***", "***"]}

    migration.decrypt(django_apps(), None)
    assert raw("registry_worker", "id_number, party_branch", worker.pk) == (
        ID_NUMBER,
        "美团骑手党支部",
    )


def django_apps():
    from django.apps import apps

    return apps
