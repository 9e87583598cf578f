"""The Excel exports of the loop (诉求清单): the suggestions and the department tasks, each one's
column headings and the cells of its rows, so an export view only chooses the rows (scope,
filters) and audits, as registry/exports.py does for the rosters."""

from collections.abc import Iterator

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from feedback.models import Category, Channel, State, Task

CHUNK = 2000


def _labels(choices) -> dict:
    """{code: label} translated once per export, not once per row (registry.exports)."""
    return {code: str(label) for code, label in choices}


def _moment(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _kind(row, categories: dict) -> tuple[str, str]:
    return categories[row.category], row.issue_type.name if row.issue_type else ""


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
    written to the access log with its filters and row count (the view)."""
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
    """The entries of feedback.ledger, filled with their suggestions and what followed."""
    from feedback.ledger import followed_up

    categories, states = _labels(Category.choices), _labels(State.choices)
    for entry in entries:
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
            followed_up(entry),
        ]
