from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StationsConfig(AppConfig):
    name = "stations"
    verbose_name = _("Stations and merchants")

    def ready(self):
        from portal.navigation import NavItem, add
        from portal.signals import seed_demo
        from stations import demo, landing_cache

        landing_cache.connect()
        add(NavItem(_("Stations"), "stations:list"))
        seed_demo.connect(demo.seed, dispatch_uid="stations.demo")
