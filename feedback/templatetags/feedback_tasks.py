from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from feedback.calendar import moment_text
from portal.templatetags.due import due_badge

register = template.Library()


@register.simple_tag
def task_due_badge(task):
    """Where a task stands, as a badge: done, returned, overdue (to the minute), due today or
    tomorrow, or in progress."""
    if task.state == task.State.DONE:
        return format_html('<span class="badge text-bg-success">{}</span>', _("Done"))
    if task.state == task.State.RETURNED:
        return format_html('<span class="badge text-bg-secondary">{}</span>', _("Returned"))
    if task.due_at < timezone.now() and task.due_on >= timezone.localdate():
        # Due within the day, in hours (紧急), and past it.
        return format_html('<span class="badge text-bg-danger">{}</span>', _("Overdue"))
    return due_badge(task.due_on) or format_html(
        '<span class="badge text-bg-secondary">{}</span>', _("In progress")
    )


@register.simple_tag
def task_acknowledgement_badge(task):
    """签收: acknowledged (late or not), waiting, or past its time; nothing for a task assigned
    before 签收 existed or no longer open."""
    if task.acknowledged_at is not None:
        late = task.acknowledge_by is not None and task.acknowledged_at > task.acknowledge_by
        if late:
            return format_html(
                '<span class="badge text-bg-warning">{}</span>', _("Acknowledged late")
            )
        return format_html('<span class="badge text-bg-success">{}</span>', _("Acknowledged"))
    if task.state != task.State.OPEN or task.acknowledge_by is None:
        return ""
    if task.acknowledge_by < timezone.now():
        return format_html(
            '<span class="badge text-bg-danger">{}</span>', _("Not acknowledged in time")
        )
    return format_html(
        '<span class="badge text-bg-warning">{}</span>',
        _("To acknowledge by %(date)s") % {"date": moment_text(task.acknowledge_by)},
    )


@register.filter
def deadline(moment):
    """A deadline as people read it (feedback.calendar.moment_text)."""
    return moment_text(moment) if moment else ""
