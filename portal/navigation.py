"""The staff navigation: an entry appears when its view's `role_required` lets the user in."""

from dataclasses import dataclass

from django.urls import resolve, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    label: Promise
    url_name: str

    @property
    def url(self) -> str:
        return reverse(self.url_name)

    def allows(self, user) -> bool:
        view = resolve(self.url).func
        return user.role in getattr(view, "allowed_roles", ())


# Later apps add their entries here by URL name (the core never imports them).
NAV_ITEMS = [
    NavItem(_("Home"), "staff_home"),
    NavItem(_("Areas"), "my_area"),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    return {"nav_items": [item for item in NAV_ITEMS if item.allows(user)]}
