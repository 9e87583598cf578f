"""The department desk: a task worked as a 12345 hotline's (issue 17, points 5–9).

签收 (acknowledge) by the class's deadline; 退单 (return) a task that is not the department's, with
a reason, back to the staff who assigned it, who pass it to another department or close the
suggestion with a reply; 延期 (extension) asked with a reason and decided by staff of the
suggestion's area or above, never past the suggestion's own limit; 督办 (supervision) from staff
and officials whose scope holds the task; result photos with the 办结, published to the submitter
only when staff choose.

Each change is one transaction with its timeline Event, and tells in their inbox those who must
act next. Who may call each one is the views' business (feedback.views.desk); what state a task
must be in, and that nobody changed it meanwhile (its version), is checked here.
"""

from datetime import date, datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from feedback.calendar import add_working_days, end_of_day, moment_text
from feedback.models import (
    Event,
    State,
    Suggestion,
    SuggestionText,
    Task,
    TaskExtension,
    TaskPhoto,
    TaskSupervision,
)
from feedback.services import FeedbackError, _change, _record, _written, assessors_of
from feedback.texts import tell_rider
from portal.inbox import notify


def _task_url(task: Task) -> str:
    return reverse("feedback:task", args=[task.pk])


def _suggestion_url(task: Task) -> str:
    return reverse("feedback:suggestion", args=[task.suggestion_id])


def _change_task(task: Task, version: int | None, **updates) -> None:
    """Apply `updates` to an open task still at `version` (None: any); otherwise refuse with the
    reason. Bumps the task's and its suggestion's versions; updates `task`."""
    rows = Task.objects.filter(pk=task.pk, state=Task.State.OPEN)
    if version is not None:
        rows = rows.filter(version=version)
    if rows.update(version=F("version") + 1, **updates) == 1:
        Suggestion.objects.filter(pk=task.suggestion_id).update(version=F("version") + 1)
        task.refresh_from_db()
        return
    current = Task.objects.get(pk=task.pk)
    if current.state != Task.State.OPEN:
        raise FeedbackError(
            "state",
            _("This task is “%(state)s”: nothing more can be done to it.")
            % {"state": current.get_state_display()},
        )
    raise FeedbackError(
        "conflict",
        _(
            "Someone else changed this task while you were looking at it. Nothing was saved: "
            "look at it again and redo your change if it is still needed."
        ),
    )


def _handlers(task: Task):
    return task.department.handlers.filter(is_active=True)


def _assigners(task: Task):
    """Who hears of a returned task or an extension request: the staff member who assigned
    it, or, when they are gone, the assessors of the suggestion's area."""
    if task.created_by and task.created_by.is_active:
        return [task.created_by]
    return list(assessors_of(task.suggestion.area))


# ---------------------------------------------------------------------------------------------
# 签收


def acknowledge(task: Task, *, by) -> None:
    """A handler of the department acknowledges the task: it is theirs and they are on it. Once:
    a second acknowledgement is refused, saying who did it and when."""
    now = timezone.now()
    with transaction.atomic():
        rows = Task.objects.filter(pk=task.pk, state=Task.State.OPEN, acknowledged_at__isnull=True)
        if not rows.update(acknowledged_at=now, acknowledged_by=by, version=F("version") + 1):
            current = Task.objects.select_related("acknowledged_by").get(pk=task.pk)
            if current.acknowledged_at is not None:
                raise FeedbackError(
                    "acknowledged",
                    _("This task was already acknowledged on %(at)s by %(by)s.")
                    % {
                        "at": moment_text_minutes(current.acknowledged_at),
                        "by": current.acknowledged_by or _("someone no longer here"),
                    },
                )
            raise FeedbackError(
                "state",
                _("This task is “%(state)s”: nothing more can be done to it.")
                % {"state": current.get_state_display()},
            )
        task.refresh_from_db()
        Suggestion.objects.filter(pk=task.suggestion_id).update(version=F("version") + 1)
        late = task.acknowledge_by is not None and now > task.acknowledge_by
        _record(
            task.suggestion,
            Event.Kind.ACKNOWLEDGED,
            by=by,
            task=task,
            text=_("late") if late else "",
            public=False,
        )


def moment_text_minutes(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


# ---------------------------------------------------------------------------------------------
# 退单


def return_task(task: Task, *, reason: str, version: int | None, by) -> None:
    """The department says the task is not its own, and why: it goes back to the staff who
    assigned it. It no longer counts for or against the department (TaskQuerySet.counted)."""
    reason = _written(
        reason, "reason", _("Say why the task is not your department's: staff read it.")
    )
    with transaction.atomic():
        _change_task(
            task,
            version,
            state=Task.State.RETURNED,
            returned_at=timezone.now(),
            returned_by=by,
            return_reason=reason,
        )
        _record(
            task.suggestion,
            Event.Kind.TASK_RETURNED,
            by=by,
            task=task,
            text=f"{task.department.name}: {reason}",
            public=False,
        )
        returns = task.suggestion.tasks.filter(state=Task.State.RETURNED).count()
        title = _("%(department)s returned its task for %(code)s") % {
            "department": task.department.name,
            "code": task.suggestion.tracking_code,
        }
        if returns > 1:
            title += " " + _("(returned %(count)d times)") % {"count": returns}
        for user in _assigners(task):
            notify(user, title, reason, _suggestion_url(task))


def close_with_reply(suggestion: Suggestion, *, reply: str, version: int | None, by) -> None:
    """Staff close an accepted suggestion whose tasks came back and that no department will
    take, with a reply to the submitter saying why. Only when no task is still open."""
    reply = _written(reply, "reply", _("Write the reply to the submitter saying why."))
    tasks = suggestion.tasks.all()
    if tasks.filter(state=Task.State.OPEN).exists():
        raise FeedbackError("tasks", _("Some tasks are still open: close them first."))
    if not tasks.filter(state=Task.State.RETURNED).exists():
        raise FeedbackError(
            "tasks", _("Only a suggestion whose tasks were returned is closed this way.")
        )
    now = timezone.now()
    with transaction.atomic():
        before = _change(
            suggestion,
            [State.ACCEPTED],
            version,
            state=State.CLOSED,
            reply=reply,
            replied_at=now,
            closed_at=now,
        )
        _record(suggestion, Event.Kind.CLOSED, by=by, text=reply, before=before)
        tell_rider(suggestion, SuggestionText.Kind.CLOSED)


# ---------------------------------------------------------------------------------------------
# 延期


def limit_of(suggestion: Suggestion) -> datetime:
    """The suggestion's own limit: no task of it is due later than
    FEEDBACK_LIMIT_WORKING_DAYS working days after it was accepted."""
    accepted = suggestion.assessed_at or suggestion.submitted_at
    start = timezone.localtime(accepted).date()
    return end_of_day(add_working_days(start, settings.FEEDBACK_LIMIT_WORKING_DAYS))


def _check_new_deadline(task: Task, due_at: datetime) -> None:
    if due_at <= task.due_at:
        raise FeedbackError(
            "due",
            _("The new deadline must be later than the present one, %(due)s.")
            % {"due": moment_text(task.due_at)},
        )
    limit = limit_of(task.suggestion)
    if due_at > limit:
        raise FeedbackError(
            "limit",
            _(
                "A suggestion must be dealt with within %(days)d working days of its acceptance, "
                "by %(limit)s: no task of it can be due later. Ask for a date up to then, or "
                "return the task if another department should take it."
            )
            % {"days": settings.FEEDBACK_LIMIT_WORKING_DAYS, "limit": moment_text(limit)},
        )


def request_extension(
    task: Task, *, due_on: date, reason: str, version: int | None, by
) -> TaskExtension:
    """A handler asks for the deadline to move to the end of `due_on`, saying why; staff of the
    suggestion's area decide. One request waits at a time."""
    reason = _written(reason, "reason", _("Say why more time is needed."))
    due_at = end_of_day(due_on)
    _check_new_deadline(task, due_at)
    with transaction.atomic():
        _change_task(task, version)
        try:
            with transaction.atomic():
                extension = TaskExtension.objects.create(
                    task=task,
                    reason=reason,
                    requested_by=by,
                    previous_due_at=task.due_at,
                    requested_due_at=due_at,
                )
        except IntegrityError:
            raise FeedbackError(
                "waiting", _("An extension request for this task is already waiting.")
            ) from None
        text = _("to %(due)s: %(reason)s") % {"due": moment_text(due_at), "reason": reason}
        _record(
            task.suggestion,
            Event.Kind.EXTENSION_REQUESTED,
            by=by,
            task=task,
            text=text,
            public=False,
        )
        for user in _assigners(task):
            notify(
                user,
                _("%(department)s asks for more time on %(code)s")
                % {"department": task.department.name, "code": task.suggestion.tracking_code},
                text,
                _task_url(task),
            )
    return extension


def decide_extension(
    extension: TaskExtension,
    *,
    approve: bool,
    due_on: date | None = None,
    note: str = "",
    version: int | None,
    by,
) -> None:
    """Staff approve the request with a new deadline (the day asked for, or `due_on`) or refuse
    it, saying why. Decided once: a second decision is refused."""
    task = extension.task
    note = note.strip()
    new_due_at: datetime | None = None
    if approve:
        new_due_at = end_of_day(due_on) if due_on else extension.requested_due_at
        _check_new_deadline(task, new_due_at)
    elif not note:
        raise FeedbackError("note", _("Say why the extension is refused: the department reads it."))
    now = timezone.now()
    with transaction.atomic():
        decided = TaskExtension.objects.filter(pk=extension.pk, approved__isnull=True).update(
            approved=approve,
            decided_at=now,
            decided_by=by,
            new_due_at=new_due_at,
            decision_note=note,
        )
        if not decided:
            raise FeedbackError("decided", _("This extension request was already decided."))
        if new_due_at is not None:
            _change_task(
                task,
                version,
                due_at=new_due_at,
                due_on=timezone.localtime(new_due_at).date(),
                reminded_on=None,
            )
            text = _("Approved: due %(due)s") % {"due": moment_text(new_due_at)}
        else:
            _change_task(task, version)
            text = _("Refused")
        if note:
            text = f"{text}. {note}"
        extension.refresh_from_db()
        _record(
            task.suggestion,
            Event.Kind.EXTENSION_DECIDED,
            by=by,
            task=task,
            text=text,
            public=False,
        )
        told = [extension.requested_by] if extension.requested_by else []
        for user in told or list(_handlers(task)):
            if user.is_active:
                notify(
                    user,
                    _("Extension for %(code)s: %(decision)s")
                    % {"code": task.suggestion.tracking_code, "decision": text},
                    extension.reason,
                    _task_url(task),
                )


# ---------------------------------------------------------------------------------------------
# 督办


def supervise(task: Task, *, text: str, by) -> TaskSupervision:
    """Staff or an official whose scope holds the task press its department with a notice; its
    handlers are told, and see it highlighted on the task until one of them marks it seen."""
    text = _written(text, "text", _("Write the supervision notice."))
    with transaction.atomic():
        _change_task(task, None)
        supervision = TaskSupervision.objects.create(task=task, by=by, text=text)
        _record(task.suggestion, Event.Kind.SUPERVISED, by=by, task=task, text=text, public=False)
        for handler in _handlers(task):
            notify(
                handler,
                _("Supervision notice (督办) on task %(code)s")
                % {"code": task.suggestion.tracking_code},
                text,
                _task_url(task),
            )
    return supervision


def mark_supervisions_seen(task: Task, *, by) -> int:
    """A handler has read the task's supervision notices; returns how many were new."""
    with transaction.atomic():
        return task.supervisions.unseen().update(seen_at=timezone.now(), seen_by=by)


# ---------------------------------------------------------------------------------------------
# Result photos (taken with the 办结: feedback.services.complete_task)


def publish_photo(photo: TaskPhoto, *, published: bool, by) -> None:
    """Show a result photo to the submitter on the tracking page, or stop showing it."""
    if photo.hidden and published:
        raise FeedbackError("photo", _("A hidden photo cannot be shown to the submitter."))
    with transaction.atomic():
        if not TaskPhoto.objects.filter(pk=photo.pk, published=not published).update(
            published=published
        ):
            raise FeedbackError(
                "photo",
                _("This photo is shown to the submitter already.")
                if published
                else _("This photo is not shown to the submitter."),
            )
        photo.published = published
        Suggestion.objects.filter(pk=photo.task.suggestion_id).update(version=F("version") + 1)
        _record(
            photo.task.suggestion,
            Event.Kind.PHOTO_PUBLISHED,
            by=by,
            task=photo.task,
            text="" if published else _("no longer shown"),
            public=False,
        )
