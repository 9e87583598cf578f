from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = _("Suggestions and department tasks")

    def ready(self):
        from feedback import demo
        from feedback.services import take_over_suggestions
        from feedback.views.public import my_suggestions
        from feedback.views.tasks import open_task_count
        from feedback.views.triage import waiting_count
        from portal import slots
        from portal.navigation import NavItem, add
        from portal.signals import seed_demo
        from registry.services import worker_merged

        seed_demo.connect(demo.seed, dispatch_uid="feedback.demo")
        worker_merged.connect(take_over_suggestions, dispatch_uid="feedback.merge")
        suggestions = _("Suggestions")
        add(NavItem(_("To assess"), "feedback:queue", badge=waiting_count, group=suggestions))
        add(NavItem(_("All suggestions"), "feedback:suggestions", group=suggestions))
        add(
            NavItem(
                _("Department tasks"), "feedback:tasks", badge=open_task_count, group=suggestions
            )
        )
        slots.add(slots.RIDER_PAGE, "feedback/_my_suggestions.html", my_suggestions, order=30)
