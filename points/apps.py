from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PointsConfig(AppConfig):
    name = "points"
    verbose_name = _("Points, activities and rewards")

    def ready(self):
        from points import demo
        from points.selectors import (
            certificates,
            my_activities,
            my_redemptions,
            station_board,
            volunteer_record,
        )
        from points.selectors import workbench as points_work
        from points.services.ledger import take_over_points
        from portal import slots, workbench
        from portal.navigation import NavItem, add
        from portal.signals import seed_demo
        from registry.services import worker_merged

        seed_demo.connect(demo.seed, dispatch_uid="points.demo")
        worker_merged.connect(take_over_points, dispatch_uid="points.merge")
        slots.add(slots.RIDER_PAGE, "points/_my_activities.html", my_activities, order=10)
        slots.add(slots.RIDER_PAGE, "points/_my_redemptions.html", my_redemptions, order=20)
        slots.add(slots.RIDER_PAGE, "points/_volunteer_record.html", volunteer_record, order=15)
        slots.add(slots.RIDER_PAGE, "points/_my_certificates.html", certificates, order=16)
        slots.add(slots.WORKER_PAGE, "points/_volunteer_record.html", volunteer_record, order=10)
        slots.add(slots.WORKER_PAGE, "points/_worker_certificates.html", certificates, order=11)
        slots.add(slots.STATION_LANDING, "points/_station_board.html", station_board, order=10)

        points = _("Points")
        workbench.add(points, "points:handover", points_work, order=40)
        add(NavItem(_("Activities"), "points:activities", group=points))
        add(NavItem(_("Volunteer teams"), "points:teams", group=points))
        add(NavItem(_("Hand over a reward"), "points:handover", group=points))
        add(NavItem(_("Redemptions"), "points:redemptions", group=points))
        add(NavItem(_("Rewards"), "points:rewards", group=points))
        add(NavItem(_("Leaderboard"), "points:leaderboard", group=points))
