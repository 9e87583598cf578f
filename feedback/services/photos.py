"""A photo's life after the upload: stored as it came (privately, never served), then processed
by a task into a display copy and a thumbnail without EXIF (feedback.photos.prepare, ~150 ms of
CPU a photo, kept out of the request), its original deleted.

The photo's state says where it is: PENDING until processed (staff and the tracking page show
"照片处理中"), READY, or FAILED when the task could not decode it (the original is deleted and the
suggestion's timeline says so). A lost message loses nothing: the sweep finds the photos still
pending a few minutes after they were stored and enqueues them again. Processing is safe to run
twice, and two workers never both process a photo: the row is locked (skipped by the other) and
only a PENDING photo is processed.
"""

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import partial
from io import BytesIO

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext as _

from feedback import photos as pixels
from feedback.models import Event, PhotoState, SuggestionPhoto, TaskPhoto
from portal.background import enqueue, enqueue_on_commit

logger = logging.getLogger(__name__)

Photo = SuggestionPhoto | TaskPhoto
PhotoModel = type[SuggestionPhoto] | type[TaskPhoto]

# A photo still pending this long after it was stored lost its message (or its worker).
SWEEP_AFTER = timedelta(minutes=5)
SWEEP_BATCH = 500


def _task(model: PhotoModel):
    from feedback import tasks  # the tasks module imports this one

    return tasks.process_suggestion_photo if model is SuggestionPhoto else tasks.process_task_photo


def add(model: PhotoModel, uploads: Sequence[File], **owner) -> list[Photo]:
    """Store each upload (already checked: feedback.photos.check) as a PENDING photo of `owner`
    (suggestion=… or task=…), processed by a task once the caller's transaction commits."""
    added = []
    for upload in uploads:
        photo = model.objects.create(original=upload, **owner)
        enqueue_on_commit(_task(model), photo.pk)
        added.append(photo)
    return added


def process(model: PhotoModel, pk: int) -> str | None:
    """Process the PENDING photo `pk`: its display copy and thumbnail written, its original
    deleted, READY; or FAILED with a timeline event when its file cannot be decoded. Returns the
    new state, or None when there was nothing to do (processed already, gone, or being processed
    by another worker right now)."""
    with transaction.atomic():
        photo = (
            model.objects.select_for_update(skip_locked=True)
            .filter(pk=pk, state=PhotoState.PENDING)
            .first()
        )
        if photo is None:
            return None
        original = photo.original.name
        try:
            prepared = _prepared(photo)
        except (ValidationError, FileNotFoundError):
            _failed(photo)
        else:
            _ready(photo, prepared)
        if original:
            transaction.on_commit(partial(photo.original.storage.delete, original))
    return photo.state


def _prepared(photo: Photo) -> pixels.PreparedPhoto:
    """The two copies; ValidationError for a file that cannot be decoded, FileNotFoundError for
    an upload no longer there. A failure to reach the storage propagates: the task is retried
    (portal.background.Task), and the sweep finds the photo still pending."""
    # Read whole first (at most FEEDBACK_PHOTO_MAX_BYTES), so that a storage failure is never
    # taken for the decoder's.
    with photo.original.open("rb") as file:
        content = BytesIO(file.read())
    try:
        return pixels.prepare(content, photo.original.name)
    except ValidationError:
        raise
    except Exception as error:
        # A decoder's own failure on a file it cannot read (each library raises its own): run
        # again, it would fail again, so the photo is failed, not retried for ever.
        logger.warning(
            "photo %s %s: the decoder failed (%s)",
            photo._meta.model_name,
            photo.pk,
            type(error).__name__,
        )
        raise ValidationError("undecodable", code="photo_damaged") from error


def _ready(photo: Photo, prepared: pixels.PreparedPhoto) -> None:
    written = []
    try:
        photo.image.save("photo.jpg", prepared.display, save=False)
        written.append(photo.image.name)
        photo.thumbnail.save("thumbnail.jpg", prepared.thumbnail, save=False)
        written.append(photo.thumbnail.name)
        photo.original = ""
        photo.state = PhotoState.READY
        photo.save(update_fields=["image", "thumbnail", "original", "state"])
    except BaseException:
        # Nothing of this run is kept: the photo stays PENDING, its next run writes them again.
        for name in written:
            photo.image.storage.delete(name)
        raise


def _failed(photo: Photo) -> None:
    photo.original = ""
    photo.state = PhotoState.FAILED
    photo.save(update_fields=["original", "state"])
    if isinstance(photo, SuggestionPhoto):
        suggestion, task, public = photo.suggestion, None, True
    else:
        suggestion, task, public = photo.task.suggestion, photo.task, False
    # Not feedback.services._record: that module imports this one.
    Event.objects.create(
        suggestion=suggestion,
        task=task,
        kind=Event.Kind.PHOTO_UNREADABLE,
        text=_("The file sent was damaged, or not a picture that can be opened: it was not kept."),
        public=public,
    )
    # Counts and keys only: nothing of the photo or its sender.
    logger.info("photo %s %s could not be decoded", photo._meta.model_name, photo.pk)


def left_pending(now: datetime, model: PhotoModel) -> list[int]:
    """The photos of `model` still PENDING SWEEP_AFTER after they were stored, oldest first."""
    rows = model.objects.filter(state=PhotoState.PENDING, created_at__lte=now - SWEEP_AFTER)
    return list(rows.order_by("created_at").values_list("pk", flat=True)[:SWEEP_BATCH])


def sweep(now: datetime) -> int:
    """Enqueue again the photos left pending (a lost message, a worker stopped mid-way);
    returns how many. A photo processed meanwhile is skipped by its task."""
    count = 0
    for model in (SuggestionPhoto, TaskPhoto):
        for pk in left_pending(now, model):
            count += enqueue(_task(model), pk)
    return count
