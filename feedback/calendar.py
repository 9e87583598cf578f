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
