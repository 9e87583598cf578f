from celery import shared_task
from django.utils import timezone

from feedback import followup, services


@shared_task
def follow_up() -> dict[str, int]:
    """跟踪落实, scheduled daily at 08:30 by the periodic task of migration 0002: remind assessors
    and handlers, escalate overdue tasks, close resolved suggestions nobody rated.

    Safe to run twice a day; catches up on missed days (feedback.followup)."""
    return followup.follow_up(timezone.now())


@shared_task
def delete_expired_photos() -> int:
    """Retention: delete the photos of suggestions closed more than FEEDBACK_PHOTO_RETENTION_DAYS
    ago, scheduled daily at 04:00 by the periodic task of migration 0005. Safe to run twice."""
    return services.delete_expired_photos(timezone.now())
