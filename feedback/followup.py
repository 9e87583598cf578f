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

from feedback import services
from feedback.calendar import add_working_days, is_working_day, latest_start_with
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
    done = {"closed": close_unrated(now)}
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
    with transaction.atomic():
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
    reminded = 0
    for pk in list(due_soon(today).values_list("pk", flat=True)):
        with transaction.atomic():
            task = (
                due_soon(today)
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("suggestion", "department")
                .filter(pk=pk)
                .first()
            )
            if task is None:
                continue
            handlers = list(task.department.handlers.filter(is_active=True))
            if not handlers:
                logger.warning("task %s: its department has no handler to remind", task.pk)
                continue
            message = _due_reminder(task, today)
            message.to_inbox(handlers)
            Event.objects.create(
                suggestion=task.suggestion,
                task=task,
                kind=Event.Kind.REMINDED,
                text=_names(handlers),
                public=False,
            )
            Task.objects.filter(pk=task.pk).update(reminded_on=today)
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
    """Open tasks past their due date that were not escalated today."""
    today = timezone.localdate(now)
    return (
        Task.objects.open()
        .filter(due_on__lt=today)
        .exclude(escalations__created_at__gte=local_midnight(today))
    )


def escalation_chain(task: Task) -> list[Department | Area]:
    """Where an overdue task goes, level by level: the department's parent, grandparent …, then
    the suggestion's area's street, district, city."""
    return [*task.department.ancestors(), *reversed(task.suggestion.area.ancestors()[:-1])]


def _told_at(target: Department | Area):
    if isinstance(target, Department):
        return target.handlers.filter(is_active=True) if target.active else User.objects.none()
    return User.objects.filter(area=target, role__in=AREA_ROLES, is_active=True)


def escalate(task: Task, now: datetime) -> tuple[Message, list[User]] | None:
    """Pass an overdue task one level up its chain, to the next level with someone to tell;
    a level without anyone is passed over. Returns what was said to whom, or None at the top.
    Call it inside a transaction holding the task."""
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
            created_at=now,
        )
        Event.objects.create(
            suggestion=task.suggestion, task=task, kind=Event.Kind.TASK_ESCALATED, text=target.name
        )
        message = _escalation(task, target, is_department)
        message.to_inbox(told)
        return message, told
    return None


def escalate_overdue(now: datetime) -> int:
    """Escalate each overdue task one level; returns how many were escalated."""
    escalated = 0
    for pk in list(overdue(now).values_list("pk", flat=True)):
        with transaction.atomic():
            task = (
                overdue(now)
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("suggestion__area", "department")
                .filter(pk=pk)
                .first()
            )
            said = escalate(task, now) if task else None
        if said:
            message, told = said
            message.by_email(told)
            escalated += 1
    return escalated


def _escalation(task: Task, target: Department | Area, is_department: bool) -> Message:
    title = _("Overdue task for %(code)s passed on to %(target)s") % {
        "code": task.suggestion.tracking_code,
        "target": target.name,
    }
    body = _(
        "%(department)s was to finish this task by %(date)s and has not. "
        "Instructions: %(instructions)s"
    ) % {
        "department": task.department.name,
        "date": task.due_on.isoformat(),
        "instructions": task.instructions,
    }
    url = _task_path(task.pk) if is_department else _suggestion_path(task.suggestion_id)
    return Message(title, body, url)


# ---------------------------------------------------------------------------------------------
# Resolved suggestions nobody rated


def close_unrated(now: datetime) -> int:
    """Close suggestions resolved FEEDBACK_AUTO_CLOSE_DAYS ago that nobody rated."""
    cutoff = now - timedelta(days=settings.FEEDBACK_AUTO_CLOSE_DAYS)
    closed = 0
    for suggestion in list(
        Suggestion.objects.filter(state=State.RESOLVED, resolved_at__lte=cutoff)
    ):
        try:
            services.close_unrated(suggestion)
        except services.FeedbackError:
            continue  # rated or reopened since it was read
        closed += 1
    return closed
