"""The department desk's changes to a task (feedback.services.desk): 签收, 退单 and 延期 by the
task's handlers; the extension's decision and the close of a returned suggestion by the staff of
its area or above; 督办 by staff and officials whose scope holds it; result photos shown to the
submitter by staff.

A task outside the user's reach is a 404; a handler of another department who can read a task
(escalated to them) gets 403 on its changes, as for notes and 办结.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from feedback.models import Suggestion, Task, TaskExtension, TaskPhoto
from feedback.services import desk
from feedback.task_forms import (
    CloseReturnedForm,
    DecisionForm,
    ExtensionForm,
    ReturnForm,
    SupervisionForm,
)
from feedback.views.tasks import _form_errors, _may_work, _task
from portal.errors import flash_refusal
from portal.permissions import role_required
from portal.roles import KEEPERS, READERS, TASK_WORKERS
from portal.scope import get_in_scope_or_404


def _own_task(request, pk) -> Task:
    task = _task(request, pk)
    if not _may_work(request.user, task):
        raise PermissionDenied
    return task


def _submit(request, task, form, change, done_message):
    """Validate `form`, run `change(data)` and say how it went; back to the task either way."""
    if not form.is_valid():
        messages.error(request, _form_errors(form))
    else:
        with flash_refusal(request):
            change(form.cleaned_data)
            messages.success(request, done_message)
    return redirect("feedback:task", task.pk)


@require_POST
@role_required(*TASK_WORKERS)
def acknowledge(request, pk):
    task = _own_task(request, pk)
    with flash_refusal(request):
        desk.acknowledge(task, by=request.user)
        messages.success(request, _("Acknowledged: the task is your department's to do."))
    return redirect("feedback:task", task.pk)


@require_POST
@role_required(*TASK_WORKERS)
def return_task(request, pk):
    task = _own_task(request, pk)
    return _submit(
        request,
        task,
        ReturnForm(request.POST),
        lambda data: desk.return_task(
            task, reason=data["reason"], version=data["version"], by=request.user
        ),
        _("Returned. The staff who assigned it will pass it on."),
    )


@require_POST
@role_required(*TASK_WORKERS)
def request_extension(request, pk):
    task = _own_task(request, pk)
    return _submit(
        request,
        task,
        ExtensionForm(request.POST),
        lambda data: desk.request_extension(
            task,
            due_on=data["due_on"],
            reason=data["reason"],
            version=data["version"],
            by=request.user,
        ),
        _("More time asked for. Staff will approve or refuse it."),
    )


@require_POST
@role_required(*TASK_WORKERS)
def supervisions_seen(request, pk):
    task = _own_task(request, pk)
    desk.mark_supervisions_seen(task, by=request.user)
    return redirect("feedback:task", task.pk)


def _task_in_scope(request, pk) -> Task:
    """A task of a suggestion in the user's scope (its area or below): 404 otherwise."""
    return get_in_scope_or_404(
        Task.objects.select_related("department", "suggestion__area"),
        request.user,
        "suggestion__area",
        pk=pk,
    )


@require_POST
@role_required(*KEEPERS)
def decide_extension(request, pk):
    task = _task_in_scope(request, pk)
    extension = TaskExtension.objects.filter(task=task, approved__isnull=True).first()
    if extension is None:
        messages.error(request, _("No extension request of this task waits for a decision."))
        return redirect("feedback:task", task.pk)
    extension.task = task
    return _submit(
        request,
        task,
        DecisionForm(request.POST),
        lambda data: desk.decide_extension(
            extension,
            approve=data["decision"] == "approve",
            due_on=data["due_on"],
            note=data["note"],
            version=data["version"],
            by=request.user,
        ),
        _("Decided. The department is told."),
    )


@require_POST
@role_required(*READERS)
def supervise(request, pk):
    task = _task_in_scope(request, pk)
    return _submit(
        request,
        task,
        SupervisionForm(request.POST),
        lambda data: desk.supervise(task, text=data["text"], by=request.user),
        _("Supervision notice sent to the department."),
    )


@require_POST
@role_required(*KEEPERS)
def close_returned(request, pk):
    suggestion = get_in_scope_or_404(Suggestion.objects.select_related("area"), request.user, pk=pk)
    form = CloseReturnedForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
    else:
        with flash_refusal(request):
            desk.close_with_reply(
                suggestion,
                reply=form.cleaned_data["reply"],
                version=form.cleaned_data["version"],
                by=request.user,
            )
            messages.success(request, _("Closed. The submitter can read the reply."))
    return redirect("feedback:suggestion", suggestion.pk)


@require_POST
@role_required(*KEEPERS)
def publish_photo(request, pk):
    photo = get_in_scope_or_404(
        TaskPhoto.objects.select_related("task__suggestion"),
        request.user,
        "task__suggestion__area",
        pk=pk,
    )
    published = request.POST.get("published") == "1"
    with flash_refusal(request):
        desk.publish_photo(photo, published=published, by=request.user)
        messages.success(
            request,
            _("The photo is shown on the tracking page.")
            if published
            else _("The photo is no longer shown on the tracking page."),
        )
    return redirect("feedback:task", photo.task_id)
