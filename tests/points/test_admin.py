"""The points ledger in the admin: administrators read accounts and entries, nobody edits them."""

import pytest
from django.urls import reverse

from points.models import Account, Entry, EntryKind
from points.services.ledger import award

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(worker_a, staff_a):
    return award(worker_a, 10, EntryKind.HAZARD_ACCEPTED, note="随手拍 ABC", by=staff_a)


@pytest.fixture
def admin_client(client, administrator):
    client.force_login(administrator)
    return client


def test_administrators_read_the_ledger_and_the_balances(admin_client, entry, worker_a):
    ledger = admin_client.get(reverse("admin:points_entry_changelist"))
    assert ledger.status_code == 200
    assert "随手拍 ABC" in ledger.text and worker_a.name in ledger.text
    accounts = admin_client.get(reverse("admin:points_account_changelist"))
    assert accounts.status_code == 200 and worker_a.name in accounts.text
    shown = admin_client.get(reverse("admin:points_entry_change", args=[entry.pk]))
    assert shown.status_code == 200
    assert 'name="_save"' not in shown.text  # read-only: no Save button


@pytest.mark.parametrize("model", ["entry", "account"])
def test_nobody_adds_changes_or_deletes_ledger_rows_in_the_admin(admin_client, entry, model):
    pk = entry.pk if model == "entry" else Account.objects.get().pk
    assert admin_client.get(reverse(f"admin:points_{model}_add")).status_code == 403
    assert (
        admin_client.post(
            reverse(f"admin:points_{model}_change", args=[pk]), {"amount": 1000, "balance": 1000}
        ).status_code
        == 403
    )
    assert (
        admin_client.post(
            reverse(f"admin:points_{model}_delete", args=[pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert (Entry.objects.get().amount, Account.objects.get().balance) == (10, 10)
