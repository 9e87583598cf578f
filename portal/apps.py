from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal core")

    def ready(self):
        from portal import (
            checks,  # noqa: F401  (registers the system checks)
            middleware,  # noqa: F401  (starts the idle clock at each login)
        )
        from portal.inbox import unread_count
        from portal.navigation import NavItem, add

        add(NavItem(_("Inbox"), "inbox", badge=unread_count))
