from celery import shared_task
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F

from stations import qr
from stations.models import Station
from stations.services import landing_url


@shared_task
def make_qr_codes(station_id: int) -> None:
    """Make the station's QR code images for its current token and drop the previous ones.

    Safe to run twice: the row lock serialises two runs, and a run finding the images already
    made for the current token does nothing.
    """
    with transaction.atomic():
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


@shared_task
def sweep_qr_codes() -> int:
    """Make the codes of the stations still without them for their current token: those whose
    make_qr_codes never reached a worker (enqueued while Redis was down) or ran out of retries.
    Scheduled every 10 minutes by migration 0004; returns how many stations it made codes for.
    Safe beside make_qr_codes itself (the row lock), and a second sweep finds nothing to do."""
    missing = list(Station.objects.exclude(qr_token=F("token")).values_list("pk", flat=True))
    for station_id in missing:
        make_qr_codes(station_id)
    return len(missing)


def _made(station: Station) -> bool:
    return station.qr_token == station.token and all(
        image and image.storage.exists(image.name) for image in (station.qr_png, station.qr_svg)
    )
