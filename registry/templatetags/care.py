from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from portal.templatetags.due import due_badge

register = template.Library()


@register.simple_tag
def care_due_badge(visit):
    """How urgent a care visit is, as a badge: visited, overdue, due today or tomorrow."""
    if visit.closed_at:
        return format_html('<span class="badge text-bg-success">{}</span>', _("Visited"))
    return due_badge(visit.due_on)
