"""stations' reads for other apps: the station a QR code's token names."""

from django.db.models import F

from stations import landing_cache
from stations.models import RetiredToken, Station


class StationNotFound(Exception):
    """No station's current QR code carries the token. `replaced` is the station whose earlier
    code carried it, or None when no code ever did; stations.middleware answers with the page
    that says which."""

    def __init__(self, replaced: Station | None = None):
        super().__init__()
        self.replaced = replaced


def station_for_token(token: str, *, with_amenities: bool = False) -> Station:
    """The station, with its area, whose QR code carries `token`, for any page under
    `s/<station_token:token>/` (no other character gets that far: portal.converters);
    StationNotFound otherwise.

    `with_amenities` also sets `amenity_codes`, in the same query (a row per amenity, joined):
    the landing page's budget of four queries has no room for a second."""
    stations = Station.objects.select_related("area").filter(token=token)
    if with_amenities:
        rows = list(stations.annotate(amenity_code=F("amenities__amenity")).order_by())
        station = rows[0] if rows else None
        if station is not None:
            station.amenity_codes = [row.amenity_code for row in rows if row.amenity_code]
    else:
        station = stations.first()
    if station is None:
        retired = RetiredToken.objects.select_related("station").filter(token=token).first()
        raise StationNotFound(retired.station if retired else None)
    return station


def recent_station_for_token(token: str) -> Station:
    """station_for_token, kept in this process's memory for landing_cache.SECONDS: for the
    suggestion post, whose floor is a single INSERT (docs/BENCHMARKS.md), a query saved. As old
    as the landing page may be: a suggestion through a code just replaced still goes to its
    station, where the rider was. Never for a check-in, which a replaced code must not make."""
    station = landing_cache.stations.get(token)
    if station is None:
        station = station_for_token(token)
        landing_cache.stations.set(token, station)
    return station
