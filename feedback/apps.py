from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = _("Suggestions and department tasks")

    def ready(self):
        from feedback.views.tasks import waiting_count
        from portal.navigation import NavItem, add

        add(NavItem(_("Department tasks"), "feedback:tasks", badge=waiting_count))
