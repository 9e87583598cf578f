"""The rider's 积分超市: the rewards of their community, what they can afford marked; redeeming
one gives a pickup code shown big, to show the staff. Anyone may browse; redeeming needs a
signed-in rider."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from points import rewards
from points.models import Redemption, RedemptionState, Reward
from points.reward_forms import RedeemForm
from points.riders import current_worker, rider_required
from points.services import balance
from registry.views.workers import choose_community, chosen_community


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


@require_POST
@rider_required
def redeem(request):
    form = RedeemForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("This reward is no longer on offer."))
        return redirect("points:shop")
    try:
        redemption = rewards.redeem(form.cleaned_data["reward"], request.worker)
    except rewards.RewardError as refused:
        messages.error(request, str(refused))
        return redirect("points:shop")
    return redirect("points:redeemed", redemption.pickup_code)


@rider_required
def redeemed(request, code):
    redemption = get_object_or_404(
        Redemption.objects.select_related("reward__area"), worker=request.worker, pickup_code=code
    )
    return render(
        request,
        "points/redeemed.html",
        {
            "redemption": redemption,
            "requested": redemption.state == RedemptionState.REQUESTED,
            "balance": balance(request.worker),
        },
    )
