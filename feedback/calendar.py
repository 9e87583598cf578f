"""Working days: Monday to Friday, less public holidays, plus weekend days worked in exchange
(调休), both kept by administrators in CalendarDay."""

from datetime import date, timedelta

from feedback.models import CalendarDay


def _exceptions(start: date, end: date) -> dict[date, bool]:
    return dict(
        CalendarDay.objects.filter(date__range=(start, end)).values_list("date", "is_working_day")
    )


def _is_working_day(day: date, exceptions: dict[date, bool]) -> bool:
    return exceptions.get(day, day.weekday() < 5)


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
