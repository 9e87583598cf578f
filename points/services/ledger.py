"""The points ledger's one way in: every change of a balance is an entry, written with it."""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from points.models import Account, Entry, EntryKind
from portal.errors import DomainError
from portal.models import AuditLog


class PointsError(DomainError):
    """A change of points that cannot be made, and why."""


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


def adjust(worker, amount: int, reason: str, *, by) -> Entry:
    """A manual correction by staff: a new entry with the reason as its note."""
    if not reason.strip():
        raise PointsError("reason", _("Say why the points are adjusted."))
    if amount == 0:
        raise PointsError("amount", _("Enter a number of points other than 0."))
    try:
        with transaction.atomic():
            entry = award(worker, amount, EntryKind.ADJUSTMENT, note=reason.strip(), by=by)
            AuditLog.record(
                by, AuditLog.Action.POINTS_ADJUSTED, f"{amount:+d}: {entry.note}", subject=worker
            )
            return entry
    except IntegrityError:
        raise PointsError(
            "balance",
            _("%(name)s has %(balance)s points: an adjustment cannot take more than that.")
            % {"name": worker, "balance": balance(worker)},
        ) from None


def balance(worker) -> int:
    return Account.objects.filter(worker=worker).values_list("balance", flat=True).first() or 0


def take_over_points(sender, *, duplicate, kept, by, **kwargs) -> None:
    """registry.services.worker_merged, inside the merge's transaction: the ledger is append-only,
    so the duplicate's balance moves as a pair of entries (out of one, into the other) that no
    leaderboard counts as earned; redemptions, teams and activity places move to the kept worker.
    A place the kept worker also holds (or a team they are in) stays with the duplicate's record."""
    moved = balance(duplicate)
    if moved:
        award(duplicate, -moved, EntryKind.MERGED, note=kept.masked_mobile, by=by)
        award(kept, moved, EntryKind.MERGED, note=duplicate.masked_mobile, by=by)
    duplicate.redemptions.update(worker=kept)
    teams = kept.team_memberships.values("team")
    duplicate.team_memberships.exclude(team__in=teams).update(worker=kept)
    places = kept.sign_ups.active().values("activity")
    duplicate.sign_ups.exclude(activity__in=places, cancelled_at__isnull=True).update(worker=kept)
