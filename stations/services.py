"""Station state changes: each is atomic; QR codes are made by a task enqueued on commit."""

from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import Count, IntegerField, Q, QuerySet, Value

from portal.background import enqueue_on_commit
from portal.timeline import stored_value
from stations.models import (
    RetiredToken,
    StandardItem,
    Station,
    StationAmenity,
    StationEvent,
    StationStandard,
    new_token,
)


def landing_url(station: Station) -> str:
    """The absolute URL a station's QR code encodes: its landing page, `stations:landing`."""
    return f"{settings.SITE_URL}/s/{station.token}/"


def _make_qr_codes_on_commit(station: Station) -> None:
    """With Redis down the station is saved all the same: stations.tasks.sweep_qr_codes makes
    the codes a few minutes after it is back."""
    from stations.tasks import make_qr_codes

    enqueue_on_commit(make_qr_codes, station.pk)


# The fields whose changes the station's history shows.
TRACKED = [
    "name",
    "kind",
    "area",
    "address",
    "latitude",
    "longitude",
    "open_24h",
    "hours",
    "services",
    "offer",
    "contact_name",
    "contact_phone",
    "temporarily_closed",
    "closure_reason",
]


def save_station(station: Station, amenities: list[str], *, by) -> Station:
    """Add or update a station and set its amenities, with a history row; a new station gets its
    QR codes made."""
    with transaction.atomic():
        new = station.pk is None
        if new:
            station.created_by = by
            before = {}
        else:
            old = Station.objects.select_for_update().get(pk=station.pk)
            before = {field: stored_value(getattr(old, field)) for field in TRACKED}
            before["amenities"] = sorted(old.amenities.values_list("amenity", flat=True))
        station.save()
        station.amenities.exclude(amenity__in=amenities).delete()
        held = set(station.amenities.values_list("amenity", flat=True))
        StationAmenity.objects.bulk_create(
            StationAmenity(station=station, amenity=amenity)
            for amenity in amenities
            if amenity not in held
        )
        if new:
            StationEvent.objects.create(station=station, kind=StationEvent.Kind.CREATED, actor=by)
            _make_qr_codes_on_commit(station)
        else:
            after = {field: stored_value(getattr(station, field)) for field in TRACKED}
            after["amenities"] = sorted(amenities)
            changes = {f: [before[f], after[f]] for f in after if before[f] != after[f]}
            if changes:
                StationEvent.objects.create(
                    station=station, kind=StationEvent.Kind.UPDATED, actor=by, changes=changes
                )
    return station


def rotate_token(station: Station, by) -> Station:
    """Give the station a new token, so a lost or defaced poster's code stops working.

    The old token is kept as a RetiredToken: its URL then says the code has been replaced.
    """
    with transaction.atomic():
        station = Station.objects.select_for_update().get(pk=station.pk)
        RetiredToken.objects.create(token=station.token, station=station, retired_by=by)
        station.token = new_token()
        station.save(update_fields=["token", "updated_at"])
        StationEvent.objects.create(station=station, kind=StationEvent.Kind.TOKEN_ROTATED, actor=by)
        _make_qr_codes_on_commit(station)
    return station


def set_standard(station: Station, items, *, by) -> None:
    """The standard items the station has now; items it already had keep their check date."""
    items = list(items)
    with transaction.atomic():
        station.standard.exclude(item__in=items).delete()
        held = set(station.standard.values_list("item_id", flat=True))
        StationStandard.objects.bulk_create(
            StationStandard(station=station, item=item, checked_by=by)
            for item in items
            if item.pk not in held
        )
        StationEvent.objects.create(
            station=station, kind=StationEvent.Kind.STANDARD_CHECKED, actor=by
        )


def add_photo(form, *, by) -> None:
    """Save a valid PhotoForm for its station, with a history row."""
    with transaction.atomic():
        photo = form.save()
        StationEvent.objects.create(
            station=photo.station, kind=StationEvent.Kind.PHOTO_ADDED, actor=by
        )


def delete_photo(photo, *, by) -> None:
    with transaction.atomic():
        StationEvent.objects.create(
            station=photo.station, kind=StationEvent.Kind.PHOTO_DELETED, actor=by
        )
        photo.delete()
        transaction.on_commit(partial(photo.image.storage.delete, photo.image.name))


def with_compliance(stations: QuerySet) -> QuerySet:
    """Annotate `compliance`: the per cent of the active standard items each station has.

    One COUNT per station inside the same query, so a list of any length costs one query (plus
    one for the number of active items).
    """
    total = StandardItem.objects.filter(active=True).count()
    if not total:
        return stations.annotate(compliance=Value(100, output_field=IntegerField()))
    held = Count("standard", filter=Q(standard__item__active=True), distinct=True)
    return stations.annotate(compliance=held * 100 / total)


def compliance(station: Station) -> int:
    """The compliance per cent of one station (its detail page)."""
    return with_compliance(Station.objects.filter(pk=station.pk)).values_list(
        "compliance", flat=True
    )[0]


def take_over_visits(sender, *, duplicate, kept, **kwargs) -> None:
    """registry.services.worker_merged: the duplicate registration's station visits are the kept
    worker's."""
    duplicate.station_visits.update(worker=kept)
