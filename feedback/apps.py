from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = _("Suggestions and department tasks")

    def ready(self):
        from feedback.views.triage import waiting_count
        from portal.navigation import NavItem, add

        add(NavItem(_("Suggestions"), "feedback:queue", badge=waiting_count))
