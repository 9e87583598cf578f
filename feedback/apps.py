from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = _("Suggestions and department tasks")

    def ready(self):
        from feedback import demo
        from feedback.exports import register_exports
        from feedback.selectors import (
            done_near,
            done_near_stations,
            my_suggestions,
            open_task_count,
            waiting_count,
            workbench_suggestions,
            workbench_tasks,
        )
        from feedback.services import take_over_suggestions
        from portal import slots, workbench
        from portal.navigation import NavItem, add
        from portal.signals import seed_demo
        from registry.services import worker_merged

        seed_demo.connect(demo.seed, dispatch_uid="feedback.demo")
        register_exports()
        worker_merged.connect(take_over_suggestions, dispatch_uid="feedback.merge")
        suggestions = _("Suggestions")
        add(NavItem(_("To assess"), "feedback:queue", badge=waiting_count, group=suggestions))
        add(NavItem(_("All suggestions"), "feedback:suggestions", group=suggestions))
        add(NavItem(_("Low ratings and reopenings"), "feedback:ledger", group=suggestions))
        add(
            NavItem(
                _("Department tasks"), "feedback:tasks", badge=open_task_count, group=suggestions
            )
        )
        workbench.add(suggestions, "feedback:queue", workbench_suggestions, order=20)
        workbench.add(_("Department tasks"), "feedback:tasks", workbench_tasks, order=30)
        slots.add(slots.RIDER_PAGE, "feedback/_my_suggestions.html", my_suggestions, order=30)
        # Before points' leaderboard: a hazard already reported matters more to a rider there.
        slots.add(slots.STATION_LANDING, "feedback/_done_near.html", done_near, order=5)
        slots.add(
            slots.FRIENDLY_MAP, "feedback/_done_near_stations.html", done_near_stations, order=10
        )
