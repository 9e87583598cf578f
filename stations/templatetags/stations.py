from django import template
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _

from stations.models import Service

register = template.Library()


@register.filter
def weekly_hours(station) -> list[tuple[str, str]]:
    """(weekday, its hours in words), Monday first; "22:00–次日06:00" for past midnight."""
    if station.open_24h:
        return []
    week = []
    for day, name in WEEKDAYS.items():
        intervals = [
            f"{start}–{end}" if end > start else f"{start}–{_('next day')} {end}"
            for start, end in station.hours.get(str(day), [])
        ]
        week.append((name, ", ".join(intervals) or _("closed")))
    return week


@register.filter
def service_labels(station) -> list[str]:
    return [Service(code).label for code in station.services if code in Service.values]
