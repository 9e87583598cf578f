"""The points ledger's one way in: every change of a balance is an entry, written with it."""

from django.db import IntegrityError, transaction
from django.db.models import F

from points.models import Account, Entry, EntryKind


def cause_of(obj) -> str:
    """The ledger's reference to what caused an entry: "feedback.suggestion:42"."""
    return f"{obj._meta.label_lower}:{obj.pk}"


def award(worker, amount: int, kind: EntryKind, *, cause: str = "", note: str = "", by=None):
    """Add `amount` points (negative to take) to the worker's balance with a ledger entry.

    With a `cause`, awarding again for the same cause and kind changes nothing and returns None.
    Taking more than the balance raises IntegrityError (the balance's check constraint).
    """
    with transaction.atomic():
        account, _ = Account.objects.get_or_create(worker=worker)
        try:
            with transaction.atomic():
                entry = Entry.objects.create(
                    worker=worker, amount=amount, kind=kind, cause=cause, note=note, recorded_by=by
                )
        except IntegrityError:
            if cause and Entry.objects.filter(kind=kind, cause=cause).exists():
                return None
            raise
        Account.objects.filter(pk=account.pk).update(balance=F("balance") + amount)
    return entry


def balance(worker) -> int:
    return Account.objects.filter(worker=worker).values_list("balance", flat=True).first() or 0
