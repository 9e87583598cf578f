from celery import shared_task
from django.utils import timezone

from points.services import activities


@shared_task
def remind_activities() -> int:
    """Text riders about the activities they signed up for, scheduled daily at 18:00 by the
    periodic task of migration 0002. Safe to run twice; catches up on a missed evening."""
    return activities.remind(timezone.now())
