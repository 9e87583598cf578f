from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StationsConfig(AppConfig):
    name = "stations"
    verbose_name = _("Stations and merchants")

    def ready(self):
        from portal.navigation import NavItem, add
        from portal.signals import seed_demo
        from registry.services import worker_merged
        from stations import demo, landing_cache
        from stations.services import take_over_visits

        landing_cache.connect()
        add(NavItem(_("Stations"), "stations:list"))
        seed_demo.connect(demo.seed, dispatch_uid="stations.demo")
        worker_merged.connect(take_over_visits, dispatch_uid="stations.merge")
