from celery import shared_task
from django.core.files.base import ContentFile
from django.db import transaction

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
        station.qr_png.save(f"{name}.png", ContentFile(qr.png(url)), save=False)
        station.qr_svg.save(f"{name}.svg", ContentFile(qr.svg(url)), save=False)
        station.qr_token = station.token
        station.save(update_fields=["qr_png", "qr_svg", "qr_token"])
        storage = station.qr_png.storage
        transaction.on_commit(lambda: [storage.delete(stale_name) for stale_name in stale])


def _made(station: Station) -> bool:
    return station.qr_token == station.token and all(
        image and image.storage.exists(image.name) for image in (station.qr_png, station.qr_svg)
    )
