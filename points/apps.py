from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PointsConfig(AppConfig):
    name = "points"
    verbose_name = _("Points, activities and rewards")

    def ready(self):
        from portal.navigation import NavItem, add

        points = _("Points")
        add(NavItem(_("Activities"), "points:activities", group=points))
        add(NavItem(_("Volunteer teams"), "points:teams", group=points))
