"""What the dashboard counts, read straight from the apps' own tables.

`current_rows` says how things stand now (workers waiting for confirmation, overdue tasks …);
`daily_rows` what happened on each local day of a range (registrations, check-ins, closures …).
Daily figures are broken down only where the dashboard needs it (check-ins by station kind, days
to resolve for the median): every key multiplies the rows a province stores for each day.
Both give each number at the row's own area, as (name, area id, day, key, value) with day None
for current figures; `dashboard.refresh` adds them up the area tree and stores them.
"""

from collections.abc import Iterator
from datetime import date, datetime, timedelta

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from feedback.models import Suggestion, Task
from points.models import Entry, EntryKind, SignUp, TeamMember
from portal.dates import local_midnight
from registry.models import (
    CareVisit,
    CheckIn,
    Enterprise,
    PartyOrganisation,
    PoliticalStatus,
    Worker,
    WorkerStatus,
)
from stations.models import StandardItem, Station, StationStandard, StationVisit

Row = tuple[str, int, date | None, str, int]

# "Active volunteers" attended an activity within this many days.
ACTIVE_VOLUNTEER_DAYS = 90
# Days to close are counted in whole days; longer waits share the last bucket.
DAYS_TO_CLOSE_CAP = 60


def current_rows(now: datetime) -> Iterator[Row]:
    today = timezone.localdate(now)
    yield from _workers()
    yield from _party_members()
    for row in Enterprise.objects.values("area_id").annotate(
        total=Count("id"), covered=Count("id", filter=~Q(party_organisation=PartyOrganisation.NONE))
    ):
        yield "enterprises", row["area_id"], None, "total", row["total"]
        yield "enterprises", row["area_id"], None, "covered", row["covered"]
    for row in (
        CareVisit.objects.open()
        .values("worker__area_id")
        .annotate(open=Count("id"), overdue=Count("id", filter=Q(due_on__lt=today)))
    ):
        yield "care", row["worker__area_id"], None, "open", row["open"]
        yield "care", row["worker__area_id"], None, "overdue", row["overdue"]
    yield from _stations()
    for area_id, state, n in _grouped(Suggestion.objects, "area_id", "state"):
        yield "suggestions", area_id, None, state, n
    overdue = Task.objects.overdue(now)
    for area_id, department_id, n in _grouped(overdue, "suggestion__area_id", "department_id"):
        yield "overdue_tasks", area_id, None, str(department_id), n
    yield from _volunteers(now)


def _grouped(queryset, *fields) -> Iterator[tuple]:
    """(*fields, count) for each combination of the fields' values."""
    for row in queryset.values(*fields).annotate(n=Count("id")).order_by():
        yield (*(row[field] for field in fields), row["n"])


def _workers() -> Iterator[Row]:
    for area_id, status, n in _grouped(Worker.objects, "area_id", "status"):
        yield "workers", area_id, None, status, n
    registered = Worker.objects.exclude(status=WorkerStatus.LEFT)
    for name in ("occupation", "platform"):
        for area_id, key, n in _grouped(registered, "area_id", name):
            yield name, area_id, None, key, n


def _party_members() -> Iterator[Row]:
    reported = CheckIn.objects.filter(worker=OuterRef("pk"), as_party_member=True)
    members = (
        Worker.objects.exclude(status=WorkerStatus.LEFT)
        .filter(political_status__in=PoliticalStatus.party())
        .annotate(has_reported=Exists(reported))
        .values("area_id")
        .annotate(
            members=Count("id"),
            mobile=Count("id", filter=Q(is_mobile_party_member=True)),
            reported=Count("id", filter=Q(has_reported=True)),
            mobile_reported=Count("id", filter=Q(is_mobile_party_member=True, has_reported=True)),
        )
        .order_by()
    )
    for row in members:
        for key in ("members", "mobile", "reported", "mobile_reported"):
            yield "party", row["area_id"], None, key, row[key]


def _stations() -> Iterator[Row]:
    for area_id, kind, n in _grouped(Station.objects, "area_id", "kind"):
        yield "stations", area_id, None, kind, n
    active_items = StandardItem.objects.filter(active=True).count()
    for row in Station.objects.values("area_id").annotate(n=Count("id")).order_by():
        yield "standard", row["area_id"], None, "possible", row["n"] * active_items
    met = StationStandard.objects.filter(item__active=True)
    for area_id, n in _grouped(met, "station__area_id"):
        yield "standard", area_id, None, "met", n


def _volunteers(now: datetime) -> Iterator[Row]:
    members = TeamMember.objects.values("worker__area_id").annotate(
        n=Count("worker", distinct=True)
    )
    for row in members.order_by():
        yield "volunteers", row["worker__area_id"], None, "members", row["n"]
    since = now - timedelta(days=ACTIVE_VOLUNTEER_DAYS)
    active = (
        SignUp.objects.filter(attended_at__gte=since)
        .values("worker__area_id")
        .annotate(n=Count("worker", distinct=True))
    )
    for row in active.order_by():
        yield "volunteers", row["worker__area_id"], None, "active", row["n"]


def daily_rows(first: date, last: date) -> Iterator[Row]:
    """What happened on each local day from `first` to `last`, inclusive."""
    start, end = local_midnight(first), local_midnight(last + timedelta(days=1))

    def per_day(name, queryset, moment, area, key=None, value=None):
        rows = (
            queryset.filter(**{f"{moment}__gte": start, f"{moment}__lt": end})
            .annotate(on=TruncDate(moment))
            .values(area, "on", *([key] if key else []))
            .annotate(n=Sum(value) if value else Count("id"))
            .order_by()
        )
        for row in rows:
            yield name, row[area], row["on"], str(row[key]) if key else "", row["n"]

    # Where the record was registered, not where the worker lives now: a move never shifts a
    # past registration from one community to another (docs/DEPLOYMENT.md, "What the figures mean").
    yield from per_day("registered", Worker.objects, "created_at", "registered_area_id")
    # Where the station was on the day (the visit keeps it), like the points below.
    visits = StationVisit.objects.filter(day__gte=first, day__lte=last)
    for area_id, day, kind, n in _grouped(visits, "area_id", "day", "station__kind"):
        yield "checkins", area_id, day, kind, n
    yield from per_day("submitted", Suggestion.objects, "submitted_at", "area_id")
    yield from per_day("assessed", Suggestion.objects, "assessed_at", "area_id")
    yield from _closed(start, end)
    rated = Suggestion.objects.filter(rating__isnull=False)
    yield from per_day("rated", rated, "rated_at", "area_id")
    yield from per_day("rating_sum", rated, "rated_at", "area_id", value="rating")
    yield from per_day("tasks_assigned", Task.objects, "created_at", "suggestion__area_id")
    yield from per_day("tasks_done", Task.objects, "done_at", "suggestion__area_id")
    # Points count with the community the worker belonged to when they were earned or spent (the
    # entry keeps it), so a later move leaves the past alone. A balance moved with a duplicate
    # registration (kind "merged") is neither earned nor spent.
    earned = Entry.objects.filter(amount__gt=0).exclude(
        kind__in=[EntryKind.REFUND, EntryKind.MERGED]
    )
    yield from per_day("points_earned", earned, "created_at", "area_id", value="amount")
    # A redemption's entry takes points (negative), a refund gives them back (positive).
    spent = Entry.objects.filter(kind__in=[EntryKind.REDEMPTION, EntryKind.REFUND])
    for name, area_id, day, _key, total in per_day(
        "points_spent", spent, "created_at", "area_id", value="amount"
    ):
        yield name, area_id, day, "", -total


def _closed(start: datetime, end: datetime) -> Iterator[Row]:
    """Suggestions resolved (办结) on each day, by the whole days they took from submission."""
    resolved = Suggestion.objects.filter(resolved_at__gte=start, resolved_at__lt=end)
    counts: dict[tuple, int] = {}
    for area_id, submitted_at, resolved_at in resolved.values_list(
        "area_id", "submitted_at", "resolved_at"
    ).iterator(chunk_size=5000):
        took = min((resolved_at - submitted_at).days, DAYS_TO_CLOSE_CAP)
        key = (area_id, timezone.localdate(resolved_at), str(max(took, 0)))
        counts[key] = counts.get(key, 0) + 1
    for (area_id, day, took), n in counts.items():
        yield "resolved", area_id, day, took, n
