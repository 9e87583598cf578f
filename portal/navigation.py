"""The staff navigation: an entry appears when its view's `role_required` lets the user in.

Apps add their entries from their AppConfig.ready() with `add`, so the core imports no app.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import resolve, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    label: Promise
    url_name: str
    # A number shown beside the label (e.g. what waits for the user), or None.
    badge: Callable[[object], int] | None = None
    # Items with the same group share one drop-down menu of the navigation bar under this label.
    group: Promise | None = None

    @property
    def url(self) -> str:
        return reverse(self.url_name)

    def allows(self, user) -> bool:
        view = resolve(self.url).func
        return user.role in getattr(view, "allowed_roles", ())


NAV_ITEMS = [
    NavItem(_("Home"), "staff_home"),
    NavItem(_("Areas"), "my_area"),
    NavItem(_("Staff accounts"), "accounts", group=_("Accounts and log")),
    NavItem(_("Security log"), "audit_log", group=_("Accounts and log")),
]


def add(item: NavItem) -> None:
    NAV_ITEMS.append(item)


@dataclass
class MenuEntry:
    """One entry of the navigation bar: a link, or a drop-down of the items of a group."""

    label: Promise
    url: str = ""
    badge: int | None = None
    items: list = field(default_factory=list)  # (NavItem, badge) of a drop-down

    @property
    def urls(self) -> list[str]:
        return [item.url for item, _badge in self.items] or [self.url]


def menu(nav_items) -> list[MenuEntry]:
    """The navigation bar: each group where its first item is; a group the user has only one
    item of is a plain link, and a drop-down's badge adds up those of its items."""
    entries, groups = [], {}
    for item, badge in nav_items:
        if item.group is None:
            entries.append(MenuEntry(item.label, item.url, badge))
        elif item.group in groups:
            groups[item.group].items.append((item, badge))
        else:
            groups[item.group] = MenuEntry(item.group, items=[(item, badge)])
            entries.append(groups[item.group])
    for entry in groups.values():
        if len(entry.items) == 1:
            [(item, entry.badge)] = entry.items
            entry.label, entry.url, entry.items = item.label, item.url, []
        else:
            entry.badge = sum(badge or 0 for _item, badge in entry.items) or None
    return entries


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "nav_menu": []}
    items = [
        (item, item.badge(user) if item.badge else None) for item in NAV_ITEMS if item.allows(user)
    ]
    return {"nav_items": items, "nav_menu": menu(items)}
