"""任务分解 and 跟踪落实: an accepted suggestion split into department tasks, the handlers' work on
them, and the department tree (N联动).

A handler sees the tasks of their departments and those escalated to them; other staff see the
tasks of the suggestions in their scope. Only the task's own department (or an administrator)
writes notes and marks it done: a department it was escalated to reads it.
"""

from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce, Length
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from feedback import services
from feedback.calendar import moment_text
from feedback.exports import listed_tasks
from feedback.models import (
    Department,
    ResponseTemplate,
    State,
    Suggestion,
    Task,
    TaskExtension,
    TaskPhoto,
    TaskSupervision,
)
from feedback.selectors import TASK_STATES, visible_tasks
from feedback.services.desk import limit_of
from feedback.task_forms import (
    CloseReturnedForm,
    DecisionForm,
    DoneForm,
    ExtensionForm,
    NoteForm,
    ResolveForm,
    ReturnForm,
    SupervisionForm,
    TaskForm,
)
from portal import export_views
from portal.errors import flash_refusal
from portal.models import Role, User
from portal.pagination import CappedPaginator
from portal.permissions import role_required
from portal.roles import KEEPERS, READERS, TASK_READERS, TASK_WORKERS
from portal.scope import get_in_scope_or_404

PAGE_SIZE = 50


def _count(model, field: str, **conditions):
    """How many `model` rows point at the row (`field`), as a subquery: no join multiplies."""
    rows = model.objects.filter(**{field: OuterRef("pk")}, **conditions).order_by()
    counted = rows.values(field).annotate(n=Count("id")).values("n")
    return Coalesce(Subquery(counted), 0)


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
    tasks = list(
        suggestion.tasks.select_related("department", "done_by", "urgency").prefetch_related(
            Prefetch("extensions", queryset=TaskExtension.objects.filter(approved__isnull=True)),
            Prefetch("photos", queryset=TaskPhoto.objects.filter(hidden=False)),
        )
    )
    returned = [task for task in tasks if task.state == Task.State.RETURNED]
    panel = {"suggestion_tasks": tasks, "returns": len(returned)}
    if request.user.role in KEEPERS and suggestion.state == State.ACCEPTED:
        panel["add_task_form"] = TaskForm(suggestion=suggestion)
        if returned and not any(task.state == Task.State.OPEN for task in tasks):
            panel["close_form"] = CloseReturnedForm(initial={"version": suggestion.version})
        done = [task for task in tasks if task.state == Task.State.DONE]
        if done and all(task.state != Task.State.OPEN for task in tasks):
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
@role_required(*KEEPERS)
def add_task(request, pk):
    suggestion = _suggestion(request, pk)
    form = TaskForm(request.POST, suggestion=suggestion)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect("feedback:suggestion", suggestion.pk)
    department = form.cleaned_data["department"]
    with flash_refusal(request):
        task = services.add_task(
            suggestion,
            department,
            instructions=form.cleaned_data["instructions"],
            urgency=form.cleaned_data["urgency"],
            due_on=form.due_on(),
            by=request.user,
        )
        messages.success(
            request,
            _("Task for %(department)s added, due %(date)s.")
            % {"department": department.name, "date": moment_text(task.due_at)},
        )
    return redirect("feedback:suggestion", suggestion.pk)


@require_POST
@role_required(*KEEPERS)
def resolve(request, pk):
    suggestion = _suggestion(request, pk)
    form = ResolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect("feedback:suggestion", suggestion.pk)
    with flash_refusal(request):
        services.resolve(
            suggestion,
            version=form.cleaned_data["version"],
            reply=form.cleaned_data["reply"],
            publish_results=form.cleaned_data["publish_results"],
            by=request.user,
        )
        messages.success(request, _("Resolved. The submitter can read the reply and rate it."))
    return redirect("feedback:suggestion", suggestion.pk)


# The handlers' pages


@role_required(*TASK_READERS)
def task_list(request):
    state, filters, tasks = listed_tasks(request.user, request.GET)
    tasks = (
        tasks.select_related("department", "suggestion__area", "urgency")
        .prefetch_related("escalations")
        .annotate(
            unseen_supervisions=_count(TaskSupervision, "task", seen_at__isnull=True),
            returns=Coalesce(
                Subquery(
                    Task.objects.filter(
                        suggestion=OuterRef("suggestion"), state=Task.State.RETURNED
                    )
                    .order_by()
                    .values("suggestion")
                    .annotate(n=Count("id"))
                    .values("n")
                ),
                0,
            ),
        )
    )
    page = CappedPaginator(tasks, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "feedback/task_list.html",
        {
            "page": page,
            "state": state,
            "states": TASK_STATES.items(),
            "filters": filters,
            "can_read_departments": request.user.role in READERS,
        },
    )


@role_required(*TASK_READERS)
def task_export(request):
    """The file at once, or for a long list a background job (portal.exports)."""
    return export_views.respond(request, "feedback.tasks")


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


def may_decide(user, task) -> bool:
    """Staff who decide a task's extension requests and close its returned suggestion: keepers
    whose scope holds the suggestion (its community's, or those above)."""
    return user.role in KEEPERS and Task.objects.in_scope(user).filter(pk=task.pk).exists()


def may_supervise(user, task) -> bool:
    """督办: staff and officials whose scope holds the task's suggestion."""
    return user.role in READERS and Task.objects.in_scope(user).filter(pk=task.pk).exists()


@role_required(*TASK_READERS)
def task_detail(request, pk):
    task = _task(request, pk)
    works = _may_work(request.user, task)
    is_open = task.state == Task.State.OPEN
    version = {"version": task.version}
    extensions = list(task.extensions.select_related("requested_by", "decided_by"))
    waiting = next((extension for extension in extensions if extension.is_waiting), None)
    supervisions = list(task.supervisions.select_related("by", "seen_by"))
    decides = is_open and waiting is not None and may_decide(request.user, task)
    context = {
        "note_form": None,
        "done_form": None,
        "task": task,
        "suggestion": task.suggestion,
        "photos": task.suggestion.photos.filter(hidden=False),
        "result_photos": task.photos.filter(hidden=False),
        "events": task.events.select_related("actor"),
        "escalations": task.escalations.select_related("department", "area").order_by("level"),
        "extensions": extensions,
        "waiting_extension": waiting,
        "supervisions": supervisions,
        "unseen": [supervision for supervision in supervisions if supervision.seen_at is None],
        "works": works and is_open,
        "may_publish": request.user.role in KEEPERS,
        "limit": limit_of(task.suggestion),
    }
    if works and is_open:
        context |= {
            "note_form": NoteForm(),
            "done_form": DoneForm(initial=version),
            "return_form": ReturnForm(initial=version),
            "extension_form": None if waiting else ExtensionForm(initial=version),
        }
    if decides:
        context["decision_form"] = DecisionForm(
            initial={**version, "due_on": timezone.localtime(waiting.requested_due_at).date()}
        )
    if is_open and may_supervise(request.user, task):
        context["supervision_form"] = SupervisionForm()
    return render(request, "feedback/task_detail.html", context)


def _work(request, pk, form_class, change, done_message):
    """Run one handler's change on a task of their own department and say how it went."""
    task = _task(request, pk)
    if not _may_work(request.user, task):
        raise PermissionDenied
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect("feedback:task", task.pk)
    with flash_refusal(request):
        change(task, form.cleaned_data)
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
    """办结: what was done, with photos of the result (checked and re-encoded as a rider's)."""
    task = _task(request, pk)
    if not _may_work(request.user, task):
        raise PermissionDenied
    form = DoneForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect("feedback:task", task.pk)
    with flash_refusal(request):
        services.complete_task(
            task,
            result=form.cleaned_data["result"],
            photos=form.cleaned_data["photos"],
            version=form.cleaned_data["version"],
            by=request.user,
        )
        messages.success(request, _("Marked as done. Staff will write the reply to the submitter."))
    return redirect("feedback:task", task.pk)


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


@role_required(*READERS)
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
            overdue_tasks=Count("tasks", filter=in_scope & Q(tasks__due_at__lt=timezone.now())),
        )
        .order_by(Length("area__path"), "name", "id")
    )
    return render(request, "feedback/task_departments.html", {"tree": _tree(rows)})
