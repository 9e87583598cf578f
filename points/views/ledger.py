"""A worker's points for staff (balance, history, manual adjustment) and the monthly
leaderboard, for staff and on a station's page."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from points import leaderboard as board
from points.ledger_forms import AdjustmentForm
from points.models import Entry
from points.services.ledger import PointsError, adjust, balance
from portal.models import Area, AreaLevel
from portal.permissions import role_required
from portal.replica import reads_from_replica
from portal.roles import KEEPERS, READERS
from portal.scope import get_in_scope_or_404
from registry.models import Worker
from stations.selectors import station_for_token


def _worker(request, pk) -> Worker:
    return get_in_scope_or_404(Worker.objects.select_related("area"), request.user, id=pk)


def _worker_page(request, worker, form=None, status=200):
    entries = Entry.objects.filter(worker=worker).select_related("recorded_by")
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    can_adjust = request.user.role in KEEPERS
    return render(
        request,
        "points/worker.html",
        {
            "worker": worker,
            "balance": balance(worker),
            "page": page,
            "form": (form or AdjustmentForm()) if can_adjust else None,
        },
        status=status,
    )


@role_required(*READERS)
def worker_points(request, pk):
    return _worker_page(request, _worker(request, pk))


@require_POST
@role_required(*KEEPERS)
def adjust_points(request, pk):
    worker = _worker(request, pk)
    form = AdjustmentForm(request.POST)
    if form.is_valid():
        try:
            entry = adjust(
                worker, form.cleaned_data["amount"], form.cleaned_data["reason"], by=request.user
            )
        except PointsError as refused:
            form.add_error("amount", str(refused))
        else:
            messages.success(
                request,
                _("Adjusted the points of %(name)s by %(amount)+d.")
                % {"name": worker, "amount": entry.amount},
            )
            return redirect("points:worker", worker.pk)
    return _worker_page(request, worker, form, status=400)


@reads_from_replica
@role_required(*READERS)
def staff_leaderboard(request):
    """Down the user's areas to a community (plain links, as registration's chooser), whose
    board it then shows."""
    code = request.GET.get("area")
    if code:
        area = get_in_scope_or_404(Area.objects.all(), request.user, None, code=code)
    else:
        area = request.user.area  # None for an administrator: the top areas to choose from
    is_community = area is not None and area.level == AreaLevel.COMMUNITY
    if is_community:
        choices = []
    else:
        choices = area.children.order_by("code") if area else Area.objects.filter(parent=None)
    top = request.user.area
    return render(
        request,
        "points/leaderboard.html",
        {
            "area": area,
            "trail": [a for a in area.ancestors() if top is None or a.is_within(top)]
            if area
            else [],
            "choices": choices,
            "places": board.monthly(area) if is_community else None,
            "month": board.month_start(),
        },
    )


@reads_from_replica
def station_leaderboard(request, token):
    """Public, from a station's QR code: the board of the station's community."""
    station = station_for_token(token)
    return render(
        request,
        "points/station_leaderboard.html",
        {
            "station": station,
            "places": board.monthly_cached(station.area),
            "month": board.month_start(),
        },
    )
