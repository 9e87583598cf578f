"""What a staff member may do, for a part of a page that its view does not render itself (a
section of portal.slots): `{% if request.user|keeps %}`."""

from django import template

from portal.roles import KEEPERS

register = template.Library()


@register.filter
def keeps(user) -> bool:
    """Whether the user keeps their area's records (portal.roles.KEEPERS)."""
    return getattr(user, "role", None) in KEEPERS
