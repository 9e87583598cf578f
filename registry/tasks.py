from celery import shared_task
from django.utils import timezone

from registry.care import remind_due_visits


@shared_task
def remind_care_visits() -> int:
    """三必访 reminders, scheduled daily at 08:00 by the periodic task of migration 0003.

    Safe to run twice a day (a visit is reminded at most once a day); catches up on missed days."""
    return remind_due_visits(timezone.localdate())
