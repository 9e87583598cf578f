from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = _("Suggestions and department tasks")

    def ready(self):
        from feedback import demo
        from feedback.views.tasks import open_task_count
        from portal.navigation import NavItem, add
        from portal.signals import seed_demo

        seed_demo.connect(demo.seed, dispatch_uid="feedback.demo")
        add(NavItem(_("Department tasks"), "feedback:tasks", badge=open_task_count))
