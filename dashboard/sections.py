"""The dashboard's sections and their columns: one list that the page's tables and the Excel
export's sheets are both drawn from."""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dashboard import rates
from dashboard.figures import ACTIVE_VOLUNTEER_DAYS
from dashboard.summary import Figures, Period
from feedback.models import Category, State
from registry.models import Occupation, Platform
from stations.models import StationKind

COUNT, PERCENT, DECIMAL = "count", "percent", "decimal"
# A `dashboard.summary.Rate`: shown as a percentage with its two counts.
RATE = "rate"


@dataclass(frozen=True)
class Column:
    label: Promise
    value: Callable[[Figures, Period], int | float | None]
    format: str = COUNT


@dataclass(frozen=True)
class Section:
    slug: str
    title: Promise
    sheet: Promise  # the export's sheet name: short, and none of : \\ / ? * [ ]
    columns: list[Column]
    note: Promise | str = ""
    # (term, what it means) printed under the table, for figures that need their rule spelt out
    definitions: tuple[tuple[Promise, Promise], ...] = ()


def now(name, *keys):
    return lambda figures, period: figures.total(figures.now, name, *keys)


def during(name, *keys):
    return lambda figures, period: figures.total(figures.period, name, *keys)


def breakdown(name, choices) -> list[Column]:
    return [Column(choice.label, now(name, choice.value)) for choice in choices]


def per_day(name, key):
    return lambda figures, period: figures.total(figures.period, name, key) / period.days


def rate(names):
    return lambda figures, period: figures.rate(names)


def category(value):
    return lambda figures, period: figures.by_prefix(rates.BY_TYPE, value)


# The rates officials judge departments and areas by: the summary's section, the rates page's
# tables by area and by department, and the ranking all show these columns.
RATE_COLUMNS = [
    Column(_("Response rate"), rate(rates.RESPONSE), RATE),
    Column(_("On-time rate"), rate(rates.ON_TIME), RATE),
    Column(_("Resolution rate"), rate(rates.RESOLUTION), RATE),
    Column(_("Satisfaction, online"), rate(rates.SATISFACTION_ONLINE), RATE),
    Column(_("Satisfaction, callbacks"), rate(rates.SATISFACTION_CALLBACK), RATE),
    Column(_("Returns"), during(rates.RETURNS)),
    Column(_("Extensions asked"), during(rates.EXTENSIONS)),
    Column(_("Extensions approved"), during(rates.EXTENSIONS_APPROVED)),
    Column(_("Supervision notices"), during(rates.SUPERVISIONS)),
]

RATE_DEFINITIONS = (
    (
        _("Response rate (响应率)"),
        _(
            "Tasks a handler of the department acknowledged (签收) within the time allowed, out "
            "of the tasks whose time to acknowledge ended in the period. A task counts on the "
            "day that time ends, once it has ended or the task was acknowledged."
        ),
    ),
    (
        _("On-time rate (按时办结率)"),
        _(
            "Tasks done by their deadline, out of the tasks due in the period. A task counts in "
            "the period its deadline falls in, once the deadline has passed or the task is done. "
            "After an approved extension (延期) the new deadline is the one that counts."
        ),
    ),
    (
        _("Returned tasks (退单)"),
        _(
            "Tasks a department returned as not its own, on the day it returned them. A returned "
            "task counts in none of the returning department's rates; the department it is "
            "passed to next is judged on it."
        ),
    ),
    (
        _("Resolution rate (解决率)"),
        _(
            "Suggestions closed in the period that were resolved and never reopened, out of all "
            "closed in the period. Closed: rated by the rider, called back, or closed unrated "
            "when the days for rating passed, and also closed by staff with a reply when no "
            "department would take it (which counts as not resolved); suggestions not taken "
            "up, duplicates and merged ones are not counted. Reopened: the rider said it was not "
            "solved, which sent it back to assessment."
        ),
    ),
    (
        _("Satisfaction rate (满意率)"),
        _(
            "Ratings of 4 or 5 out of 5, out of all ratings given in the period: online by the "
            "rider, and given to staff on a callback (回访) that reached the rider, shown apart."
        ),
    ),
    (
        _("Extensions (延期) and supervision notices (督办)"),
        _(
            "Requests for more time made in the period, those of them approved, and "
            "supervision notices sent in the period."
        ),
    ),
    (
        _("Areas and departments"),
        _(
            "An area counts the tasks and suggestions about matters in it (the suggestion's "
            "area). A department counts the tasks it was given, and the closed and rated "
            "suggestions it did a task for, in its own area and every area above it."
        ),
    ),
)

# The definition printed wherever new registrations are shown (and in docs/DEPLOYMENT.md).
NEW_REGISTRATIONS = _(
    "New: records registered in the period, counted with the community they registered with; a "
    "worker who moves later stays counted there, so a past period's figures never change."
)

SECTIONS = [
    Section(
        "workers",
        _("Workers registered"),
        _("Workers"),
        [
            Column(_("Registered"), lambda f, p: f.registered()),
            Column(_("New in the period"), during("registered")),
            Column(_("Waiting for confirmation"), now("workers", "pending")),
            Column(_("Left or moved away"), now("workers", "left")),
        ],
        format_lazy(
            "{registered} {new}",
            registered=_(
                "Registered, waiting and left: as of the last count. Registered: confirmed and "
                "waiting for confirmation, not those who left."
            ),
            new=NEW_REGISTRATIONS,
        ),
    ),
    Section(
        "occupations",
        _("Registered workers by occupation"),
        _("Occupations"),
        breakdown("occupation", Occupation),
    ),
    Section(
        "platforms",
        _("Registered workers by platform"),
        _("Platforms"),
        breakdown("platform", Platform),
    ),
    Section(
        "party",
        pgettext_lazy("dashboard", "Party members"),
        pgettext_lazy("dashboard", "Party members"),
        [
            Column(pgettext_lazy("dashboard", "Party members"), now("party", "members")),
            Column(_("Reported to the community"), now("party", "reported")),
            Column(_("Share reported"), lambda f, p: f.reported_share(), PERCENT),
            Column(_("Mobile party members"), now("party", "mobile")),
            Column(_("Mobile members reported"), now("party", "mobile_reported")),
        ],
        _(
            "Full and probationary members who have not left; reported: checked in as a party "
            "member at least once (双报到)."
        ),
    ),
    Section(
        "coverage",
        _("Two coverages: enterprises"),
        _("Coverage"),
        [
            Column(_("Enterprises"), now("enterprises", "total")),
            Column(_("With a party organisation"), now("enterprises", "covered")),
            Column(_("Coverage rate"), lambda f, p: f.coverage(), PERCENT),
        ],
    ),
    Section(
        "care",
        _("Care visits (三必访)"),
        _("Care visits"),
        [
            Column(_("Visits due"), now("care", "open")),
            Column(_("Of which overdue"), now("care", "overdue")),
        ],
    ),
    Section(
        "stations",
        _("Stations"),
        _("Stations"),
        [
            Column(_("Stations"), now("stations")),
            Column(_("Check-ins in the period"), during("checkins")),
            Column(_("Check-ins per day"), lambda f, p: f.visits_per_day(p.days), DECIMAL),
            Column(_("Standard compliance"), lambda f, p: f.compliance(), PERCENT),
        ],
        _("Compliance: the items of the station standard that the stations have, out of all."),
    ),
    Section(
        "station_kinds",
        _("Stations by kind"),
        _("Station kinds"),
        breakdown("stations", StationKind),
    ),
    Section(
        "kind_checkins",
        _("Check-ins per day by kind of station"),
        _("Check-ins by kind"),
        [Column(kind.label, per_day("checkins", kind.value), DECIMAL) for kind in StationKind],
        _("Riders' check-ins at the stations of each kind in the period, divided by its days."),
    ),
    Section(
        "funnel",
        _("Suggestions in the period: collect → assess → tasks → follow-through"),
        _("Suggestion loop"),
        [
            Column(_("Collected"), during("submitted")),
            Column(_("Assessed"), during("assessed")),
            Column(_("Tasks assigned"), during("tasks_assigned")),
            Column(_("Tasks done"), during("tasks_done")),
            Column(_("Resolved"), during("resolved")),
            Column(_("Median days to resolve"), lambda f, p: f.median_days_to_close(), DECIMAL),
            Column(_("Ratings"), during("rated")),
            Column(_("Satisfaction (1–5)"), lambda f, p: f.satisfaction(), DECIMAL),
        ],
        _(
            "Each step counted on the day it happened. Days to resolve: whole days from "
            "submission to resolution, of those resolved in the period."
        ),
    ),
    Section(
        "rates",
        _("Rates of the suggestion loop in the period"),
        _("Rates"),
        RATE_COLUMNS,
        definitions=RATE_DEFINITIONS,
    ),
    Section(
        "categories",
        _("Suggestions collected in the period, by category"),
        _("Categories"),
        [Column(choice.label, category(choice.value)) for choice in Category],
    ),
    Section(
        "states",
        _("Suggestions now, by state"),
        _("Suggestion states"),
        [
            *breakdown(
                "suggestions",
                [State.SUBMITTED, State.ACCEPTED, State.RESOLVED, State.CLOSED, State.REJECTED],
            ),
            Column(_("Duplicate or merged"), now("suggestions", State.DUPLICATE, State.MERGED)),
            Column(_("Overdue tasks"), now("overdue_tasks")),
        ],
    ),
    Section(
        "points",
        _("Points and volunteers"),
        _("Points"),
        [
            Column(_("Points earned in the period"), during("points_earned")),
            Column(_("Points redeemed in the period"), during("points_spent")),
            Column(_("Volunteer team members"), now("volunteers", "members")),
            Column(_("Active volunteers"), now("volunteers", "active")),
        ],
        format_lazy(
            _(
                "Redeemed: points spent in the 积分超市, less refunds. Active volunteers: "
                "attended an activity in the last {days} days."
            ),
            days=ACTIVE_VOLUNTEER_DAYS,
        ),
    ),
]


# The figures over the tables, for the area as a whole: what happened in the period, then how
# things stand now (the page and the export say which is which).
HEADLINE_PERIOD = [
    Column(_("New registrations"), during("registered")),
    Column(_("Station check-ins"), during("checkins")),
    Column(_("Suggestions collected"), during("submitted")),
    Column(_("Suggestions resolved"), during("resolved")),
]
HEADLINE_NOW = [
    Column(_("Registered workers"), lambda f, p: f.registered()),
    Column(pgettext_lazy("dashboard", "Party members"), now("party", "members")),
    Column(_("Enterprise coverage"), lambda f, p: f.coverage(), PERCENT),
    Column(_("Open suggestions"), now("suggestions", State.SUBMITTED, State.ACCEPTED)),
    Column(_("Overdue tasks"), now("overdue_tasks")),
]


def cells(columns: list[Column], figures: Figures, period: Period) -> list[tuple]:
    """(value, format) of each column."""
    return [(column.value(figures, period), column.format) for column in columns]


@dataclass
class Table:
    """A section drawn for one summary: a row per child area, and the total."""

    section: Section
    rows: list[tuple]  # (child area, or None for the area's own share; cells)
    total: list[tuple]


def tables(summary, slugs: list[str] | None = None) -> list[Table]:
    """The sections (or those named) drawn for the summary."""
    period = summary.period
    return [
        Table(
            section,
            [
                (area, row)
                for area, figures in summary.rows
                if (row := cells(section.columns, figures, period))
                and (area is not None or any(value for value, _kind in row))
            ],
            cells(section.columns, summary.total, period),
        )
        for section in SECTIONS
        if slugs is None or section.slug in slugs
    ]


def headline(summary, columns: list[Column]) -> list[tuple]:
    """(label, value, format) of headline figures."""
    return [
        (column.label, value, kind)
        for column, (value, kind) in zip(
            columns, cells(columns, summary.total, summary.period), strict=True
        )
    ]
