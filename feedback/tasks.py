from celery import shared_task
from django.utils import timezone

from feedback import followup, services, texts
from feedback.models import SuggestionPhoto, TaskPhoto
from feedback.services import photos


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


@shared_task
def send_rider_text(text_id: int) -> str | None:
    """A text to a suggestion's submitter, enqueued when the change that calls for it commits
    (feedback.texts.tell_rider). Safe to run twice: a text is sent once."""
    return texts.send(text_id)


@shared_task
def sweep_rider_texts() -> int:
    """Every 10 minutes (migration 0015): send again the texts to submitters that failed or were
    never picked up (feedback.texts.to_retry)."""
    return texts.sweep(timezone.now())


@shared_task
def follow_up_desk() -> dict[str, int]:
    """The department desk's follow-up, every 15 minutes by the periodic task of the migration
    that added it; it acts only in working hours: tasks not acknowledged (签收) in time are
    reminded, then escalated, and overdue tasks are escalated within hours of their deadline
    (a 紧急 task is due in hours, not days). Safe to run twice (feedback.followup)."""
    return followup.follow_up_desk(timezone.now())


@shared_task
def process_suggestion_photo(photo_id: int) -> str | None:
    """A rider's photo, enqueued when the suggestion is filed: turned upright, re-encoded without
    EXIF into a display copy and a thumbnail, its upload deleted (feedback.services.photos).
    Safe to run twice: a photo is processed once."""
    return photos.process(SuggestionPhoto, photo_id)


@shared_task
def process_task_photo(photo_id: int) -> str | None:
    """A department's result photo, enqueued with the 办结; as process_suggestion_photo."""
    return photos.process(TaskPhoto, photo_id)


@shared_task
def sweep_photos() -> int:
    """Every 5 minutes (migration 0022): process the photos left pending (a lost message, a
    worker stopped mid-way; feedback.services.photos.sweep)."""
    return photos.sweep(timezone.now())
