"""Staff pages of the 积分超市: the rewards of their communities, the redemptions, handing a
reward over by its pickup code, cancelling a redemption (the points go back)."""

from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from points.models import Redemption, RedemptionState, Reward
from points.reward_forms import PickupCodeForm, RewardForm
from points.services import rewards
from portal.errors import flash_refusal
from portal.models import Area
from portal.pagination import CappedPaginator
from portal.permissions import role_required
from portal.roles import KEEPERS, READERS
from portal.scope import get_in_scope_or_404


@role_required(*READERS)
def reward_list(request):
    rows = (
        Reward.objects.in_scope(request.user)
        .select_related("area")
        .order_by("area__path", "-active", "price", "id")
    )
    page = CappedPaginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "points/rewards.html",
        {"page": page, "can_keep": request.user.role in KEEPERS},
    )


def _reward_form(request, reward=None):
    return RewardForm(
        request.POST or None,
        request.FILES or None,
        instance=reward,
        areas=Area.objects.in_scope(request.user),
    )


@role_required(*KEEPERS)
def reward_add(request):
    form = _reward_form(request)
    if request.method == "POST" and form.is_valid():
        reward = form.save()
        messages.success(request, _("Added %(name)s.") % {"name": reward})
        return redirect("points:rewards")
    return render(request, "points/reward_form.html", {"form": form, "reward": None})


@role_required(*KEEPERS)
def reward_edit(request, pk):
    reward = get_in_scope_or_404(Reward.objects.select_related("area"), request.user, id=pk)
    form = _reward_form(request, reward)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                form.save()
                rewards.change_stock(reward, form.cleaned_data["stock_change"] or 0)
        except rewards.RewardError as refused:
            form.add_error("stock_change", str(refused))
        else:
            messages.success(request, _("Saved the changes."))
            return redirect("points:rewards")
    return render(request, "points/reward_form.html", {"form": form, "reward": reward})


@role_required(*READERS)
def redemption_list(request):
    state = request.GET.get("state") if request.GET.get("state") in RedemptionState else ""
    rows = Redemption.objects.in_scope(request.user).select_related("reward__area", "worker")
    if state:
        rows = rows.filter(state=state)
    page = CappedPaginator(rows.order_by("-created_at", "-id"), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "points/redemptions.html",
        {
            "page": page,
            "state": state,
            "states": [("", _("All")), *RedemptionState.choices],
            "can_keep": request.user.role in KEEPERS,
            "requested": RedemptionState.REQUESTED,
        },
    )


def _in_scope(request):
    return Redemption.objects.in_scope(request.user).select_related("reward__area", "worker")


@role_required(*KEEPERS)
def handover(request):
    """Type the code the rider shows, check the reward, hand it over. A code of another
    community is refused like an unknown one: nothing tells staff it exists elsewhere."""
    if request.method == "POST":
        form = PickupCodeForm(request.POST)
        if form.is_valid():
            redemption = get_object_or_404(
                _in_scope(request), pickup_code=form.cleaned_data["code"]
            )
            with flash_refusal(request):
                rewards.fulfil(redemption, by=request.user)
                messages.success(
                    request,
                    _("Handed over %(reward)s to %(name)s.")
                    % {"reward": redemption.reward, "name": redemption.worker},
                )
            return redirect("points:handover")
    else:
        form = PickupCodeForm(request.GET if "code" in request.GET else None)
    redemption = None
    if form.is_bound and form.is_valid() and request.method == "GET":
        redemption = _in_scope(request).filter(pickup_code=form.cleaned_data["code"]).first()
        if redemption is None:
            form.add_error("code", _("No redemption of your communities has this pickup code."))
    return render(
        request,
        "points/handover.html",
        {"form": form, "redemption": redemption, "requested": RedemptionState.REQUESTED},
    )


@require_POST
@role_required(*KEEPERS)
def redemption_cancel(request, pk):
    redemption = get_object_or_404(_in_scope(request), id=pk)
    with flash_refusal(request):
        rewards.cancel(redemption, by=request.user)
        messages.success(
            request,
            _("Cancelled: %(points)s points went back to %(name)s.")
            % {"points": redemption.points, "name": redemption.worker},
        )
    return redirect("points:redemptions")
