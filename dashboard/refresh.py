"""Counting the dashboard's figures into `Figure` rows: each number is stored for its own area and
for every area above it, so the dashboard reads an area's and its children's figures directly
instead of counting a province's million rows while the official waits. A department's figures
are stored once, for the department (`dashboard.rates`).

A refresh recounts from the apps' tables and replaces what it recounted, so running it twice, or
after a missed run, gives the same rows: nothing is lost if a run is.
"""

import io
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from itertools import chain

from django.db import connection, transaction
from django.db.models import Min, Q, Sum
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone

from dashboard import figures, rates, spans
from dashboard.models import Figure, Refresh, Span
from feedback.models import Event, Suggestion, Task, TaskExtension
from points.models import Entry
from portal.models import Area
from registry.models import Worker
from stations.models import StationVisit

BATCH = 5000
LOOK_BACK = timedelta(minutes=5)
COPY_NULL = "\\N"  # how COPY's text format spells NULL


def refresh(first_day: date, last_day: date, *, current: bool = True) -> Refresh:
    """Recount the daily figures from `first_day` to `last_day`, and the current ones."""
    started_at = timezone.now()
    paths = {area.pk: area.path_ids() for area in Area.objects.only("path")}
    counted = chain(
        figures.daily_rows(first_day, last_day), rates.daily_rows(first_day, last_day, started_at)
    )
    daily = _roll_up(counted, paths)
    now = _roll_up(figures.current_rows(started_at), paths) if current else {}
    with transaction.atomic():
        _lock_figures()
        if current:
            Figure.objects.filter(span=Span.NOW).delete()
        Figure.objects.filter(span=Span.DAY, day__gte=first_day, day__lte=last_day).delete()
        rows = _insert(Span.NOW, now) + _insert(Span.DAY, daily)
        rows += _add_up_weeks_and_months(first_day, last_day)
        return Refresh.objects.create(
            first_day=first_day, last_day=last_day, started_at=started_at, rows=rows
        )


def refresh_recent(days: int) -> Refresh:
    """The current figures and the last `days` days up to today, after any earlier day whose
    figures changed since the last count (so every recount agrees with `rebuild`)."""
    today = timezone.localdate()
    first = today - timedelta(days=days - 1)
    latest = Refresh.objects.order_by("-started_at", "-id").first()
    # A change is stamped when its transaction starts, and may commit after the last count began:
    # looking a little further back costs at most a day counted twice.
    since = latest.started_at - LOOK_BACK if latest else None
    for day in sorted(touched_days(since, first) if since else ()):
        refresh(day, day, current=False)
    return refresh(first, today)


# Changes that alter what past days counted (dashboard.refresh.touched_days): a suggestion passed
# to another area or reopened moves its whole history; a task returned (退单) or given a new
# deadline (延期) leaves the days it was due on; a new sub-type moves the day it was filed.
MOVED = [Event.Kind.TRANSFERRED, Event.Kind.REOPENED]
TASK_CHANGED = [Event.Kind.TASK_RETURNED, Event.Kind.EXTENSION_DECIDED]
RETYPED = [Event.Kind.ISSUE_TYPE_CHANGED]


def touched_days(since: datetime, before: date) -> set[date]:
    """Days before `before` whose figures a change since `since` moved: a suggestion passed to
    another area, or reopened (which forgets when it was resolved), changes what the days of its
    whole history counted; a task returned, or given a new deadline, what its deadlines' days
    counted (dashboard.rates); a sub-type changed, the day the suggestion was filed.
    Registrations, points and check-ins keep the area of their day (`registered_area`,
    `Entry.area`, `StationVisit.area`), so a move changes no past day."""
    events = list(
        Event.objects.filter(created_at__gte=since, kind__in=MOVED + TASK_CHANGED + RETYPED)
        .values_list("kind", "suggestion_id", "task_id")
        .order_by()
    )
    moved = {suggestion for kind, suggestion, _task in events if kind in MOVED}
    tasks = Task.objects.filter(
        Q(suggestion__in=moved)
        | Q(pk__in=[task for kind, _s, task in events if kind in TASK_CHANGED and task])
    )
    rows = chain(
        Event.objects.filter(suggestion__in=moved).values_list("created_at"),
        Task.objects.filter(suggestion__in=moved).values_list("created_at", "done_at"),
        Suggestion.objects.filter(pk__in=moved).values_list(
            "submitted_at", "assessed_at", "resolved_at", "rated_at"
        ),
        # the days a task counted on for the response and on-time rates, with every deadline it
        # had before an extension (dashboard.rates)
        tasks.values_list("acknowledge_by", "due_at"),
        TaskExtension.objects.filter(task__in=tasks).values_list("previous_due_at"),
        Suggestion.objects.filter(
            pk__in=[suggestion for kind, suggestion, _t in events if kind in RETYPED]
        ).values_list("submitted_at"),
    )
    days = {timezone.localdate(moment) for moment in chain.from_iterable(rows) if moment}
    return {day for day in days if day < before}


def rebuild() -> Refresh:
    """Every day since the first registration, suggestion, visit or points entry, a month at a
    time (so memory stays bounded at a province's size); the current figures last."""
    first = first_day()
    if first is None:
        return refresh_recent(1)
    today = timezone.localdate()
    day = first
    while day <= today:
        last = min(spans.next_month(day) - timedelta(days=1), today)
        refreshed = refresh(day, last, current=last == today)
        day = last + timedelta(days=1)
    vacuum_figures()
    return refreshed


def vacuum_figures() -> None:
    """After a full recount has rewritten the figures, PostgreSQL's visibility map of the table is
    stale until autovacuum comes by, and a province's year is read row by row from the table
    instead of from the covering index alone (docs/BENCHMARKS.md, the re-run after issue 17).
    VACUUM cannot run inside a transaction, so only where none is open (the management command,
    the task); elsewhere autovacuum does it later."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {Figure._meta.db_table}")


def first_day() -> date | None:
    moments = [
        Worker.objects.aggregate(first=Min("created_at"))["first"],
        Suggestion.objects.aggregate(first=Min("submitted_at"))["first"],
        Entry.objects.aggregate(first=Min("created_at"))["first"],
    ]
    days = [timezone.localdate(moment) for moment in moments if moment]
    visit = StationVisit.objects.aggregate(first=Min("day"))["first"]
    return min(days + ([visit] if visit else []), default=None)


def _roll_up(rows: Iterable[figures.Row], paths: dict[int, list[int]]) -> dict[tuple, int]:
    """Each value added to its area and every area above it; a department's figures, keyed by
    the department and read by it (`dashboard.ranking.department_figures`), once, for the
    department's own area."""
    totals: dict[tuple, int] = defaultdict(int)
    for name, area_id, day, key, value in rows:
        if not value:
            continue
        for ancestor in [area_id] if name.startswith(rates.DEPARTMENT) else paths[area_id]:
            totals[name, ancestor, day, key] += value
    return totals


def _add_up_weeks_and_months(first_day: date, last_day: date) -> int:
    """Recount the weeks and months that the days from `first_day` to `last_day` fall in, as sums
    of their stored days."""
    rows = 0
    for span, start_of, trunc in [
        (Span.WEEK, spans.week_start, TruncWeek),
        (Span.MONTH, spans.month_start, TruncMonth),
    ]:
        first = start_of(first_day)
        Figure.objects.filter(span=span, day__gte=first, day__lte=last_day).delete()
        sums = (
            Figure.objects.filter(span=Span.DAY, day__gte=first)
            .filter(day__lt=_after(span, start_of(last_day)))
            .annotate(start=trunc("day"))
            .values_list("name", "area_id", "start", "key")
            .annotate(total=Sum("value"))
            .order_by()
        )
        rows += _insert(
            span, {(name, area, start, key): total for name, area, start, key, total in sums}
        )
    return rows


def _after(span: str, start: date) -> date:
    """The first day after the week or month starting on `start`."""
    return start + timedelta(days=7) if span == Span.WEEK else spans.next_month(start)


def _insert(span: str, totals: dict[tuple, int]) -> int:
    """Store the rows: with COPY on PostgreSQL (a few hundred thousand rows every few minutes, at
    a province's size, take a tenth of the time bulk INSERTs take), in batches elsewhere."""
    if connection.vendor != "postgresql":
        Figure.objects.bulk_create(
            (
                Figure(span=span, name=name, area_id=area_id, day=day, key=key, value=value)
                for (name, area_id, day, key), value in totals.items()
            ),
            batch_size=BATCH,
        )
        return len(totals)
    data = io.StringIO()
    for (name, area_id, day, key), value in totals.items():
        day_text = str(day) if day else COPY_NULL
        data.write("\t".join([str(area_id), span, day_text, name, key, str(value)]) + "\n")
    data.seek(0)
    with connection.cursor() as cursor:
        cursor.copy_expert(
            f"COPY {Figure._meta.db_table} (area_id, span, day, name, key, value) FROM STDIN", data
        )
    return len(totals)


def _lock_figures() -> None:
    """Two refreshes at once would each delete the old rows and both insert: on PostgreSQL the
    second waits here for the first to commit (readers are not blocked). SQLite runs one writing
    transaction at a time anyway."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {Figure._meta.db_table} IN EXCLUSIVE MODE")
