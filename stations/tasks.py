from celery import shared_task

from stations import services


@shared_task
def make_qr_codes(station_id: int) -> None:
    """Make the station's QR code images for its current token; safe to run twice."""
    services.make_qr_codes(station_id)


@shared_task
def sweep_qr_codes() -> int:
    """Make the codes that make_qr_codes never made (enqueued while Redis was down, or out of
    retries). Scheduled every 10 minutes by migration 0004; returns how many stations it made
    codes for. Safe beside make_qr_codes itself (the row lock)."""
    return services.make_missing_qr_codes()
