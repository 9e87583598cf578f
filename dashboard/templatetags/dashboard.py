from django import template
from django.utils.formats import number_format
from django.utils.html import format_html

from dashboard.forms import query
from dashboard.sections import DECIMAL, PERCENT, RATE

register = template.Library()


@register.filter
def figure(value, kind="count"):
    """A dashboard number as people read it: 1,234 · 63.5% · 2.5; a dash where there is none
    (a rate of nothing, a median of no closures). A rate shows its two counts after it:
    85.0% 17/20."""
    if kind == RATE:
        return format_html(
            '{} <span class="rate-parts">{}/{}</span>',
            figure(value.value, PERCENT),
            figure(value.part),
            figure(value.whole),
        )
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
