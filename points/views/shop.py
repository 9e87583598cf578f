"""The rider's 积分超市: the rewards of their community, what they can afford marked; redeeming
one — after a confirmation page — gives a pickup code shown big, to show the staff; until they
hand it over the rider may cancel it and have the points back. Anyone may browse; redeeming
needs a signed-in rider."""

from uuid import uuid4

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from points.models import Redemption, RedemptionState, Reward
from points.reward_forms import ConfirmRedeemForm, RedeemForm
from points.services import rewards
from points.services.ledger import balance
from portal.community_picker import choose_community, chosen_community
from portal.errors import flash_refusal
from registry.services.riders import current_worker, rider_required


def shop(request):
    worker = current_worker(request)
    if worker is not None:
        community = worker.area
    else:
        community = chosen_community(request)
        if community is None:
            return choose_community(request, title=_("Points shop"))
    points = balance(worker) if worker else None
    offered = Reward.objects.filter(area=community, active=True).order_by("price", "name", "id")
    offered = sorted(offered, key=lambda reward: reward.stock == 0)  # what is left comes first
    return render(
        request,
        "points/shop.html",
        {
            "community": community,
            "worker": worker,
            "balance": points,
            # (reward, the points the rider still lacks for it: 0 when they can afford it)
            "rewards": [(reward, max(reward.price - (points or 0), 0)) for reward in offered],
        },
    )


@require_http_methods(["GET", "POST"])
@rider_required
def redeem(request):
    """GET: the confirmation page — the reward, its price, the balance after — with a fresh
    one-time key; POST (its button): redeem, once however often that key is sent."""
    confirmed = request.method == "POST"
    form = ConfirmRedeemForm(request.POST) if confirmed else RedeemForm(request.GET)
    if not form.is_valid():
        messages.error(request, form.refusal())
        return redirect("points:shop")
    reward = form.cleaned_data["reward"]
    with flash_refusal(request):
        if confirmed:
            nonce = form.cleaned_data["nonce"]
            redemption = rewards.redeem(reward, request.worker, nonce=nonce)
            return redirect("points:redeemed", redemption.pickup_code)
        rewards.check_can_redeem(reward, request.worker)
        points = balance(request.worker)
        return render(
            request,
            "points/redeem_confirm.html",
            {"reward": reward, "balance": points, "after": points - reward.price, "nonce": uuid4()},
        )
    return redirect("points:shop")


def _mine(request):
    return Redemption.objects.filter(worker=request.worker).select_related("reward__area")


@rider_required
def redeemed(request, code):
    redemption = get_object_or_404(_mine(request), pickup_code=code)
    return render(
        request,
        "points/redeemed.html",
        {
            "redemption": redemption,
            "requested": redemption.state == RedemptionState.REQUESTED,
            "balance": balance(request.worker),
        },
    )


@require_http_methods(["GET", "POST"])
@rider_required
def redeemed_cancel(request, code):
    """The rider takes back their own redemption until it is handed over: GET asks, POST does
    it; either way a refusal (handed over, cancelled already) goes back to the pickup page."""
    redemption = get_object_or_404(_mine(request), pickup_code=code)
    with flash_refusal(request):
        if request.method == "POST":
            rewards.cancel(redemption)
            messages.success(
                request,
                _("Cancelled: %(points)s points went back to you, you now have %(balance)s.")
                % {"points": redemption.points, "balance": balance(request.worker)},
            )
            return redirect("points:redeemed", code)
        rewards.check_can_cancel(redemption)
        points = balance(request.worker)
        return render(
            request,
            "points/redeemed_cancel.html",
            {"redemption": redemption, "after": points + redemption.points},
        )
    return redirect("points:redeemed", code)
