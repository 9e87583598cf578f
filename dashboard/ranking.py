"""Reading the rates for officials: by department for an area, and the monthly ranking of the
departments and streets in their scope. Like `Summary`, a fixed handful of queries on the stored
figures, whatever the size of the data."""

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property

from django.db.models import CharField
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from dashboard import rates
from dashboard.models import Figure
from dashboard.sections import RATE_COLUMNS, Column, cells
from dashboard.spans import month_start, next_month
from dashboard.summary import Figures, Period, Rate, period_sums
from feedback.models import Category, Department, IssueType
from portal.models import Area, AreaLevel

# What the ranking orders by: the rates' columns, by a short name for the address.
RANK_BY = {
    "on_time": RATE_COLUMNS[1],
    "response": RATE_COLUMNS[0],
    "resolution": RATE_COLUMNS[2],
    "satisfaction": RATE_COLUMNS[3],
    "callbacks": RATE_COLUMNS[4],
}
DEFAULT_RANK_BY = "on_time"
# How many months back the ranking offers.
RANKING_MONTHS = 24


def department_figures(area: Area | None, period: Period) -> dict[int, Figures]:
    """The period's figures of every department in `area` (and under it), by department id: one
    query, through the index of the departments' rows alone. The stored names lose their `dept:`
    prefix, so the area's columns read them."""
    by_department: dict[int, Figures] = {}
    rows = Figure.objects.filter(name__startswith=rates.DEPARTMENT)
    if area is not None:
        departments = Department.objects.within(area).annotate(key=Cast("pk", CharField()))
        rows = rows.filter(key__in=departments.values("key"))
    for key, name, value in period_sums(rows, period.start, period.end, "key", "name"):
        figures = by_department.setdefault(int(key), Figures())
        figures.period[name.removeprefix(rates.DEPARTMENT)][""] = value
    return by_department


def street_figures(area: Area | None, period: Period) -> dict[int, Figures]:
    """The period's rate figures of every street in `area` (or the area itself if it is a
    street), by area id: one query."""
    by_street: dict[int, Figures] = {}
    rows = Figure.objects.filter(area__in=streets_of(area), name__in=rates.NAMES)
    for area_id, name, value in period_sums(rows, period.start, period.end, "area_id", "name"):
        by_street.setdefault(area_id, Figures()).period[name][""] = value
    return by_street


def streets_of(area: Area | None):
    streets = Area.objects.filter(level=AreaLevel.STREET)
    return streets.within(area) if area is not None else streets


@dataclass
class Row:
    """A department or a street, its figures' cells, and its place in the ranking (None when it
    had nothing to rank by)."""

    subject: Department | Area
    cells: list[tuple]
    rank: int | None = None


def by_department(area: Area | None, period: Period) -> list[Row]:
    """The departments that had anything counted in the period, by area then name."""
    figures = department_figures(area, period)
    departments = Department.objects.filter(pk__in=list(figures)).select_related("area")
    return [
        Row(department, cells(RATE_COLUMNS, figures[department.pk], period))
        for department in sorted(departments, key=lambda d: (len(d.area.path), d.area.code, d.name))
    ]


def ranked(rows: list[Row], by: str) -> list[Row]:
    """Rows ordered by the rate `by`, best first; equal rates share a place (1, 2, 2, 4); more
    tasks or ratings come first among equals. Rows with nothing to rate by come last, unranked."""
    position = RATE_COLUMNS.index(RANK_BY[by])

    def rate(row: Row) -> Rate:
        return row.cells[position][0]

    rankable = [row for row in rows if rate(row).whole]
    rankable.sort(key=lambda row: (-rate(row).value, -rate(row).whole, str(row.subject)))
    previous = None
    for place, row in enumerate(rankable, start=1):
        value = rate(row).value
        row.rank = previous.rank if previous and rate(previous).value == value else place
        previous = row
    rest = sorted((row for row in rows if not rate(row).whole), key=lambda r: str(r.subject))
    return rankable + rest


def month_choices(today: date) -> list[tuple[str, str]]:
    """("2026-11", "2026-11") for this month and the RANKING_MONTHS - 1 before it."""
    months, month = [], month_start(today)
    for _n in range(RANKING_MONTHS):
        months.append((f"{month:%Y-%m}", f"{month:%Y-%m}"))
        month = month_start(month - timedelta(days=1))
    return months


def month_period(month: date, today: date) -> Period:
    """The month, up to today if it is this month."""
    return Period(month, min(next_month(month) - timedelta(days=1), today))


@dataclass
class Ranking:
    """The ranking of one month for `area`: departments and streets."""

    area: Area | None
    period: Period
    by: str = DEFAULT_RANK_BY

    @property
    def column(self) -> Column:
        return RANK_BY[self.by]

    @property
    def columns(self) -> list[Column]:
        """The rate ranked by first, beside the names (all a phone shows without scrolling), then
        the others."""
        return [self.column, *(column for column in RATE_COLUMNS if column != self.column)]

    def _arranged(self, rows: list[Row]) -> list[Row]:
        position = RATE_COLUMNS.index(self.column)
        rows = ranked(rows, self.by)
        for row in rows:
            row.cells = [row.cells[position], *row.cells[:position], *row.cells[position + 1 :]]
        return rows

    @cached_property
    def departments(self) -> list[Row]:
        return self._arranged(by_department(self.area, self.period))

    @cached_property
    def streets(self) -> list[Row]:
        figures = street_figures(self.area, self.period)
        streets = Area.objects.filter(pk__in=list(figures)).select_related("parent")
        rows = [
            Row(street, cells(RATE_COLUMNS, figures[street.pk], self.period)) for street in streets
        ]
        return self._arranged(rows)


def by_category(figures: Figures) -> list[tuple]:
    """(label, count, share of all, sub-types as [(label, count, share)]) of the suggestions
    collected in the period, by category, most first; under a category, its sub-types most
    first and then those filed without one. One query, for the sub-types' names."""
    counts = figures.period.get(rates.BY_TYPE, Counter())
    everything = sum(counts.values())

    def share(n):
        return n / everything if everything else None

    type_ids = [int(key.split(":")[1]) for key, n in counts.items() if ":" in key and n]
    names = dict(IssueType.objects.filter(pk__in=type_ids).values_list("pk", "name"))
    rows = []
    for choice in Category:
        n = figures.by_prefix(rates.BY_TYPE, choice.value)
        types = [
            (names.get(int(key.split(":")[1]), "?"), count, share(count))
            for key, count in counts.items()
            if key.startswith(f"{choice.value}:") and count
        ]
        types.sort(key=lambda row: (-row[1], row[0]))
        if types and counts[choice.value]:
            types.append((_("No sub-type"), counts[choice.value], share(counts[choice.value])))
        rows.append((choice.label, n, share(n), types))
    rows.sort(key=lambda row: -row[1])
    return rows
