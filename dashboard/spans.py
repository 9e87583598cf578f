"""Days, weeks and months: which stored rows add up to a period."""

from datetime import date, timedelta

from dashboard.models import Span


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def spans(start: date, end: date) -> dict[str, list[date]]:
    """The fewest stored rows that cover the days from `start` to `end` exactly: whole months,
    then whole weeks, then single days, as {span: [first days]}."""
    covered = {Span.DAY: [], Span.WEEK: [], Span.MONTH: []}
    day = start
    while day <= end:
        following = next_month(day)
        if day.day == 1 and following - timedelta(days=1) <= end:
            covered[Span.MONTH].append(day)
            day = following
            continue
        week_end = day + timedelta(days=6)
        # A week must not swallow the 1st of a month that would fit whole after it.
        takes_a_month = following <= week_end and next_month(following) - timedelta(days=1) <= end
        if day.weekday() == 0 and week_end <= end and not takes_a_month:
            covered[Span.WEEK].append(day)
            day = week_end + timedelta(days=1)
        else:
            covered[Span.DAY].append(day)
            day += timedelta(days=1)
    return covered
