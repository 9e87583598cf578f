from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = _("Registry: workers, enterprises, party members")

    def ready(self):
        from portal import slots
        from portal.navigation import NavItem, add
        from portal.signals import seed_demo
        from registry import demo
        from registry.views.care import due_count
        from registry.views.review import my_registration
        from registry.views.workers import pending_count

        registry = _("Registry")
        add(NavItem(_("To confirm"), "registry:pending", badge=pending_count, group=registry))
        add(NavItem(_("Ledger"), "registry:workers", group=registry))
        add(NavItem(_("Care visits"), "registry:care_visits", badge=due_count, group=registry))
        seed_demo.connect(demo.seed, dispatch_uid="registry.demo")
        slots.add(slots.RIDER_PAGE, "registry/_my_registration.html", my_registration, order=0)
