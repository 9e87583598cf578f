from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PointsConfig(AppConfig):
    name = "points"
    verbose_name = _("Points, activities and rewards")

    def ready(self):
        from points.me import add_section
        from points.rewards import my_redemptions
        from portal.navigation import NavItem, add

        add_section("points/_my_redemptions.html", my_redemptions, order=20)

        points = _("Points")
        add(NavItem(_("Hand over a reward"), "points:handover", group=points))
        add(NavItem(_("Redemptions"), "points:redemptions", group=points))
        add(NavItem(_("Rewards"), "points:rewards", group=points))
        add(NavItem(_("Leaderboard"), "points:leaderboard", group=points))
