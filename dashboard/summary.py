"""Reading the stored figures for one area, its children and a period, in a fixed handful of
queries whatever the size of the data: the page and the Excel export both read a `Summary`, so
they show the same numbers."""

from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dashboard.models import Figure, Refresh, Span
from dashboard.rates import DEPARTMENT
from dashboard.spans import spans, week_start
from feedback.models import Department
from portal.models import Area

# The trend charts cover the period with a bar a day up to this many days, else a bar a week.
DAILY_BARS_UP_TO = 62
# The trend charts: daily figure, and what the chart is called.
TRENDS = {
    "registered": _("Registrations"),
    "checkins": _("Station check-ins"),
    "submitted": _("Suggestions collected"),
    "resolved": _("Suggestions resolved"),
}


@dataclass(frozen=True)
class Period:
    """Local days from `start` to `end`, both included."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


class Figures:
    """The figures of one area: `now` as of the last refresh, and sums over the period, each
    {name: Counter(key → value)}."""

    PARTS = ("now", "period")

    def __init__(self):
        self.now = defaultdict(Counter)
        self.period = defaultdict(Counter)

    def add(self, other: "Figures", sign: int = 1) -> None:
        for part in self.PARTS:
            mine = getattr(self, part)
            for name, counter in getattr(other, part).items():
                mine[name].update({key: sign * value for key, value in counter.items()})

    def without(self, others: list["Figures"]) -> "Figures":
        """What is left of these figures once the others' are taken away."""
        rest = Figures()
        rest.add(self)
        for other in others:
            rest.add(other, sign=-1)
        for part in self.PARTS:
            for name, counter in getattr(rest, part).items():
                getattr(rest, part)[name] = +counter  # drops the zeros
        return rest

    def is_empty(self) -> bool:
        return not any(counter for part in self.PARTS for counter in getattr(self, part).values())

    @staticmethod
    def total(counters, name, *keys) -> int:
        counter = counters.get(name, Counter())
        return sum(counter[key] for key in keys) if keys else sum(counter.values())

    # The derived figures the dashboard shows.

    def registered(self) -> int:
        return self.total(self.now, "workers", "pending", "confirmed")

    def coverage(self) -> float | None:
        return ratio(
            self.total(self.now, "enterprises", "covered"),
            self.total(self.now, "enterprises", "total"),
        )

    def compliance(self) -> float | None:
        return ratio(
            self.total(self.now, "standard", "met"), self.total(self.now, "standard", "possible")
        )

    def reported_share(self) -> float | None:
        return ratio(
            self.total(self.now, "party", "reported"), self.total(self.now, "party", "members")
        )

    def median_days_to_close(self) -> float | None:
        return median_of_histogram(self.period.get("resolved", Counter()))

    def satisfaction(self) -> float | None:
        return ratio(self.total(self.period, "rating_sum"), self.total(self.period, "rated"))

    def visits_per_day(self, days: int) -> float:
        return self.total(self.period, "checkins") / days

    def rate(self, names: tuple[str, str]) -> "Rate":
        """A rate of the period from its two counts, (numerator, denominator)."""
        part, whole = names
        return Rate(self.total(self.period, part), self.total(self.period, whole))

    def by_prefix(self, name: str, prefix: str) -> int:
        """The period's `name` over the keys that start with `prefix` (a category and its
        sub-types)."""
        counter = self.period.get(name, Counter())
        return sum(n for key, n in counter.items() if key == prefix or key.startswith(f"{prefix}:"))


@dataclass(frozen=True)
class Rate:
    """A share shown with what it is made of: `part` of `whole` (e.g. 17 of 20 tasks done on
    time). Rates are stored as their two counts and divided only when read, so a month's rate is
    the month's part over the month's whole, never an average of daily rates."""

    part: int
    whole: int

    @property
    def value(self) -> float | None:
        return ratio(self.part, self.whole)

    def __bool__(self) -> bool:
        return bool(self.whole or self.part)


def period_sums(rows: QuerySet, start: date, end: date, *fields: str) -> Iterator[tuple]:
    """(*fields, value) of `rows` summed over the days from `start` to `end`, from the stored
    months, weeks and days that add up to them: one query, a part for each span, so that each
    part finds its rows by (span, day) in the index instead of reading every day ever stored and
    keeping the period's (a province's year read ten times the rows it needed)."""
    parts = [
        rows.filter(span=span, day__in=days)
        .values_list(*fields)
        .annotate(total=Sum("value"))
        .order_by()
        for span, days in spans(start, end).items()
        if days
    ]
    totals: Counter = Counter()
    for *group, total in parts[0].union(*parts[1:], all=True):
        totals[tuple(group)] += total
    return ((*group, total) for group, total in totals.items() if total)


def ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def median_of_histogram(counts: Counter) -> float | None:
    """The median of values given as {value as text: how many}."""
    values = sorted((int(key), n) for key, n in counts.items() if n > 0)
    total = sum(n for _value, n in values)
    if not total:
        return None
    middle = [(total - 1) // 2, total // 2]  # positions, 0-based; equal when total is odd
    found, seen = [], 0
    for value, n in values:
        while middle and middle[0] < seen + n:
            found.append(value)
            middle.pop(0)
        seen += n
    return sum(found) / 2


@dataclass
class Summary:
    """The dashboard of `area` (None: everywhere, for an administrator without an area)."""

    area: Area | None
    period: Period
    today: date = field(default_factory=timezone.localdate)

    @cached_property
    def children(self) -> list[Area]:
        children = Area.objects.filter(parent=self.area).order_by("code")
        return list(children)

    @cached_property
    def refreshed(self) -> Refresh | None:
        return Refresh.objects.order_by("-started_at", "-id").first()

    @cached_property
    def by_area(self) -> dict[int, Figures]:
        """Figures of the area and each child, by area id: two queries."""
        ids = [child.pk for child in self.children] + ([self.area.pk] if self.area else [])
        figures = {area_id: Figures() for area_id in ids}
        for area_id, name, key, value in Figure.objects.filter(
            area_id__in=ids, span=Span.NOW
        ).values_list("area_id", "name", "key", "value"):
            figures[area_id].now[name][key] = value
        rows = Figure.objects.filter(area_id__in=ids).exclude(
            name__startswith=DEPARTMENT  # the rates page reads those (dashboard.ranking)
        )
        start, end = self.period.start, self.period.end
        for area_id, name, key, value in period_sums(rows, start, end, "area_id", "name", "key"):
            figures[area_id].period[name][key] = value
        return figures

    @cached_property
    def total(self) -> Figures:
        if self.area is not None:
            return self.by_area[self.area.pk]
        everywhere = Figures()
        for child in self.children:
            everywhere.add(self.by_area[child.pk])
        return everywhere

    @cached_property
    def rows(self) -> list[tuple[Area | None, Figures]]:
        """Each child's figures, then what belongs to the area itself rather than to a child
        (e.g. a station a street runs), if anything does."""
        rows = [(child, self.by_area[child.pk]) for child in self.children]
        if self.area is not None and rows:
            own = self.total.without([figures for _child, figures in rows])
            if not own.is_empty():
                rows.append((None, own))
        return rows

    @property
    def by_week(self) -> bool:
        """Whether the trend charts have a bar a week (a long period) rather than a day."""
        return self.period.days > DAILY_BARS_UP_TO

    @cached_property
    def bars(self) -> list[date]:
        """The first day of each bar of the trend charts, oldest first: every day of the period,
        or for a long one each week's Monday (the first bar starts with the period instead)."""
        start = self.period.start
        if not self.by_week:
            return [start + timedelta(days=n) for n in range(self.period.days)]
        mondays = range((week_start(start) - start).days + 7, self.period.days, 7)
        return [start, *(start + timedelta(days=n) for n in mondays)]

    @cached_property
    def trends(self) -> dict[str, list[int]]:
        """The trend figures summed for each bar, one query: stored weeks where a whole week
        lies in the period, stored days elsewhere."""
        start, end = self.period.start, self.period.end
        rows = Figure.objects.filter(name__in=list(TRENDS))
        rows = rows.filter(area=self.area) if self.area else rows.filter(area__in=self.children)
        days = Q(span=Span.DAY, day__gte=start, day__lte=end)
        first_monday = week_start(start - timedelta(days=1)) + timedelta(days=7)
        last_monday = week_start(end + timedelta(days=1)) - timedelta(days=7)
        if self.by_week and first_monday <= last_monday:
            whole_weeks = Q(day__gte=first_monday, day__lt=last_monday + timedelta(days=7))
            days = (days & ~whole_weeks) | Q(span=Span.WEEK, day__gte=first_monday) & Q(
                day__lte=last_monday
            )
        bar_of = {day: i for i, day in enumerate(self.bars)}
        series = {name: [0] * len(self.bars) for name in TRENDS}
        for name, day, value in (
            rows.filter(days)
            .values_list("name", "day")
            .annotate(value=Sum("value"))
            .values_list("name", "day", "value")
        ):
            bar = bar_of[day] if not self.by_week else bar_of.get(week_start(day), 0)
            series[name][bar] += value
        return series

    @cached_property
    def departments(self) -> list[tuple[str, int]]:
        """Departments with overdue tasks in the area, most overdue first."""
        overdue = self.total.now.get("overdue_tasks", Counter())
        names = dict(
            Department.objects.filter(pk__in=[int(key) for key in overdue]).values_list(
                "pk", "name"
            )
        )
        return sorted(
            ((names.get(int(key), "?"), n) for key, n in overdue.items() if n),
            key=lambda pair: (-pair[1], pair[0]),
        )
