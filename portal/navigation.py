"""The staff navigation: an entry appears when its view's `role_required` lets the user in.

Apps add their entries from their AppConfig.ready() with `add`, so the core imports no app.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import resolve, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    label: Promise
    url_name: str
    # A number shown beside the label (e.g. what waits for the user), or None.
    badge: Callable[[object], int] | None = None

    @property
    def url(self) -> str:
        return reverse(self.url_name)

    def allows(self, user) -> bool:
        view = resolve(self.url).func
        return user.role in getattr(view, "allowed_roles", ())


NAV_ITEMS = [
    NavItem(_("Home"), "staff_home"),
    NavItem(_("Areas"), "my_area"),
    NavItem(_("Access log"), "access_log"),
]


def add(item: NavItem) -> None:
    NAV_ITEMS.append(item)


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = [item for item in NAV_ITEMS if item.allows(user)]
    return {"nav_items": [(item, item.badge(user) if item.badge else None) for item in items]}
