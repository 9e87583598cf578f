"""积分超市: redeeming a reward, handing it over by its pickup code, cancelling with a refund.

Each change locks rows in one order — the redemption, then the reward, then the points account
— so that a redemption and a cancellation running at once cannot deadlock.
"""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from points.models import EntryKind, Redemption, RedemptionState, Reward, new_pickup_code
from points.services import PointsError, award, balance, cause_of


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


def redeem(reward: Reward, worker) -> Redemption:
    """Take one of the reward's stock and its price in points, together or not at all."""
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
            reward=reward, worker=worker, points=reward.price, pickup_code=_unused_pickup_code()
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


def _locked_requested(redemption: Redemption) -> Redemption:
    locked = Redemption.objects.select_for_update().select_related("reward").get(pk=redemption.pk)
    if locked.state == RedemptionState.FULFILLED:
        raise RewardError(
            "state",
            _("This reward was handed over on %(date)s.")
            % {"date": timezone.localtime(locked.fulfilled_at).strftime("%Y-%m-%d %H:%M")},
        )
    if locked.state == RedemptionState.CANCELLED:
        raise RewardError("state", _("This redemption was cancelled and its points refunded."))
    return locked


def fulfil(redemption: Redemption, *, by) -> Redemption:
    """Staff hand the item over to the rider who showed the pickup code."""
    with transaction.atomic():
        redemption = _locked_requested(redemption)
        redemption.state = RedemptionState.FULFILLED
        redemption.fulfilled_at = timezone.now()
        redemption.fulfilled_by = by
        redemption.save(update_fields=["state", "fulfilled_at", "fulfilled_by"])
    return redemption


def cancel(redemption: Redemption, *, by) -> Redemption:
    """Give the points back (once: the refund's cause is the redemption) and the stock."""
    with transaction.atomic():
        redemption = _locked_requested(redemption)
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


def my_redemptions(worker) -> dict:
    """The rider's "我的" section: the rewards waiting for pickup with their codes, then the
    last few handed over or cancelled."""
    recent = list(
        Redemption.objects.filter(worker=worker)
        .select_related("reward__area")
        .order_by("-created_at", "-id")[:20]
    )
    return {
        "waiting": [r for r in recent if r.state == RedemptionState.REQUESTED],
        "done": [r for r in recent if r.state != RedemptionState.REQUESTED][:5],
    }
