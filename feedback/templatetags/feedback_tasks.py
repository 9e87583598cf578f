from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from portal.templatetags.due import due_badge

register = template.Library()


@register.simple_tag
def task_due_badge(task):
    """Where a task stands, as a badge: done, overdue, due today or tomorrow, or in progress."""
    if task.state == task.State.DONE:
        return format_html('<span class="badge text-bg-success">{}</span>', _("Done"))
    return due_badge(task.due_on) or format_html(
        '<span class="badge text-bg-secondary">{}</span>', _("In progress")
    )
