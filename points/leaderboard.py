"""The monthly points leaderboard of a community: points earned this calendar month (local
time), the top ten, first names masked (孙*). Spending and refunds are not earning."""

from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.db.models import Sum
from django.utils import timezone

from points.models import Entry, EntryKind
from portal.privacy import mask_name

SIZE = 10
NOT_EARNED = (EntryKind.REDEMPTION, EntryKind.REFUND, EntryKind.MERGED)
PUBLIC_SECONDS = 300  # the station page's board: a few minutes old is fresh enough


@dataclass
class Place:
    rank: int
    name: str
    points: int
    worker_id: int


def month_start(now: datetime | None = None) -> datetime:
    local = timezone.localtime(now)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def top_earners(area, now: datetime | None = None):
    """One grouped query over this month's entries of the workers of the area (a community),
    served by the ledger's (worker, created_at) index (docs/BENCHMARKS.md)."""
    return (
        Entry.objects.filter(
            worker__area__path__startswith=area.path,
            worker__anonymised_at__isnull=True,
            worker__consent_withdrawn_at__isnull=True,
            worker__merged_into__isnull=True,
            amount__gt=0,
            created_at__gte=month_start(now),
        )
        .exclude(kind__in=NOT_EARNED)
        .values("worker", "worker__name")
        .annotate(points=Sum("amount"))
        .order_by("-points", "worker")[:SIZE]
    )


def monthly(area, now: datetime | None = None) -> list[Place]:
    return [
        Place(rank, mask_name(row["worker__name"]), row["points"], row["worker"])
        for rank, row in enumerate(top_earners(area, now), start=1)
    ]


def monthly_cached(area) -> list[Place]:
    """For the public page: every rider opening it within a few minutes shares one query."""
    key = f"points:leaderboard:{area.pk}:{month_start():%Y-%m}"
    places = cache.get(key)
    if places is None:
        places = monthly(area)
        cache.set(key, places, PUBLIC_SECONDS)
    return places
