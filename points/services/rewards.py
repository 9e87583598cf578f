"""积分超市: redeeming a reward, handing it over by its pickup code, cancelling with a refund.

Each change locks rows in one order — the redemption, then the reward, then the points account
— so that a redemption and a cancellation running at once cannot deadlock.
"""

from uuid import UUID

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from points.models import EntryKind, Redemption, RedemptionState, Reward, new_pickup_code
from points.services.ledger import PointsError, award, balance, cause_of


class RewardError(PointsError):
    """A redemption, handover or cancellation that cannot be made, and why, in words."""


def _not_enough_points(reward, points: int) -> RewardError:
    return RewardError(
        "points",
        _("%(reward)s costs %(price)s points and you have %(balance)s.")
        % {"reward": reward, "price": reward.price, "balance": points},
    )


def check_can_redeem(reward: Reward, worker) -> None:
    """The refusals a rider can be told before trying: another community, off offer, none left,
    too few points. `redeem` checks them again where they can change under it."""
    if reward.area_id != worker.area_id:
        raise RewardError(
            "community",
            _("This reward is for riders registered with %(community)s.")
            % {"community": reward.area},
        )
    if not reward.active:
        raise RewardError("inactive", _("This reward is no longer on offer."))
    if reward.stock <= 0:
        raise RewardError("stock", _("%(reward)s is out of stock.") % {"reward": reward})
    points = balance(worker)
    if points < reward.price:
        raise _not_enough_points(reward, points)


def redeem(reward: Reward, worker, *, nonce: UUID | None = None) -> Redemption:
    """Take one of the reward's stock and its price in points, together or not at all.

    With the confirmation page's `nonce`, the same confirmation sent again — a double tap, a form
    resent by the browser — takes nothing more and returns the redemption it made the first time,
    even when both arrive at once (the second one's insert breaks the unique constraint)."""
    if nonce is not None and (earlier := _confirmed_with(worker, nonce)):
        return earlier
    try:
        return _redeem(reward, worker, nonce)
    except (RewardError, IntegrityError):
        # The same confirmation, running at the same moment, took the stock or points first.
        if nonce is not None and (earlier := _confirmed_with(worker, nonce)):
            return earlier
        raise


def _confirmed_with(worker, nonce: UUID) -> Redemption | None:
    return Redemption.objects.filter(worker=worker, nonce=nonce).first()


def _redeem(reward: Reward, worker, nonce: UUID | None) -> Redemption:
    check_can_redeem(reward, worker)
    with transaction.atomic():
        # The conditional update locks the reward's row: concurrent redemptions queue here.
        taken = Reward.objects.filter(pk=reward.pk, active=True, stock__gt=0).update(
            stock=F("stock") - 1
        )
        reward = Reward.objects.select_related("area").get(pk=reward.pk)  # the current price
        if not taken:
            check_can_redeem(reward, worker)  # says which: off offer, or out of stock
            raise RewardError("stock", _("%(reward)s is out of stock.") % {"reward": reward})
        redemption = Redemption.objects.create(
            reward=reward,
            worker=worker,
            points=reward.price,
            pickup_code=_unused_pickup_code(),
            nonce=nonce,
        )
        try:
            award(
                worker,
                -reward.price,
                EntryKind.REDEMPTION,
                cause=cause_of(redemption),
                note=reward.name,
            )
        except IntegrityError:
            # The balance's check constraint: another redemption spent the points meanwhile.
            # Raising here rolls back the stock and the redemption as well.
            raise _not_enough_points(reward, balance(worker)) from None
    return redemption


def _unused_pickup_code() -> str:
    """31⁶ codes: a clash with an earlier one is rare but possible, so look first (the unique
    constraint still holds should two redemptions draw the same new code at the same moment)."""
    while True:
        code = new_pickup_code()
        if not Redemption.objects.filter(pickup_code=code).exists():
            return code


def _check_requested(redemption: Redemption, handed_over: str) -> None:
    """Refuse a redemption no longer waiting for pickup; `handed_over` says what to tell when
    it was handed over, with its %(date)s."""
    if redemption.state == RedemptionState.FULFILLED:
        raise RewardError(
            "state",
            handed_over
            % {"date": timezone.localtime(redemption.fulfilled_at).strftime("%Y-%m-%d %H:%M")},
        )
    if redemption.state == RedemptionState.CANCELLED:
        raise RewardError("state", _("This redemption was cancelled and its points refunded."))


def _locked_requested(redemption: Redemption, handed_over: str) -> Redemption:
    locked = Redemption.objects.select_for_update().select_related("reward").get(pk=redemption.pk)
    _check_requested(locked, handed_over)
    return locked


def _handed_over_cannot_cancel() -> str:
    return _("This reward was handed over on %(date)s: it can no longer be cancelled.")


def check_can_cancel(redemption: Redemption) -> None:
    """The refusal a rider can be told before confirming a cancellation: handed over already,
    or cancelled already. `cancel` checks again under its lock."""
    _check_requested(redemption, _handed_over_cannot_cancel())


def fulfil(redemption: Redemption, *, by) -> Redemption:
    """Staff hand the item over to the rider who showed the pickup code."""
    with transaction.atomic():
        redemption = _locked_requested(redemption, _("This reward was handed over on %(date)s."))
        redemption.state = RedemptionState.FULFILLED
        redemption.fulfilled_at = timezone.now()
        redemption.fulfilled_by = by
        redemption.save(update_fields=["state", "fulfilled_at", "fulfilled_by"])
    return redemption


def cancel(redemption: Redemption, *, by=None) -> Redemption:
    """Give the points back (once: the refund's cause is the redemption) and the stock, until
    the reward is handed over. `by` is the staff member who cancels it; None when the rider
    cancels their own."""
    with transaction.atomic():
        redemption = _locked_requested(redemption, _handed_over_cannot_cancel())
        Reward.objects.filter(pk=redemption.reward_id).update(stock=F("stock") + 1)
        award(
            redemption.worker,
            redemption.points,
            EntryKind.REFUND,
            cause=cause_of(redemption),
            note=redemption.reward.name,
            by=by,
        )
        redemption.state = RedemptionState.CANCELLED
        redemption.cancelled_at = timezone.now()
        redemption.cancelled_by = by
        redemption.save(update_fields=["state", "cancelled_at", "cancelled_by"])
    return redemption


def change_stock(reward: Reward, change: int) -> None:
    """Add to (or with a negative number take from) the stock, whatever redemptions run
    meanwhile: an update relative to the current stock, never a value read earlier."""
    if not change:
        return
    changed = Reward.objects.filter(pk=reward.pk, stock__gte=-change).update(
        stock=F("stock") + change
    )
    if not changed:
        raise RewardError(
            "stock",
            _("Only %(stock)s left: cannot take %(change)s from the stock.")
            % {"stock": Reward.objects.get(pk=reward.pk).stock, "change": -change},
        )
    reward.refresh_from_db(fields=["stock"])
