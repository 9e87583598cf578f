"""Working days and working hours: what deadlines, reminders and escalations are counted in.

A day is a working day when the administrators' CalendarDay row says so; without a row, when the
`chinese-calendar` package says so for the years it knows (it follows the State Council's notices
of public holidays and the weekend days worked in exchange, 调休, and a new release comes out after
each year's notice); beyond those years, Monday to Friday. So the admin enters only what the
package does not know yet (next year, before a release has it) or a local exception.

Working hours are settings.FEEDBACK_WORKING_HOURS (09:00–17:30 by default) on working days: a
deadline in working hours counts only those, so two working hours from Friday 16:30 end on
Monday at 10:00. A deadline in working days ends at the end of its last day (23:59:59 local):
a task due in 5 working days is on time all that day, as a date-only deadline always was.
"""

from datetime import date, datetime, time, timedelta
from functools import cache

import chinese_calendar
from django.conf import settings
from django.utils import timezone

from feedback.models import CalendarDay, DeadlineUnit

END_OF_DAY = time(23, 59, 59)


@cache
def _official(day: date) -> bool | None:
    """chinese-calendar's word on `day`, or None for a year it does not know."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return None


def official_years() -> range:
    """The years chinese-calendar knows (shown in the admin's holiday calendar)."""
    from chinese_calendar.constants import holidays

    years = {day.year for day in holidays}
    return range(min(years), max(years) + 1)


def _exceptions(start: date, end: date) -> dict[date, bool]:
    return dict(
        CalendarDay.objects.filter(date__range=(start, end)).values_list("date", "is_working_day")
    )


def _is_working_day(day: date, exceptions: dict[date, bool]) -> bool:
    if day in exceptions:
        return exceptions[day]
    official = _official(day)
    return day.weekday() < 5 if official is None else official


def is_working_day(day: date) -> bool:
    return _is_working_day(day, _exceptions(day, day))


def next_working_days(start: date, count: int) -> list[date]:
    """The first `count` working days after `start`, in order (start itself does not count)."""
    # Long holidays (Spring Festival) are at most ~9 days off in a row: read ahead generously.
    exceptions = _exceptions(start, start + timedelta(days=count * 2 + 30))
    days, day = [], start
    while len(days) < count:
        day += timedelta(days=1)
        if _is_working_day(day, exceptions):
            days.append(day)
    return days


def add_working_days(start: date, days: int) -> date:
    """The date `days` working days after `start` (start itself does not count)."""
    return next_working_days(start, days)[-1] if days > 0 else start


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start)."""
    if end <= start:
        return 0
    exceptions = _exceptions(start, end)
    return sum(
        _is_working_day(start + timedelta(days=n), exceptions)
        for n in range(1, (end - start).days + 1)
    )


def working_days_since(starts, end: date) -> dict[date, int]:
    """working_days_between(start, end) for each of many `starts` with one query: the waits of a
    page of the triage queue."""
    starts = {start for start in starts if start < end}
    if not starts:
        return {}
    first = min(starts)
    exceptions = _exceptions(first, end)
    remaining = sum(
        _is_working_day(first + timedelta(days=n), exceptions)
        for n in range(1, (end - first).days + 1)
    )
    waits, day = {}, first
    while day < end:
        if day in starts:
            waits[day] = remaining
        day += timedelta(days=1)
        remaining -= _is_working_day(day, exceptions)
    return waits


def latest_start_with(end: date, count: int) -> date:
    """The latest day `start` with working_days_between(start, end) == count: one query."""
    exceptions = _exceptions(end - timedelta(days=count * 2 + 30), end)
    day, seen = end, 0
    while seen < count:
        seen += _is_working_day(day, exceptions)
        day -= timedelta(days=1)
    return day


# ---------------------------------------------------------------------------------------------
# Working hours and deadlines


def working_hours() -> tuple[time, time]:
    """When a working day's working hours begin and end (settings.FEEDBACK_WORKING_HOURS)."""
    return settings.FEEDBACK_WORKING_HOURS


def _at(day: date, moment: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, moment))


def end_of_day(day: date) -> datetime:
    """The last second of `day`, local: a deadline in days ends then."""
    return _at(day, END_OF_DAY)


def is_working_time(moment: datetime) -> bool:
    """Within working hours on a working day."""
    local = timezone.localtime(moment)
    begin, end = working_hours()
    return begin <= local.time() < end and is_working_day(local.date())


def add_working_hours(start: datetime, hours: int) -> datetime:
    """The moment `hours` working hours after `start`: only the working hours of working days
    count; a start outside them counts from the next working hours' beginning."""
    begin, end = working_hours()
    left = timedelta(hours=hours)
    local = timezone.localtime(start)
    day = local.date()
    # Read ahead generously (a long holiday is ~9 days off), and further when it is not enough.
    horizon = day + timedelta(days=hours // 4 + 30)
    exceptions = _exceptions(day, horizon)
    while True:
        if _is_working_day(day, exceptions):
            opens, closes = _at(day, begin), _at(day, end)
            since = max(opens, local)
            if since < closes:
                if since + left <= closes:
                    return since + left
                left -= closes - since
        day += timedelta(days=1)
        if day > horizon:
            exceptions |= _exceptions(day, horizon + timedelta(days=60))
            horizon += timedelta(days=60)


def deadline(start: datetime, amount: int, unit: str) -> datetime:
    """`amount` of `unit` (DeadlineUnit) after `start`: clock hours, working hours, or the end of
    the `amount`-th working day after `start`'s day."""
    if unit == DeadlineUnit.HOURS:
        return start + timedelta(hours=amount)
    if unit == DeadlineUnit.WORKING_HOURS:
        return add_working_hours(start, amount)
    return end_of_day(add_working_days(timezone.localtime(start).date(), amount))


def moment_text(moment: datetime) -> str:
    """A deadline as people read it: the day alone when it ends with the day, else day and time."""
    local = timezone.localtime(moment)
    if local.time() == END_OF_DAY:
        return local.date().isoformat()
    return local.strftime("%Y-%m-%d %H:%M")
