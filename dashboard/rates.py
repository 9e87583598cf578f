"""The figures officials judge departments and streets by (12345 / 接诉即办 style), counted for
each local day like the other daily figures, as numerators and denominators: a rate is worked out
when it is read (`dashboard.summary.ratio`), so the rate of a month is the month's on-time tasks
over the month's due tasks, never an average of daily rates.

Each figure is counted twice: for the area of the suggestion (the street or community where the
matter is, and every area above it), and as `dept:<name>` keyed by the department's id, stored
once under the department's own area and read by the department's id, so an area's departments
are those whose area is in it. (Stored under every area above too, a province's department rows
outnumbered the rest of its figures four to one, and its year was read four times slower.) What
each figure means, and which day a task counts on, is `dashboard.sections.RATE_DEFINITIONS`,
printed under every table.
"""

from collections.abc import Iterator
from datetime import date, datetime, timedelta

from django.db.models import Count, Exists, F, OuterRef, Q
from django.db.models.functions import TruncDate

from dashboard.models import DEPARTMENT
from feedback.models import (
    Callback,
    Event,
    State,
    Suggestion,
    Task,
    TaskExtension,
    TaskSupervision,
)
from portal.dates import local_midnight

Row = tuple[str, int, date | None, str, int]


# The counts behind each rate: (numerator, denominator).
RESPONSE = ("ack_in_time", "ack_due")
ON_TIME = ("on_time", "due")
RESOLUTION = ("closed_first", "closed")
SATISFACTION_ONLINE = ("rated_good", "rated")
SATISFACTION_CALLBACK = ("callbacks_good", "callbacks")
# Counts shown as they are.
RETURNS, EXTENSIONS, EXTENSIONS_APPROVED, SUPERVISIONS = (
    "returned",
    "ext_asked",
    "ext_approved",
    "supervised",
)
# Every name of an area's rate figures.
NAMES = [
    *RESPONSE,
    *ON_TIME,
    *RESOLUTION,
    *SATISFACTION_ONLINE,
    *SATISFACTION_CALLBACK,
    RETURNS,
    EXTENSIONS,
    EXTENSIONS_APPROVED,
    SUPERVISIONS,
]
# Suggestions submitted, by category (and sub-type, "category:id").
BY_TYPE = "by_type"
# A rating of this many stars or more is "satisfied" (满意, 基本满意).
SATISFIED_FROM = 4


def department(name: str) -> str:
    return f"{DEPARTMENT}{name}"


def daily_rows(first: date, last: date, now: datetime) -> Iterator[Row]:
    """The rate figures of each local day from `first` to `last`, inclusive, as counted at `now`
    (a task due later today is not due yet)."""
    start, end = local_midnight(first), local_midnight(last + timedelta(days=1))
    tasks = Task.objects.counted()
    # 响应率: each task on the day its time to acknowledge (签收) ends, once it has ended or the
    # task was acknowledged; in time if acknowledged by then. Tasks assigned before 签收
    # existed have no such time and are not counted.
    yield from _per_task(
        tasks.filter(acknowledge_by__gte=start, acknowledge_by__lt=end).filter(
            Q(acknowledge_by__lte=now) | Q(acknowledged_at__isnull=False)
        ),
        "acknowledge_by",
        RESPONSE,
        Q(acknowledged_at__lte=F("acknowledge_by")),
    )
    # 按时办结率: each task on the day of its deadline (after an approved extension, the new
    # one: `due_at` is always the deadline in force), once it has passed or the task is done.
    yield from _per_task(
        tasks.filter(due_at__gte=start, due_at__lt=end).filter(
            Q(due_at__lte=now) | Q(done_at__isnull=False)
        ),
        "due_at",
        ON_TIME,
        Q(done_at__lte=F("due_at")),
    )
    returned = Task.objects.filter(
        state=Task.State.RETURNED, returned_at__gte=start, returned_at__lt=end
    )
    yield from _per_task(returned, "returned_at", (None, RETURNS))
    asked = TaskExtension.objects.filter(requested_at__gte=start, requested_at__lt=end)
    yield from _per_task(asked, "requested_at", (None, EXTENSIONS), task="task__")
    approved = TaskExtension.objects.filter(
        approved=True, decided_at__gte=start, decided_at__lt=end
    )
    yield from _per_task(approved, "decided_at", (None, EXTENSIONS_APPROVED), task="task__")
    supervised = TaskSupervision.objects.filter(created_at__gte=start, created_at__lt=end)
    yield from _per_task(supervised, "created_at", (None, SUPERVISIONS), task="task__")
    yield from _closed(start, end)
    yield from _ratings(start, end)
    yield from _callbacks(start, end)
    yield from _by_type(start, end)


def _per_task(rows, moment: str, names: tuple, good: Q | None = None, task: str = ""):
    """Rows about tasks (tasks, their extensions, their supervision notices) counted by the
    local day of `moment`: for the suggestion's area, and for the department's own area keyed
    by its id; with `good`, also those that meet it. `task` leads from a row to its task."""
    part, whole = names
    counts = {"n": Count("id")} | ({"good": Count("id", filter=good)} if good else {})
    for place, keyed in [
        ([f"{task}suggestion__area_id"], False),
        ([f"{task}department__area_id", f"{task}department_id"], True),
    ]:
        for row in (
            rows.annotate(on=TruncDate(moment)).values(*place, "on").annotate(**counts).order_by()
        ):
            area_id, key = row[place[0]], str(row[place[1]]) if keyed else ""
            prefix = DEPARTMENT if keyed else ""
            yield f"{prefix}{whole}", area_id, row["on"], key, row["n"]
            if good is not None:
                yield f"{prefix}{part}", area_id, row["on"], key, row["good"]


def _closed(start: datetime, end: datetime) -> Iterator[Row]:
    """解决率: suggestions closed on the day, and those of them resolved and never reopened (one
    staff closed with a reply when no department would take it was not resolved); for a
    department, the closed suggestions it did a task for."""

    def reopened(suggestion):
        return Exists(
            Event.objects.filter(suggestion=OuterRef(suggestion), kind=Event.Kind.REOPENED)
        )

    closed = Suggestion.objects.filter(state=State.CLOSED, closed_at__gte=start, closed_at__lt=end)
    yield from _by_area(
        closed.annotate(again=reopened("pk")),
        "closed_at",
        RESOLUTION,
        Q(again=False, resolved_at__isnull=False),
    )
    tasks = _done_for(closed).annotate(again=reopened("suggestion_id"))
    solved = Q(again=False, suggestion__resolved_at__isnull=False)
    yield from _by_department(tasks, "closed_at", RESOLUTION, solved)


def _ratings(start: datetime, end: datetime) -> Iterator[Row]:
    """满意率 online: ratings given on the day, and those of 4 or 5 stars. (The area's count of
    ratings, `rated`, is one of the dashboard's older figures.)"""
    rated = Suggestion.objects.filter(rating__isnull=False, rated_at__gte=start, rated_at__lt=end)
    good = Q(rating__gte=SATISFIED_FROM)
    for row in _by_area(rated, "rated_at", SATISFACTION_ONLINE, good):
        if row[0] != SATISFACTION_ONLINE[1]:
            yield row
    good = Q(suggestion__rating__gte=SATISFIED_FROM)
    yield from _by_department(_done_for(rated), "rated_at", SATISFACTION_ONLINE, good)


def _callbacks(start: datetime, end: datetime) -> Iterator[Row]:
    """满意率 by callback (回访): callbacks on the day that reached the rider (and so have a
    satisfaction), and those of 4 or 5. A suggestion has at most one: none is made after an
    online rating or after one that reached the rider (feedback.services.callback_refusal)."""
    reached = Callback.objects.filter(
        satisfaction__isnull=False, created_at__gte=start, created_at__lt=end
    )
    good, whole = Q(satisfaction__gte=SATISFIED_FROM), SATISFACTION_CALLBACK
    for row in (
        reached.annotate(on=TruncDate("created_at"))
        .values("suggestion__area_id", "on")
        .annotate(n=Count("id"), good=Count("id", filter=good))
        .order_by()
    ):
        yield whole[1], row["suggestion__area_id"], row["on"], "", row["n"]
        yield whole[0], row["suggestion__area_id"], row["on"], "", row["good"]
    tasks = Task.objects.filter(state=Task.State.DONE, suggestion__callbacks__in=reached)
    good = Q(suggestion__callbacks__satisfaction__gte=SATISFIED_FROM)
    for row in (
        tasks.annotate(on=TruncDate("suggestion__callbacks__created_at"))
        .values("department_id", "department__area_id", "on")
        .annotate(
            n=Count("suggestion", distinct=True),
            good=Count("suggestion", distinct=True, filter=good),
        )
        .order_by()
    ):
        key, area_id, day = str(row["department_id"]), row["department__area_id"], row["on"]
        yield department(whole[1]), area_id, day, key, row["n"]
        yield department(whole[0]), area_id, day, key, row["good"]


def _done_for(suggestions):
    """The tasks done for these suggestions."""
    return Task.objects.filter(state=Task.State.DONE, suggestion__in=suggestions.values("pk"))


def _by_area(suggestions, moment: str, names: tuple[str, str], good: Q) -> Iterator[Row]:
    """(good, all) suggestions by their area and the day of `moment`."""
    part, whole = names
    for row in (
        suggestions.annotate(on=TruncDate(moment))
        .values("area_id", "on")
        .annotate(n=Count("id"), good=Count("id", filter=good))
        .order_by()
    ):
        yield whole, row["area_id"], row["on"], "", row["n"]
        yield part, row["area_id"], row["on"], "", row["good"]


def _by_department(tasks, moment: str, names: tuple[str, str], good: Q) -> Iterator[Row]:
    """(good, all) suggestions of these tasks, by the day of the suggestion's `moment`, for each
    department: once per department, however many of the tasks it did."""
    part, whole = names
    for row in (
        tasks.annotate(on=TruncDate(f"suggestion__{moment}"))
        .values("department_id", "department__area_id", "on")
        .annotate(
            n=Count("suggestion", distinct=True),
            good=Count("suggestion", distinct=True, filter=good),
        )
        .order_by()
    ):
        key, area_id, day = str(row["department_id"]), row["department__area_id"], row["on"]
        yield department(whole), area_id, day, key, row["n"]
        yield department(part), area_id, day, key, row["good"]


def _by_type(start: datetime, end: datetime) -> Iterator[Row]:
    """Suggestions submitted on the day, by category and sub-type: keyed "hazard" without a
    sub-type, "hazard:12" with sub-type 12."""
    submitted = Suggestion.objects.filter(submitted_at__gte=start, submitted_at__lt=end)
    for row in (
        submitted.annotate(on=TruncDate("submitted_at"))
        .values("area_id", "on", "category", "issue_type_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        key = type_key(row["category"], row["issue_type_id"])
        yield BY_TYPE, row["area_id"], row["on"], key, row["n"]


def type_key(category: str, issue_type_id: int | None) -> str:
    return f"{category}:{issue_type_id}" if issue_type_id else category
