from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal core")

    def ready(self):
        from portal import (
            accounts,  # noqa: F401  (writes sign-ins and lock-outs to the security log)
            checks,  # noqa: F401  (registers the system checks)
            converters,  # noqa: F401  (registers the URL converters)
            exports,
            middleware,  # noqa: F401  (starts the idle clock at each login)
            workbench,
        )
        from portal.inbox import unread_count, workbench_lines
        from portal.models import Role
        from portal.navigation import NavItem, add

        add(NavItem(_("Inbox"), "inbox", badge=unread_count))
        workbench.add(_("Inbox"), "inbox", workbench_lines, order=90)
        exports.register(
            "portal.audit_log",
            exports.Kind(
                roles=(Role.ADMINISTRATOR,),
                table=exports.audit_log_table,
                list_url="audit_log",
                administrators=True,
            ),
        )
