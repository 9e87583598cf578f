from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    """The officials' summary: it reads every app's tables and nothing imports it."""

    name = "dashboard"
    label = "dashboard"
    verbose_name = _("Dashboard")

    def ready(self):
        from dashboard import demo
        from portal.navigation import NavItem, add
        from portal.signals import seed_demo

        add(NavItem(_("Dashboard"), "dashboard:summary"))
        seed_demo.connect(demo.seed, dispatch_uid="dashboard.demo")
