from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = _("Registry: workers, enterprises, party members")

    def ready(self):
        from portal import slots, workbench
        from portal.navigation import NavItem, add
        from portal.signals import seed_demo
        from registry import demo
        from registry.exports import register_exports
        from registry.selectors import (
            due_count,
            my_recruitment,
            my_registration,
            pending_count,
            station_calls,
        )
        from registry.selectors import workbench as registry_work

        registry = _("Registry")
        add(NavItem(_("To confirm"), "registry:pending", badge=pending_count, group=registry))
        add(NavItem(_("Ledger"), "registry:workers", group=registry))
        add(NavItem(_("Care visits"), "registry:care_visits", badge=due_count, group=registry))
        add(NavItem(_("Recruitment calls"), "registry:calls", group=registry))
        add(NavItem(_("Appointments ending"), "registry:appointments_expiring", group=registry))
        seed_demo.connect(demo.seed, dispatch_uid="registry.demo")
        slots.add(slots.RIDER_PAGE, "registry/_my_registration.html", my_registration, order=0)
        slots.add(slots.RIDER_PAGE, "registry/_my_recruitment.html", my_recruitment, order=5)
        slots.add(slots.STATION_LANDING, "registry/_station_calls.html", station_calls, order=20)
        workbench.add(registry, "registry:pending", registry_work, order=10)
        register_exports()
