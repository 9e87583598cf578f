from django import template
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _

from stations.models import Service

register = template.Library()


@register.filter
def weekly_hours(station) -> list[tuple[str, str]]:
    """(weekday, its hours in words), Monday first; "22:00–次日 06:00" for past midnight."""
    if station.open_24h:
        return []
    week = []
    next_day = _("next day")
    for day, name in WEEKDAYS.items():
        intervals = [
            f"{start}–{end}" if end > start else f"{start}–{next_day} {end}"
            for start, end in station.hours.get(str(day), [])
        ]
        week.append((name, ", ".join(intervals) or _("closed")))
    return week


@register.filter
def open_days(station) -> list[tuple[str, str]]:
    """The days it opens; days in a row with the same hours as one (星期一–星期五 09:00–21:00)."""
    runs = []
    closed = _("closed")
    for name, hours in weekly_hours(station):
        if runs and runs[-1][2] == hours:
            runs[-1][1] = name
        else:
            runs.append([name, name, hours])
    return [
        (first if first == last else f"{first}–{last}", hours)
        for first, last, hours in runs
        if hours != closed
    ]


@register.filter
def service_labels(station) -> list[str]:
    return [Service(code).label for code in station.services if code in Service.values]
