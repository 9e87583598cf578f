from django import template
from django.utils.formats import number_format

from portal.dashboard.forms import query
from portal.dashboard.sections import DECIMAL, PERCENT

register = template.Library()


@register.filter
def figure(value, kind="count"):
    """A dashboard number as people read it: 1,234 · 63.5% · 2.5; a dash where there is none
    (a rate of nothing, a median of no closures)."""
    if value is None:
        return "–"
    if kind == PERCENT:
        return f"{number_format(round(value * 100, 1), 1)}%"
    if kind == DECIMAL:
        return number_format(round(value, 1), 1)
    return number_format(value, 0, force_grouping=True)


@register.simple_tag
def dashboard_query(area, period):
    """`?…` of the dashboard of `area` over `period`."""
    return query(area, period)
