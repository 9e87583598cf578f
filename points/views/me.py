"""The rider's own page (我的): balance, points history, the sections other parts add
(portal.slots.RIDER_PAGE), and the way to the work card."""

from django.shortcuts import render

from points.services.ledger import balance
from portal import slots
from portal.pagination import CappedPaginator
from registry.services.riders import rider_required

HISTORY_PER_PAGE = 20


@rider_required
def me(request):
    worker = request.worker
    history = CappedPaginator(worker.points_entries.all(), HISTORY_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "points/me.html",
        {
            "worker": worker,
            "balance": balance(worker),
            "history": history,
            "sections": slots.render(slots.RIDER_PAGE, request, worker),
        },
    )
