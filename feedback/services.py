"""The suggestion loop's state changes: collect → assess → split into tasks → follow through.

Each change is one transaction that also writes its timeline Event. A change applies only from
the states it names and, for staff forms, only to the version of the suggestion the form was
shown with: of two staff acting at once, the second is refused instead of overwriting the first.
"""

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from feedback.models import (
    FOLLOWER_STATES,
    Category,
    Department,
    Event,
    State,
    Suggestion,
    SuggestionPhoto,
    Task,
)
from points.models import EntryKind
from points.services import award, cause_of
from portal.inbox import notify
from portal.models import Area, AuditLog, Role, User
from registry.models import Worker

logger = logging.getLogger(__name__)


class FeedbackError(Exception):
    """A change that cannot be made; the message is for the person who tried it."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass
class PreparedPhoto:
    """An upload already checked and re-encoded without EXIF (feedback.photos.prepare)."""

    display: ContentFile
    thumbnail: ContentFile


def _written(text: str, code: str, message: str) -> str:
    """Text a change needs, without surrounding blanks; blank text is refused with `message`."""
    text = text.strip()
    if not text:
        raise FeedbackError(code, message)
    return text


def _record(suggestion, kind, *, by=None, task=None, text="", public=True, before=None):
    """The timeline event of a change; one that moved the suggestion to another state (from
    `before`) is written to the audit log too."""
    if before:
        AuditLog.record(
            by,
            AuditLog.Action.STATE_CHANGED,
            f"{suggestion.tracking_code}: {State(before).label} → {suggestion.get_state_display()}",
            subject=suggestion,
        )
    return Event.objects.create(
        suggestion=suggestion,
        task=task,
        kind=kind,
        actor=by,
        from_state=before or "",
        to_state=suggestion.state if before else "",
        text=text,
        public=public,
    )


def _change(suggestion: Suggestion, allowed: list[State], version: int | None, **updates):
    """Apply `updates` if the suggestion is still in one of the `allowed` states (and, given a
    version, still that version); otherwise refuse with the reason. Updates `suggestion`."""
    rows = Suggestion.objects.filter(pk=suggestion.pk, state__in=allowed)
    if version is not None:
        rows = rows.filter(version=version)
    now = timezone.now()
    if rows.update(version=F("version") + 1, updated_at=now, **updates) == 1:
        before = suggestion.state
        suggestion.refresh_from_db()
        return before
    current = Suggestion.objects.get(pk=suggestion.pk)
    if current.state not in allowed:
        raise FeedbackError(
            "state",
            _("This cannot be done to a suggestion that is “%(state)s”.")
            % {"state": current.get_state_display()},
        )
    raise FeedbackError(
        "conflict",
        _(
            "Someone else changed this suggestion while you were looking at it. "
            "Nothing was saved: look at it again and redo your change if it is still needed."
        ),
    )


def registered_worker(mobile: str) -> Worker | None:
    """The consenting worker with this mobile."""
    if not mobile:
        return None
    return Worker.objects.consenting().filter(mobile=mobile).first()


def submit(
    details: dict,
    photos: list[PreparedPhoto] = (),
    *,
    channel: str,
    area: Area,
    station=None,
    by=None,
    worker: Worker | None = None,
) -> Suggestion:
    """File a suggestion: from the public form (by=None) or entered by staff for a rider.

    `details`: category, text, and optionally name, mobile, latitude, longitude, address.
    `worker`: the rider it is filed for, who earns a hazard report's points: on the public form
    the signed-in rider (registry.riders), never whoever owns a typed mobile; staff entering it
    vouch for the mobile they were given, so without a `worker` theirs is found by it.
    """
    if worker is None and by is not None:
        worker = registered_worker(details.get("mobile", ""))
    with transaction.atomic():
        suggestion = Suggestion.objects.create(
            **details,
            area=area,
            station=station,
            channel=channel,
            created_by=by,
            worker=worker,
        )
        for photo in photos:
            SuggestionPhoto.objects.create(
                suggestion=suggestion, image=photo.display, thumbnail=photo.thumbnail
            )
        _record(suggestion, Event.Kind.SUBMITTED, by=by)
    return suggestion


def accept(suggestion: Suggestion, *, version: int | None, by, note: str = "") -> None:
    with transaction.atomic():
        before = _change(
            suggestion, [State.SUBMITTED], version, state=State.ACCEPTED, assessed_at=timezone.now()
        )
        _record(suggestion, Event.Kind.ACCEPTED, by=by, text=note, before=before)
        if suggestion.category == Category.HAZARD and suggestion.worker_id:
            award(
                suggestion.worker,
                settings.FEEDBACK_HAZARD_POINTS,
                EntryKind.HAZARD_ACCEPTED,
                cause=cause_of(suggestion),
                note=suggestion.tracking_code,
                by=by,
            )


def reject(suggestion: Suggestion, *, version: int | None, reply: str, by) -> None:
    reply = _written(reply, "reply", _("Write a reply to the submitter saying why."))
    now = timezone.now()
    with transaction.atomic():
        before = _change(
            suggestion,
            [State.SUBMITTED],
            version,
            state=State.REJECTED,
            reply=reply,
            replied_at=now,
            assessed_at=now,
            closed_at=now,
        )
        _record(suggestion, Event.Kind.REJECTED, by=by, text=reply, before=before)


def _root(suggestion: Suggestion) -> Suggestion:
    while suggestion.original_id:
        suggestion = suggestion.original
    return suggestion


def _follow(suggestion, original, state, kind, *, version, by, **updates) -> Suggestion:
    original = _root(original)
    if original.pk == suggestion.pk:
        raise FeedbackError("original", _("A suggestion cannot follow itself."))
    before = _change(
        suggestion,
        [State.SUBMITTED],
        version,
        state=state,
        original=original,
        assessed_at=timezone.now(),
        **updates,
    )
    _record(suggestion, kind, by=by, text=original.tracking_code, before=before)
    return original


def mark_duplicate(
    suggestion: Suggestion, original: Suggestion, *, version: int | None, by, reply: str = ""
):
    """The same matter was reported before: this one follows the original's outcome. An
    optional reply tells the submitter so at once."""
    reply = reply.strip()
    replied = {"reply": reply, "replied_at": timezone.now()} if reply else {}
    with transaction.atomic():
        _follow(
            suggestion,
            original,
            State.DUPLICATE,
            Event.Kind.MARKED_DUPLICATE,
            version=version,
            by=by,
            **replied,
        )
        if reply:
            _record(suggestion, Event.Kind.REPLIED, by=by, text=reply)


def merge(suggestion: Suggestion, into: Suggestion, *, version: int | None, by):
    """Fold this suggestion into another: its text and photos join the other, whose outcome it
    follows from now on."""
    with transaction.atomic():
        into = _follow(suggestion, into, State.MERGED, Event.Kind.MERGED, version=version, by=by)
        suggestion.photos.update(suggestion=into)
        _record(
            into,
            Event.Kind.MERGED_IN,
            by=by,
            text=f"{suggestion.tracking_code}: {suggestion.text}",
            public=False,
        )
        Suggestion.objects.filter(pk=into.pk).update(version=F("version") + 1)


def transfer(suggestion: Suggestion, area: Area, *, version: int | None, by, note: str = ""):
    """Pass a suggestion waiting for assessment to another area's queue."""
    if area.pk == suggestion.area_id:
        raise FeedbackError("area", _("The suggestion is already in that area."))
    with transaction.atomic():
        _change(suggestion, [State.SUBMITTED], version, area=area, queued_at=timezone.now())
        text = f"{area.name}: {note}" if note else area.name
        _record(suggestion, Event.Kind.TRANSFERRED, by=by, text=text)


def add_task(
    suggestion: Suggestion, department: Department, *, instructions: str, due_on: date, by
) -> Task:
    """Give one department its part of an accepted suggestion; its handlers are told."""
    with transaction.atomic():
        _change(suggestion, [State.ACCEPTED], None)
        task = Task.objects.create(
            suggestion=suggestion,
            department=department,
            instructions=instructions,
            due_on=due_on,
            created_by=by,
        )
        _record(suggestion, Event.Kind.TASK_ASSIGNED, by=by, task=task, text=department.name)
        for handler in department.handlers.filter(is_active=True):
            notify(
                handler,
                _("New task %(code)s, due %(date)s")
                % {"code": suggestion.tracking_code, "date": due_on.isoformat()},
                instructions,
                reverse("feedback:task", args=[task.pk]),
            )
    return task


def add_note(task: Task, text: str, *, by) -> None:
    text = _written(text, "note", _("Write the progress note."))
    if task.state != Task.State.OPEN:
        raise FeedbackError("state", _("This task is already done."))
    with transaction.atomic():
        _record(task.suggestion, Event.Kind.TASK_NOTE, by=by, task=task, text=text, public=False)


def complete_task(task: Task, *, result: str, by) -> None:
    """The department says what it did; the task is done. Done once: a second click is refused."""
    result = _written(result, "result", _("Say what was done."))
    now = timezone.now()
    with transaction.atomic():
        done = Task.objects.filter(pk=task.pk, state=Task.State.OPEN).update(
            state=Task.State.DONE,
            result=result,
            done_at=now,
            done_by=by,
            version=F("version") + 1,
        )
        if not done:
            raise FeedbackError("state", _("This task is already done."))
        task.refresh_from_db()
        Suggestion.objects.filter(pk=task.suggestion_id).update(version=F("version") + 1)
        # Internal: staff may show it to the submitter when they resolve the suggestion.
        _record(
            task.suggestion,
            Event.Kind.TASK_DONE,
            by=by,
            task=task,
            text=f"{task.department.name}: {result}",
            public=False,
        )
        if task.created_by and task.created_by.is_active:
            notify(
                task.created_by,
                _("%(department)s finished its task for %(code)s")
                % {"department": task.department.name, "code": task.suggestion.tracking_code},
                result,
                reverse("feedback:suggestion", args=[task.suggestion_id]),
            )


def resolve(
    suggestion: Suggestion, *, version: int | None, reply: str, by, publish_results: bool = False
) -> None:
    """All tasks are done: write the reply to the submitter and mark the suggestion resolved.
    The departments' results stay internal unless staff `publish_results`: then the tracking
    page shows them too."""
    reply = _written(reply, "reply", _("Write the reply to the submitter."))
    tasks = suggestion.tasks.all()
    if not tasks.exists():
        raise FeedbackError("tasks", _("Split the suggestion into at least one task first."))
    if tasks.filter(state=Task.State.OPEN).exists():
        raise FeedbackError("tasks", _("Some tasks are not done yet."))
    now = timezone.now()
    with transaction.atomic():
        before = _change(
            suggestion,
            [State.ACCEPTED],
            version,
            state=State.RESOLVED,
            reply=reply,
            replied_at=now,
            resolved_at=now,
        )
        _record(suggestion, Event.Kind.RESOLVED, by=by, text=reply, before=before)
        if publish_results:
            suggestion.events.filter(kind=Event.Kind.TASK_DONE).update(public=True)


def rate(suggestion: Suggestion, *, rating: int, comment: str = "") -> None:
    """The submitter rates a resolved suggestion 1–5, once; that closes it."""
    if not 1 <= rating <= 5:
        raise FeedbackError("rating", _("Choose from 1 to 5 stars."))
    now = timezone.now()
    with transaction.atomic():
        before = _change(
            suggestion,
            [State.RESOLVED],
            None,
            state=State.CLOSED,
            rating=rating,
            rating_comment=comment.strip(),
            rated_at=now,
            closed_at=now,
        )
        text = f"{'★' * rating}{'☆' * (5 - rating)} {comment.strip()}".strip()
        _record(suggestion, Event.Kind.RATED, text=text, before=before)


def reopen(suggestion: Suggestion, *, comment: str = "") -> None:
    """The submitter says it is not solved: back to the triage queue."""
    with transaction.atomic():
        before = _change(
            suggestion,
            [State.RESOLVED],
            None,
            state=State.SUBMITTED,
            resolved_at=None,
            queued_at=timezone.now(),
        )
        _record(suggestion, Event.Kind.REOPENED, text=comment.strip(), before=before)


def close_unrated(suggestion: Suggestion) -> None:
    """A resolved suggestion nobody rated in FEEDBACK_AUTO_CLOSE_DAYS closes itself."""
    with transaction.atomic():
        before = _change(
            suggestion, [State.RESOLVED], None, state=State.CLOSED, closed_at=timezone.now()
        )
        _record(suggestion, Event.Kind.CLOSED, before=before)


def hide_photo(photo: SuggestionPhoto, *, by) -> None:
    with transaction.atomic():
        if not SuggestionPhoto.objects.filter(pk=photo.pk, hidden=False).update(hidden=True):
            raise FeedbackError("photo", _("This photo is already hidden."))
        photo.hidden = True
        Suggestion.objects.filter(pk=photo.suggestion_id).update(version=F("version") + 1)
        _record(photo.suggestion, Event.Kind.PHOTO_HIDDEN, by=by, public=False)


def assessors_of(area: Area):
    """Community staff whose scope holds `area`: those who assess its suggestions."""
    return User.objects.filter(
        role=Role.COMMUNITY_STAFF, is_active=True, area_id__in=area.path_ids()
    )


# ---------------------------------------------------------------------------------------------
# Retention (PIPL): a suggestion's photos are kept no longer than its case needs them.

FINISHED_STATES = [State.CLOSED, State.REJECTED]
RETENTION_BATCH = 500


def photos_past_retention(now: datetime):
    """Photos, hidden ones too, of suggestions closed or rejected more than
    FEEDBACK_PHOTO_RETENTION_DAYS ago. A duplicate's photos go with its original's (through up
    to three links, as in feedback.open311.with_status), but not before it was marked that long
    ago itself; a merged suggestion's photos moved to the one it was merged into."""
    cutoff = now - timedelta(days=settings.FEEDBACK_PHOTO_RETENTION_DAYS)
    match, chain, path = Q(), Q(), "suggestion__"
    for _depth in range(4):
        finished = {f"{path}state__in": FINISHED_STATES, f"{path}closed_at__lt": cutoff}
        match |= chain & Q(**finished)
        chain &= Q(**{f"{path}state__in": FOLLOWER_STATES, f"{path}assessed_at__lt": cutoff})
        path += "original__"
    return SuggestionPhoto.objects.filter(match)


def delete_expired_photos(now: datetime) -> int:
    """Delete the rows of the photos past retention, and their files once the rows are gone
    (after commit); returns how many photos. A second run finds nothing more to delete.

    The log line gives counts only: a photo may show a face or a number plate, and its
    suggestion names its submitter."""
    days = settings.FEEDBACK_PHOTO_RETENTION_DAYS
    if not days:
        logger.info("retention: suggestion photos are kept (FEEDBACK_PHOTO_RETENTION_DAYS=0)")
        return 0
    photos, suggestions = 0, set()
    while True:
        with transaction.atomic():
            batch = list(
                photos_past_retention(now)
                # A second run at the same moment takes the rows this one does not hold.
                .select_for_update(skip_locked=True, of=("self",))
                .order_by("id")[:RETENTION_BATCH]
            )
            if not batch:
                break
            SuggestionPhoto.objects.filter(pk__in=[photo.pk for photo in batch]).delete()
            for photo in batch:
                for file in (photo.image, photo.thumbnail):
                    if file.name:
                        # robust: one file that cannot be deleted does not keep the others.
                        transaction.on_commit(partial(file.storage.delete, file.name), robust=True)
        photos += len(batch)
        suggestions.update(photo.suggestion_id for photo in batch)
    logger.info(
        "retention: deleted %d suggestion photos of %d suggestions closed more than %d days ago",
        photos,
        len(suggestions),
        days,
    )
    return photos


def take_over_suggestions(sender, *, duplicate, kept, **kwargs) -> None:
    """registry.services.worker_merged: the duplicate registration's suggestions (and the hazard
    points still to come for them) are the kept worker's."""
    Suggestion.objects.filter(worker=duplicate).update(worker=kept)
