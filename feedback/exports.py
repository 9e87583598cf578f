"""The Excel exports of the loop (诉求清单): the suggestions, the low ratings and reopenings, and
the department tasks (portal.exports), as registry/exports.py has the rosters: the rows of each
list in a user's scope with its filters, which its page shows too, and each export's column
headings and cells."""

from collections.abc import Iterator

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from feedback import ledger
from feedback.filters import SuggestionFilter
from feedback.models import Category, Channel, Department, State, Suggestion, Task
from feedback.selectors import TASK_STATES, visible_tasks
from feedback.task_forms import TaskFilterForm
from portal.exports import Kind, Table, filtered_table, register
from portal.models import Role
from portal.roles import READERS, TASK_READERS

CHUNK = 2000


def _labels(choices) -> dict:
    """{code: label} translated once per export, not once per row (registry.exports)."""
    return {code: str(label) for code, label in choices}


def _moment(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _kind(row, categories: dict) -> tuple[str, str]:
    return categories[row.category], row.issue_type.name if row.issue_type else ""


def register_exports() -> None:
    """From FeedbackConfig.ready(), each for the roles its list is shown to."""
    register(
        "feedback.suggestions",
        Kind(roles=READERS, table=suggestion_table, list_url="feedback:suggestions"),
    )
    register("feedback.ledger", Kind(roles=READERS, table=ledger_table, list_url="feedback:ledger"))
    register(
        "feedback.tasks", Kind(roles=TASK_READERS, table=task_table, list_url="feedback:tasks")
    )


def listed_suggestions(user, query):
    """The filter set of the list of suggestions, and its rows in the user's scope, newest first."""
    filters = SuggestionFilter(query, queryset=Suggestion.objects.in_scope(user), user=user)
    return filters, filters.qs.order_by("-submitted_at", "-id")


def suggestion_table(user, query) -> Table | None:
    """诉求清单: the list as it is filtered, every row, with the submitters' mobiles in full as
    the roster export has them; the access log has it with its filters and row count."""
    filters, rows = listed_suggestions(user, query)
    title = _("Suggestions list")
    return filtered_table(title, filters, rows, suggestion_header(), suggestion_lines)


def suggestion_header() -> list[str]:
    return [
        _("Tracking code"),
        _("Submitted at"),
        _("Category"),
        _("Issue type"),
        _("What was raised"),
        _("Area"),
        _("Station"),
        _("Address or place"),
        _("Channel"),
        _("State"),
        _("Assessed at"),
        _("Departments"),
        _("Resolved at"),
        _("Closed at"),
        _("Reply to the submitter"),
        _("Rating"),
        _("Comment on the outcome"),
        _("Submitter"),
        _("Mobile"),
    ]


def suggestion_lines(suggestions: QuerySet) -> Iterator[list]:
    """The submitter's name and full mobile, as the roster export has them: the export is
    written to the access log with its filters and row count (portal.exports)."""
    categories, channels = _labels(Category.choices), _labels(Channel.choices)
    states = _labels(State.choices)
    tasks = Task.objects.select_related("department").order_by("id")
    rows = suggestions.select_related("area", "station", "issue_type").prefetch_related(
        Prefetch("tasks", queryset=tasks)
    )
    for row in rows.iterator(chunk_size=CHUNK):
        category, issue_type = _kind(row, categories)
        departments = dict.fromkeys(task.department.name for task in row.tasks.all())
        yield [
            row.tracking_code,
            _moment(row.submitted_at),
            category,
            issue_type,
            row.text,
            row.area.name,
            row.station.name if row.station else "",
            row.address,
            channels[row.channel],
            states[row.state],
            _moment(row.assessed_at),
            "、".join(departments),
            _moment(row.resolved_at),
            _moment(row.closed_at),
            row.reply,
            row.rating,
            row.rating_comment,
            row.name,
            row.mobile,
        ]


def listed_tasks(user, query):
    """The task list's state (?state=), its department filter, and its rows."""
    state = query.get("state") if query.get("state") in TASK_STATES else "open"
    visible = visible_tasks(user)
    filters = TaskFilterForm(
        query,
        departments=Department.objects.filter(pk__in=visible.values("department_id"))
        .select_related("area")
        .order_by("name", "id"),
    )
    tasks = visible
    if state == "done":
        tasks = tasks.filter(state=Task.State.DONE).order_by("-done_at", "-id")
    elif state == "returned":
        tasks = tasks.filter(state=Task.State.RETURNED).order_by("-returned_at", "-id")
    elif state == "to_acknowledge":
        tasks = tasks.unacknowledged().order_by("acknowledge_by", "id")
    else:
        tasks = tasks.open().order_by("due_at", "id")
        if state == "overdue":
            tasks = tasks.overdue(timezone.now())
        elif state == "extension":
            tasks = tasks.extension_waiting()
        elif state == "supervised":
            tasks = tasks.supervised_unseen()
    if filters.is_valid() and filters.cleaned_data["department"]:
        tasks = tasks.filter(department=filters.cleaned_data["department"])
    return state, filters, tasks


def task_table(user, query) -> Table | None:
    """The task list as it is filtered, every row."""
    state, filters, tasks = listed_tasks(user, query)
    if filters.errors:
        return None
    title = _("Department tasks")
    return Table(
        title=title,
        description=f"{title} ({_described(user, state, filters)})",
        header=task_header(),
        rows=task_lines(tasks),
        count=tasks.count(),
    )


def _described(user, state: str, filters) -> str:
    """The task export's scope and filters in words, for the access log."""
    if user.role == Role.DEPARTMENT_HANDLER:
        names = "、".join(department.name for department in user.departments.order_by("name"))
        applied = [_("Departments: %(names)s") % {"names": names}]
    else:
        scope = user.area.name if user.area else _("all areas")
        applied = [_("Scope: %(area)s") % {"area": scope}]
    applied.append(f"{_('State')}: {TASK_STATES[state]}")
    if department := filters.cleaned_data.get("department"):
        applied.append(f"{_('Department')}: {department.name}")
    return "; ".join(applied)


def task_header() -> list[str]:
    return [
        _("Department"),
        _("Tracking code"),
        _("Category"),
        _("Issue type"),
        _("Area"),
        _("Instructions"),
        _("Urgency"),
        _("Assigned at"),
        _("Acknowledged at"),
        _("Due at"),
        _("State"),
        _("Overdue"),
        _("Escalated to"),
        _("Done at"),
        _("What was done"),
        _("Why it was returned"),
    ]


def task_lines(tasks: QuerySet) -> Iterator[list]:
    """ "Overdue": done after its deadline, or still open past it."""
    categories, states = _labels(Category.choices), _labels(Task.State.choices)
    yes, no = _("Yes"), _("No")
    now = timezone.now()
    rows = tasks.select_related(
        "department", "urgency", "suggestion__area", "suggestion__issue_type"
    ).prefetch_related("escalations__department", "escalations__area")
    for task in rows.iterator(chunk_size=CHUNK):
        suggestion = task.suggestion
        category, issue_type = _kind(suggestion, categories)
        late = task.state != Task.State.RETURNED and task.due_at < (task.done_at or now)
        escalations = sorted(task.escalations.all(), key=lambda escalation: escalation.level)
        yield [
            task.department.name,
            suggestion.tracking_code,
            category,
            issue_type,
            suggestion.area.name,
            task.instructions,
            task.urgency.name if task.urgency else "",
            _moment(task.created_at),
            _moment(task.acknowledged_at),
            _moment(task.due_at),
            states[task.state],
            yes if late else no,
            "、".join(str(escalation.department or escalation.area) for escalation in escalations),
            _moment(task.done_at),
            task.result,
            task.return_reason,
        ]


def ledger_table(user, query) -> Table | None:
    """差评整改台账: the newest ledger.CAP entries of the period, as the page lists them."""
    filters = ledger.filters_for(user, query)
    if filters.errors:
        return None
    found = ledger.entries(filters)[: ledger.CAP]
    title = _("Low ratings and reopenings")
    return Table(
        title=title,
        description=f"{title} ({filters.describe()})",
        header=ledger_header(),
        rows=ledger_lines(found),
        count=len(found),
    )


def ledger_header() -> list[str]:
    return [
        _("When"),
        _("How they were not satisfied"),
        _("Stars"),
        _("In their words"),
        _("Tracking code"),
        _("Category"),
        _("Issue type"),
        _("Area"),
        _("State"),
        _("Since then"),
        _("What was done since"),
    ]


def ledger_lines(entries) -> Iterator[list]:
    """The entries of feedback.ledger, filled with their suggestions and what followed as the
    file is written (not by a request that only starts a job)."""
    categories, states = _labels(Category.choices), _labels(State.choices)
    for entry in ledger.fill(entries):
        suggestion = entry.suggestion
        category, issue_type = _kind(suggestion, categories)
        yield [
            _moment(entry.at),
            entry.kind_label,
            entry.stars,
            entry.words,
            suggestion.tracking_code,
            category,
            issue_type,
            suggestion.area.name,
            states[suggestion.state],
            entry.progress_label,
            ledger.followed_up(entry),
        ]
