"""Station state changes, each atomic, and the making of a station's QR codes.

A new station and a rotated token need their codes made: the caller enqueues
stations.tasks.make_qr_codes on commit, and the sweep (stations.tasks.sweep_qr_codes) makes any
that never reached a worker."""

from functools import partial

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, F, IntegerField, Q, QuerySet, Value

from portal import qr
from portal.timeline import stored_value
from stations import landing_cache
from stations.models import (
    RetiredToken,
    StandardItem,
    Station,
    StationAmenity,
    StationEvent,
    StationStandard,
    new_token,
)


def landing_pages_changed() -> None:
    """Something a later app shows on the landing pages (portal.slots) changed, such as what was
    done near a station: this process renders them afresh. Other processes do within
    landing_cache.SECONDS."""
    landing_cache.pages.clear()


def landing_url(station: Station) -> str:
    """The absolute URL a station's QR code encodes: its landing page, `stations:landing`."""
    return f"{settings.SITE_URL}/s/{station.token}/"


def make_qr_codes(station_id: int) -> None:
    """Make the station's QR code images for its current token and drop the previous ones.

    Safe to run twice: the row lock serialises two runs, and a run finding the images already
    made for the current token does nothing.
    """
    # Durable: the previous images are deleted once this has committed; never inside a caller's.
    with transaction.atomic(durable=True):
        station = Station.objects.select_for_update().filter(pk=station_id).first()
        if station is None or _made(station):
            return
        stale = [image.name for image in (station.qr_png, station.qr_svg) if image]
        url = landing_url(station)
        name = f"station-{station.pk}-{station.token}"
        storage = station.qr_png.storage
        for image, suffix in ((station.qr_png, "png"), (station.qr_svg, "svg")):
            # A run that failed after writing a file left it behind: write over it, not beside.
            leftover = image.field.generate_filename(station, f"{name}.{suffix}")
            if leftover not in stale and storage.exists(leftover):
                storage.delete(leftover)
        station.qr_png.save(f"{name}.png", ContentFile(qr.png(url)), save=False)
        station.qr_svg.save(f"{name}.svg", ContentFile(qr.svg(url)), save=False)
        station.qr_token = station.token
        station.save(update_fields=["qr_png", "qr_svg", "qr_token"])
        transaction.on_commit(lambda: [storage.delete(stale_name) for stale_name in stale])


def make_missing_qr_codes() -> int:
    """Make the codes of the stations still without them for their current token: those whose
    make_qr_codes task never reached a worker (enqueued while Redis was down) or ran out of
    retries. Returns how many stations it made codes for; a second run finds nothing to do."""
    missing = list(Station.objects.exclude(qr_token=F("token")).values_list("pk", flat=True))
    for station_id in missing:
        make_qr_codes(station_id)
    return len(missing)


def _made(station: Station) -> bool:
    return station.qr_token == station.token and all(
        image and image.storage.exists(image.name) for image in (station.qr_png, station.qr_svg)
    )


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
    """Add or update a station and set its amenities, with a history row. For a new station the
    caller enqueues make_qr_codes on commit."""
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

    The old token is kept as a RetiredToken: its URL then says the code has been replaced. The
    caller enqueues make_qr_codes on commit for the new token's codes.
    """
    with transaction.atomic():
        station = Station.objects.select_for_update().get(pk=station.pk)
        RetiredToken.objects.create(token=station.token, station=station, retired_by=by)
        station.token = new_token()
        station.save(update_fields=["token", "updated_at"])
        StationEvent.objects.create(station=station, kind=StationEvent.Kind.TOKEN_ROTATED, actor=by)
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
    # Durable: the file is deleted once this has committed; never inside a caller's transaction.
    with transaction.atomic(durable=True):
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
