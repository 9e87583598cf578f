"""跟踪落实: the loop's daily follow-up, run by feedback.tasks.follow_up.

Everything is read from the database: what waits for assessment, which tasks fall due, which are
overdue, and what was already said (`Suggestion.assessment_reminded_on`, `Task.reminded_on`, the
TaskEscalation rows). A lost run is made up by the next one; a second run on the same day finds
nothing left to do. Reminders and escalations go out on working days only, so a task due before
the Spring Festival does not climb to the city during the holiday.

Messages name the suggestion by its tracking code, never by the submitter's name or mobile.
"""

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from feedback import services, texts
from feedback.calendar import (
    add_working_days,
    is_working_day,
    is_working_time,
    latest_start_with,
    moment_text,
    working_hours,
)
from feedback.models import Department, Event, State, Suggestion, Task, TaskEscalation
from portal.dates import local_midnight
from portal.inbox import email, notify
from portal.models import Area, Role, User

logger = logging.getLogger(__name__)

# Who hears of an overdue task that reaches an area: the area's own staff and officials.
AREA_ROLES = [Role.COMMUNITY_STAFF, Role.OFFICIAL]


def follow_up(now: datetime) -> dict[str, int]:
    """The whole daily run; returns how many of each thing it did."""
    today = timezone.localdate(now)
    # Asked first: a hazard asked today does not close today (close_unrated).
    done = {"asked_if_fixed": texts.ask_if_fixed(now), "closed": close_unrated(now)}
    if is_working_day(today):
        done["assessment_reminders"] = remind_assessors(today)
        done["task_reminders"] = remind_handlers(today)
        done["escalations"] = escalate_overdue(now)
    return done


def _suggestion_path(suggestion_id: int) -> str:
    return reverse("feedback:suggestion", args=[suggestion_id])


def _task_path(task_id: int) -> str:
    return reverse("feedback:task", args=[task_id])


def _names(users) -> str:
    return ", ".join(str(user) for user in users)


@dataclass
class Message:
    title: str
    body: str
    url: str

    def to_inbox(self, users) -> None:
        for user in users:
            notify(user, self.title, self.body, self.url)

    def by_email(self, users) -> None:
        """After the transaction that saved the inbox messages."""
        for user in users:
            email(user, self.title, self.body, self.url)


# ---------------------------------------------------------------------------------------------
# Suggestions waiting for assessment


def assessment_overdue_before(today: date) -> datetime:
    """A suggestion queued before this moment has waited more than
    FEEDBACK_ASSESS_WITHIN_WORKING_DAYS working days today."""
    last_overdue_day = latest_start_with(today, settings.FEEDBACK_ASSESS_WITHIN_WORKING_DAYS + 1)
    return local_midnight(last_overdue_day + timedelta(days=1))


def waiting_too_long(today: date):
    """Suggestions that have waited too long for assessment and were not reminded today."""
    return Suggestion.objects.filter(
        state=State.SUBMITTED, queued_at__lt=assessment_overdue_before(today)
    ).filter(Q(assessment_reminded_on__isnull=True) | Q(assessment_reminded_on__lt=today))


def remind_assessors(today: date) -> int:
    """Tell each assessor, in one message, of the suggestions in their scope that wait too long;
    returns how many suggestions were reminded."""
    waiting_for = defaultdict(list)
    # Durable: committed before the e-mails go out, never inside a caller's transaction.
    with transaction.atomic(durable=True):
        waiting = (
            waiting_too_long(today)
            # Another run holding some of them reminds those; this one takes the rest.
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("area")
            .order_by("queued_at", "id")
        )
        assessors_in = {}
        events = []
        for suggestion in waiting:
            if suggestion.area_id not in assessors_in:
                assessors_in[suggestion.area_id] = list(services.assessors_of(suggestion.area))
            assessors = assessors_in[suggestion.area_id]
            if not assessors:
                logger.warning("suggestion %s has no assessor to remind", suggestion.pk)
                continue
            for assessor in assessors:
                waiting_for[assessor].append(suggestion)
            events.append(
                Event(
                    suggestion=suggestion,
                    kind=Event.Kind.REMINDED,
                    text=_names(assessors),
                    public=False,
                )
            )
        Event.objects.bulk_create(events)
        Suggestion.objects.filter(pk__in=[event.suggestion_id for event in events]).update(
            assessment_reminded_on=today
        )
        messages = {
            assessor: _assessment_reminder(suggestions)
            for assessor, suggestions in waiting_for.items()
        }
        for assessor, message in messages.items():
            message.to_inbox([assessor])
    for assessor, message in messages.items():
        message.by_email([assessor])
    return len(events)


def _assessment_reminder(suggestions: list[Suggestion]) -> Message:
    days = settings.FEEDBACK_ASSESS_WITHIN_WORKING_DAYS
    title = ngettext(
        "%(count)d suggestion has waited more than %(days)d working days for assessment",
        "%(count)d suggestions have waited more than %(days)d working days for assessment",
        len(suggestions),
    ) % {"count": len(suggestions), "days": days}
    lines = [
        _("%(code)s, %(category)s in %(area)s, waiting since %(date)s")
        % {
            "code": suggestion.tracking_code,
            "category": suggestion.get_category_display(),
            "area": suggestion.area.name,
            "date": timezone.localdate(suggestion.queued_at).isoformat(),
        }
        for suggestion in suggestions
    ]
    # One suggestion: straight to it; several: the triage queue, oldest first like this list.
    url = (
        _suggestion_path(suggestions[0].pk) if len(suggestions) == 1 else reverse("feedback:queue")
    )
    return Message(title, "\n".join(lines), url)


# ---------------------------------------------------------------------------------------------
# Tasks falling due


def due_soon(today: date):
    """Open tasks due today or by the next working day, not reminded today."""
    return (
        Task.objects.open()
        .filter(due_on__range=(today, add_working_days(today, 1)))
        .filter(Q(reminded_on__isnull=True) | Q(reminded_on__lt=today))
    )


def remind_handlers(today: date) -> int:
    """Tell the department's handlers of each task falling due, once a day per task; returns how
    many tasks were reminded."""
    return _remind_each(
        lambda: due_soon(today),
        mark={"reminded_on": today},
        message_for=lambda task: _due_reminder(task, today),
    )


def _remind_each(candidates, *, mark: dict, message_for) -> int:
    """Tell the active handlers of each task that `candidates()` finds: each task locked and
    marked (`mark`, the fields that keep it from being reminded again) in a transaction of its
    own, its inbox messages and timeline row with it, the e-mails after it; returns how many
    tasks were reminded. A task whose department has no handler is marked and logged."""
    reminded = 0
    for pk in list(candidates().values_list("pk", flat=True)):
        # Durable: committed before the e-mails go out, never inside a caller's transaction.
        with transaction.atomic(durable=True):
            task = (
                candidates()
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("suggestion", "department")
                .filter(pk=pk)
                .first()
            )
            if task is None:
                continue
            handlers = list(task.department.handlers.filter(is_active=True))
            Task.objects.filter(pk=task.pk).update(**mark)
            if not handlers:
                logger.warning("task %s: its department has no handler to remind", task.pk)
                continue
            message = message_for(task)
            message.to_inbox(handlers)
            Event.objects.create(
                suggestion=task.suggestion,
                task=task,
                kind=Event.Kind.REMINDED,
                text=_names(handlers),
                public=False,
            )
        message.by_email(handlers)
        reminded += 1
    return reminded


def _due_reminder(task: Task, today: date) -> Message:
    code = task.suggestion.tracking_code
    if task.due_on == today:
        title = _("Task %(code)s is due today") % {"code": code}
    elif task.due_on == today + timedelta(days=1):
        title = _("Task %(code)s is due tomorrow") % {"code": code}
    else:
        title = _("Task %(code)s is due on %(date)s") % {
            "code": code,
            "date": task.due_on.isoformat(),
        }
    body = f"{task.department.name}: {task.instructions}"
    return Message(title, body, _task_path(task.pk))


# ---------------------------------------------------------------------------------------------
# Overdue tasks (诉求直通车)


def overdue(now: datetime):
    """Open tasks past their deadline that were not escalated today."""
    today = timezone.localdate(now)
    return Task.objects.overdue(now).exclude(escalations__created_at__gte=local_midnight(today))


def escalation_chain(task: Task) -> list[Department | Area]:
    """Where an overdue task goes, level by level: the department's parent, grandparent …, then
    the suggestion's area's street, district, city."""
    return [*task.department.ancestors(), *reversed(task.suggestion.area.ancestors()[:-1])]


def _told_at(target: Department | Area):
    if isinstance(target, Department):
        return target.handlers.filter(is_active=True) if target.active else User.objects.none()
    return User.objects.filter(area=target, role__in=AREA_ROLES, is_active=True)


def escalate(
    task: Task, now: datetime, reason: str = TaskEscalation.Reason.OVERDUE
) -> tuple[Message, list[User]] | None:
    """Pass an overdue (or unacknowledged) task one level up its chain, to the next level with
    someone to tell; a level without anyone is passed over. Returns what was said to whom, or
    None at the top. Call it inside a transaction holding the task."""
    reached = task.escalations.aggregate(level=Max("level"))["level"] or 0
    for level, target in enumerate(escalation_chain(task), start=1):
        if level <= reached:
            continue
        told = list(_told_at(target))
        if not told:
            continue
        is_department = isinstance(target, Department)
        TaskEscalation.objects.create(
            task=task,
            level=level,
            department=target if is_department else None,
            area=None if is_department else target,
            reason=reason,
            created_at=now,
        )
        Event.objects.create(
            suggestion=task.suggestion,
            task=task,
            kind=Event.Kind.TASK_ESCALATED,
            text=target.name
            if reason == TaskEscalation.Reason.OVERDUE
            else f"{target.name} ({TaskEscalation.Reason(reason).label})",
        )
        message = _escalation(task, target, is_department, reason)
        message.to_inbox(told)
        return message, told
    return None


def escalate_overdue(now: datetime) -> int:
    """Escalate each overdue task one level; returns how many were escalated."""
    return _escalate_each(overdue, now, TaskEscalation.Reason.OVERDUE)


def _escalate_each(due, now: datetime, reason: str) -> int:
    escalated = 0
    for pk in list(due(now).values_list("pk", flat=True)):
        # Durable: committed before the e-mails go out, never inside a caller's transaction.
        with transaction.atomic(durable=True):
            task = (
                due(now)
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("suggestion__area", "department")
                .filter(pk=pk)
                .first()
            )
            # Escalated today is a row elsewhere, not a mark on the task: a run that escalated
            # and committed after this statement's snapshot, before its lock, goes unseen by it.
            if task is not None and not due(now).filter(pk=pk).exists():
                task = None  # escalated by the other run; look again, with the lock held
            said = escalate(task, now, reason) if task else None
        if said:
            message, told = said
            message.by_email(told)
            escalated += 1
    return escalated


def _escalation(task: Task, target: Department | Area, is_department: bool, reason: str) -> Message:
    names = {
        "code": task.suggestion.tracking_code,
        "target": target.name,
        "department": task.department.name,
        "instructions": task.instructions,
    }
    if reason == TaskEscalation.Reason.UNACKNOWLEDGED:
        title = _("Task for %(code)s not acknowledged in time, passed on to %(target)s") % names
        body = _(
            "%(department)s was to acknowledge (签收) this task by %(date)s and has not. "
            "Instructions: %(instructions)s"
        ) % {**names, "date": moment_text(task.acknowledge_by)}
    else:
        title = _("Overdue task for %(code)s passed on to %(target)s") % names
        body = _(
            "%(department)s was to finish this task by %(date)s and has not. "
            "Instructions: %(instructions)s"
        ) % {**names, "date": moment_text(task.due_at)}
    url = _task_path(task.pk) if is_department else _suggestion_path(task.suggestion_id)
    return Message(title, body, url)


# ---------------------------------------------------------------------------------------------
# Tasks waiting for 签收, run every 15 minutes in working hours (feedback.tasks.follow_up_desk)

# Handlers are reminded this long before a task's time to acknowledge ends, and at the last hour
# of the working day of everything whose time ends before the next one begins.
REMIND_BEFORE = timedelta(hours=1)


def follow_up_desk(now: datetime) -> dict[str, int]:
    """The desk's frequent run: in working hours only, escalate tasks not acknowledged in time
    (once reminded) and overdue ones (a 紧急 task is due within hours), then remind handlers of
    tasks whose time to acknowledge is ending. Safe to run any number of times: a task is
    reminded once and escalated at most once a day."""
    if not is_working_time(now):
        return {}
    return {
        "acknowledgement_escalations": _escalate_each(
            unacknowledged, now, TaskEscalation.Reason.UNACKNOWLEDGED
        ),
        "escalations": escalate_overdue(now),
        "acknowledgement_reminders": remind_to_acknowledge(now),
    }


def acknowledgement_ending(now: datetime):
    """Tasks to acknowledge whose time ends within REMIND_BEFORE, or before the next working
    day when the day's working hours end within it, and that were not reminded."""
    until = now + REMIND_BEFORE
    local = timezone.localtime(now)
    opens, closes = working_hours()
    if until >= timezone.make_aware(datetime.combine(local.date(), closes)):
        next_day = add_working_days(local.date(), 1)
        until = max(until, timezone.make_aware(datetime.combine(next_day, opens)))
    return Task.objects.unacknowledged().filter(
        acknowledge_by__lte=until, acknowledge_reminded_at__isnull=True
    )


def unacknowledged(now: datetime):
    """Tasks past their time to acknowledge, reminded before, not escalated today."""
    today = timezone.localdate(now)
    return (
        Task.objects.unacknowledged()
        .filter(acknowledge_by__lt=now, acknowledge_reminded_at__lt=now)
        .exclude(escalations__created_at__gte=local_midnight(today))
    )


def remind_to_acknowledge(now: datetime) -> int:
    """Tell the department's handlers of each task whose time to acknowledge is ending; once."""
    return _remind_each(
        lambda: acknowledgement_ending(now),
        mark={"acknowledge_reminded_at": now},
        message_for=lambda task: Message(
            _("Task %(code)s waits for acknowledgement (签收) by %(date)s")
            % {
                "code": task.suggestion.tracking_code,
                "date": moment_text(task.acknowledge_by),
            },
            f"{task.department.name}: {task.instructions}",
            _task_path(task.pk),
        ),
    )


# ---------------------------------------------------------------------------------------------
# Resolved suggestions nobody rated


def close_unrated(now: datetime) -> int:
    """Close suggestions resolved FEEDBACK_AUTO_CLOSE_DAYS ago that nobody rated; a hazard whose
    submitter is asked whether it is fixed, that long after the question (feedback.texts)."""
    cutoff = now - timedelta(days=settings.FEEDBACK_AUTO_CLOSE_DAYS)
    closed = 0
    for suggestion in list(
        Suggestion.objects.filter(state=State.RESOLVED, resolved_at__lte=cutoff).exclude(
            texts.waiting_for_an_answer(now)
        )
    ):
        try:
            services.close_unrated(suggestion)
        except services.FeedbackError:
            continue  # rated or reopened since it was read
        closed += 1
    return closed
