"""The landing page's HTML, kept for a few seconds in each web process, per station and language,
and the station a suggestion through its code is filed against (`stations`, read through
stations.selectors.recent_station_for_token).

A station's poster is scanned by rider after rider; from this cache the page costs a dictionary
look-up: no query, and no round trip to Redis either (which would halve the page's throughput,
docs/BENCHMARKS.md). The price is that each web process may show a page up to SECONDS old: "open
now" turns into "closed now" that much later, and a replaced code's page is shown that much longer
by processes other than the one that replaced it (its 报到 is refused at once: check-in is never
cached). In the process that makes a change (the only one in development and tests), a change to
the station, its amenities or its code clears the page at once.
"""

from django.conf import settings
from django.core.cache.backends.locmem import LocMemCache
from django.db.models.signals import post_delete, post_save

SECONDS = 10

pages = LocMemCache("stations-landing", {"TIMEOUT": SECONDS, "OPTIONS": {"MAX_ENTRIES": 2000}})
stations = LocMemCache("stations-token", {"TIMEOUT": SECONDS, "OPTIONS": {"MAX_ENTRIES": 2000}})


def key(token: str, language: str) -> str:
    return f"{token}:{language}"


def forget(token: str) -> None:
    pages.delete_many([key(token, language) for language, _name in settings.LANGUAGES])
    stations.delete(token)


def _station_changed(sender, instance, **kwargs):
    forget(instance.token)


def _amenity_changed(sender, instance, **kwargs):
    forget(instance.station.token)


def connect() -> None:
    """Called from StationsConfig.ready()."""
    from stations.models import RetiredToken, Station, StationAmenity

    for signal in (post_save, post_delete):
        signal.connect(_station_changed, sender=Station, dispatch_uid="landing_station")
        signal.connect(_amenity_changed, sender=StationAmenity, dispatch_uid="landing_amenity")
    post_save.connect(_station_changed, sender=RetiredToken, dispatch_uid="landing_retired")
