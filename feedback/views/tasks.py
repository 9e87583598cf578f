"""任务分解 and 跟踪落实: an accepted suggestion split into department tasks, the handlers' work on
them, and the department tree (N联动).

A handler sees the tasks of their departments and those escalated to them; other staff see the
tasks of the suggestions in their scope. Only the task's own department (or an administrator)
writes notes and marks it done: a department it was escalated to reads it.
"""

from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q
from django.db.models.functions import Length
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from feedback import services
from feedback.models import Department, ResponseTemplate, State, Suggestion, Task
from feedback.services import FeedbackError
from feedback.task_forms import DoneForm, NoteForm, ResolveForm, TaskFilterForm, TaskForm
from portal.models import Role, User
from portal.pagination import CappedPaginator
from portal.permissions import role_required
from portal.scope import get_in_scope_or_404

ASSESSORS = (Role.COMMUNITY_STAFF, Role.ADMINISTRATOR)
TASK_READERS = (Role.DEPARTMENT_HANDLER, Role.COMMUNITY_STAFF, Role.OFFICIAL, Role.ADMINISTRATOR)
TASK_WORKERS = (Role.DEPARTMENT_HANDLER, Role.ADMINISTRATOR)
DEPARTMENT_READERS = (Role.COMMUNITY_STAFF, Role.OFFICIAL, Role.ADMINISTRATOR)
PAGE_SIZE = 50

# ?state= of the task list: open and overdue ones by due date, the oldest first; done ones by
# when they were done, the latest first.
STATES = {
    "open": gettext_lazy("In progress"),
    "overdue": gettext_lazy("Overdue"),
    "done": gettext_lazy("Done"),
}


def visible_tasks(user):
    if user.role == Role.DEPARTMENT_HANDLER:
        return Task.objects.for_handler(user)
    return Task.objects.in_scope(user)


def _form_errors(form) -> str:
    return " ".join(
        f"{form.fields[name].label}: {error}" if name in form.fields else error
        for name, errors in form.errors.items()
        for error in errors
    )


# The suggestion page's part


def task_panel(request, suggestion) -> dict:
    """What the suggestion page's task section (templates/feedback/_tasks.html) needs. Once every
    task is done, the resolve form: its reply is what staff write, from a response template only
    once they pick one (?template=), never the departments' results."""
    tasks = list(suggestion.tasks.select_related("department", "done_by"))
    panel = {"suggestion_tasks": tasks}
    if request.user.role in ASSESSORS and suggestion.state == State.ACCEPTED:
        panel["add_task_form"] = TaskForm(suggestion=suggestion)
        if tasks and all(task.state == Task.State.DONE for task in tasks):
            templates = list(
                ResponseTemplate.objects.for_suggestion(suggestion).filter(state=State.RESOLVED)
            )
            chosen = request.GET.get("template", "")
            reply = next((t.text for t in templates if str(t.pk) == chosen), "")
            panel["resolve_form"] = ResolveForm(
                initial={"reply": reply, "version": suggestion.version}
            )
            panel["resolve_templates"] = templates
    return panel


def _suggestion(request, pk) -> Suggestion:
    return get_in_scope_or_404(Suggestion.objects.select_related("area"), request.user, pk=pk)


@require_POST
@role_required(*ASSESSORS)
def add_task(request, pk):
    suggestion = _suggestion(request, pk)
    form = TaskForm(request.POST, suggestion=suggestion)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect("feedback:suggestion", suggestion.pk)
    department = form.cleaned_data["department"]
    try:
        task = services.add_task(
            suggestion,
            department,
            instructions=form.cleaned_data["instructions"],
            due_on=form.due_on(),
            by=request.user,
        )
    except FeedbackError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Task for %(department)s added, due %(date)s.")
            % {"department": department.name, "date": task.due_on.isoformat()},
        )
    return redirect("feedback:suggestion", suggestion.pk)


@require_POST
@role_required(*ASSESSORS)
def resolve(request, pk):
    suggestion = _suggestion(request, pk)
    form = ResolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect("feedback:suggestion", suggestion.pk)
    try:
        services.resolve(
            suggestion,
            version=form.cleaned_data["version"],
            reply=form.cleaned_data["reply"],
            publish_results=form.cleaned_data["publish_results"],
            by=request.user,
        )
    except FeedbackError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Resolved. The submitter can read the reply and rate it."))
    return redirect("feedback:suggestion", suggestion.pk)


# The handlers' pages


@role_required(*TASK_READERS)
def task_list(request):
    today = timezone.localdate()
    state = request.GET.get("state") if request.GET.get("state") in STATES else "open"
    visible = visible_tasks(request.user)
    filters = TaskFilterForm(
        request.GET,
        departments=Department.objects.filter(pk__in=visible.values("department_id"))
        .select_related("area")
        .order_by("name", "id"),
    )
    tasks = visible.select_related("department", "suggestion__area").prefetch_related("escalations")
    if state == "done":
        tasks = tasks.filter(state=Task.State.DONE).order_by("-done_at", "-id")
    else:
        tasks = tasks.open().order_by("due_on", "id")
        if state == "overdue":
            tasks = tasks.filter(due_on__lt=today)
    if filters.is_valid() and filters.cleaned_data["department"]:
        tasks = tasks.filter(department=filters.cleaned_data["department"])
    page = CappedPaginator(tasks, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "feedback/task_list.html",
        {
            "page": page,
            "state": state,
            "states": STATES.items(),
            "filters": filters,
            "can_read_departments": request.user.role in DEPARTMENT_READERS,
        },
    )


def _task(request, pk) -> Task:
    return get_object_or_404(
        visible_tasks(request.user).select_related(
            "department", "suggestion__area", "suggestion__station", "done_by"
        ),
        pk=pk,
    )


def _may_work(user, task) -> bool:
    if user.role == Role.ADMINISTRATOR:
        return True
    return user.role == Role.DEPARTMENT_HANDLER and task.department.handlers.contains(user)


@role_required(*TASK_READERS)
def task_detail(request, pk):
    task = _task(request, pk)
    may_work = task.state == Task.State.OPEN and _may_work(request.user, task)
    return render(
        request,
        "feedback/task_detail.html",
        {
            "task": task,
            "suggestion": task.suggestion,
            "photos": task.suggestion.photos.filter(hidden=False),
            "events": task.events.select_related("actor"),
            "escalations": task.escalations.select_related("department", "area").order_by("level"),
            "note_form": NoteForm() if may_work else None,
            "done_form": DoneForm() if may_work else None,
        },
    )


def _work(request, pk, form_class, change, done_message):
    """Run one handler's change on a task of their own department and say how it went."""
    task = _task(request, pk)
    if not _may_work(request.user, task):
        raise PermissionDenied
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect("feedback:task", task.pk)
    try:
        change(task, form.cleaned_data)
    except FeedbackError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done_message)
    return redirect("feedback:task", task.pk)


@require_POST
@role_required(*TASK_WORKERS)
def task_note(request, pk):
    return _work(
        request,
        pk,
        NoteForm,
        lambda task, data: services.add_note(task, data["text"], by=request.user),
        _("Added the progress note."),
    )


@require_POST
@role_required(*TASK_WORKERS)
def task_done(request, pk):
    return _work(
        request,
        pk,
        DoneForm,
        lambda task, data: services.complete_task(task, result=data["result"], by=request.user),
        _("Marked as done. Staff will write the reply to the submitter."),
    )


# The department tree


@dataclass
class Branch:
    department: Department
    children: list["Branch"] = field(default_factory=list)


def _serving(user):
    """Departments that serve the user's area: those within it and those of the areas above."""
    if user.area is None:
        return Department.objects.all()
    return Department.objects.filter(
        Q(area__path__startswith=user.area.path) | Q(area_id__in=user.area.path_ids())
    )


def _tree(departments) -> list[Branch]:
    """Parents before children; a department whose parent is not shown starts a tree of its own."""
    branches = {department.pk: Branch(department) for department in departments}
    roots = []
    for branch in branches.values():
        parent = branches.get(branch.department.parent_id)
        (parent.children if parent else roots).append(branch)
    return roots


@role_required(*DEPARTMENT_READERS)
def departments(request):
    in_scope = Q(tasks__state=Task.State.OPEN)
    if request.user.area is not None:
        in_scope &= Q(tasks__suggestion__area__path__startswith=request.user.area.path)
    rows = (
        _serving(request.user)
        .select_related("area")
        .prefetch_related(
            Prefetch("handlers", queryset=User.objects.filter(is_active=True).order_by("name"))
        )
        .annotate(
            open_tasks=Count("tasks", filter=in_scope),
            overdue_tasks=Count(
                "tasks", filter=in_scope & Q(tasks__due_on__lt=timezone.localdate())
            ),
        )
        .order_by(Length("area__path"), "name", "id")
    )
    return render(request, "feedback/task_departments.html", {"tree": _tree(rows)})


def open_task_count(user) -> int | None:
    """The navigation badge: a handler's open tasks. Other staff meet tasks on the suggestions
    they assess, and their pages spend no query on it."""
    if user.role != Role.DEPARTMENT_HANDLER:
        return None
    return Task.objects.for_handler(user).open().count()
