"""The landing page's HTML, kept in the cache for a minute per station and language.

A station's poster is scanned by rider after rider; from the cache the page costs one cache read
and no query. A minute is how late "open now" may turn into "closed now". A change to the station
(its own save, its amenities) and a replaced QR code clear the cached page at once, so an old
code is refused from the moment it is replaced.
"""

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save

SECONDS = 60


def key(token: str, language: str) -> str:
    return f"stations:landing:{token}:{language}"


def forget(token: str) -> None:
    cache.delete_many([key(token, language) for language, _name in settings.LANGUAGES])


def _station_saved(sender, instance, **kwargs):
    forget(instance.token)


def _amenity_changed(sender, instance, **kwargs):
    forget(instance.station.token)


def connect() -> None:
    """Called from StationsConfig.ready()."""
    from stations.models import RetiredToken, Station, StationAmenity

    for signal in (post_save, post_delete):
        signal.connect(_station_saved, sender=Station, dispatch_uid="landing_station")
    post_save.connect(_station_saved, sender=RetiredToken, dispatch_uid="landing_retired")
    for signal in (post_save, post_delete):
        signal.connect(_amenity_changed, sender=StationAmenity, dispatch_uid="landing_amenity")
