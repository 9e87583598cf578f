from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()


@register.simple_tag
def due_badge(due_on) -> str:
    """How urgent something due on `due_on` is, as a badge: overdue, due today or tomorrow;
    nothing when there is time."""
    days_late = (timezone.localdate() - due_on).days
    if days_late > 0:
        label = ngettext("Overdue by %(days)d day", "Overdue by %(days)d days", days_late) % {
            "days": days_late
        }
        return format_html('<span class="badge text-bg-danger">{}</span>', label)
    if days_late == 0:
        return format_html('<span class="badge text-bg-warning">{}</span>', _("Due today"))
    if days_late == -1:
        return format_html('<span class="badge text-bg-warning">{}</span>', _("Due tomorrow"))
    return ""
