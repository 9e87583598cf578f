"""The suggestion loop's state changes: collect → assess → split into tasks → follow through.

Each change is one transaction that also writes its timeline Event. A change applies only from
the states it names and, for staff forms, only to the version of the suggestion the form was
shown with: of two staff acting at once, the second is refused instead of overwriting the first.
"""

import logging
import re
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from feedback.calendar import deadline, end_of_day, moment_text
from feedback.models import (
    FOLLOWER_STATES,
    SHOWN_STATES,
    Callback,
    Category,
    DeadlineUnit,
    Department,
    Event,
    IssueType,
    State,
    Suggestion,
    SuggestionPhoto,
    SuggestionText,
    Support,
    Task,
    TaskPhoto,
    UrgencyClass,
)
from feedback.services import photos as processing
from feedback.texts import tell_rider
from points.models import EntryKind
from points.services.ledger import award, cause_of
from portal.errors import DomainError
from portal.inbox import notify
from portal.models import Area, AuditLog, Role, User
from registry.models import Worker
from registry.selectors import consenting_worker
from stations.services import landing_pages_changed

logger = logging.getLogger(__name__)


class FeedbackError(DomainError):
    """A change of a suggestion or its tasks that cannot be made, and why."""


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


def submit(
    details: dict,
    photos: Sequence[File] = (),
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
    the signed-in rider (registry.services.riders), never whoever owns a typed mobile; staff
    entering it vouch for the mobile they were given, so without a `worker` theirs is found by it.
    """
    if worker is None and by is not None:
        worker = consenting_worker(details.get("mobile", ""))
    if issue_type := details.get("issue_type"):
        details = {**details, "category": issue_type.category}
    with transaction.atomic():
        suggestion = Suggestion.objects.create(
            **details,
            area=area,
            station=station,
            channel=channel,
            created_by=by,
            worker=worker,
        )
        # Stored as uploaded and processed by a task once this commits (feedback.services.photos).
        processing.add(SuggestionPhoto, photos, suggestion=suggestion)
        _record(suggestion, Event.Kind.SUBMITTED, by=by)
    return suggestion


# `issue_type` left out: the suggestion keeps the one it has.
KEEP = object()


def _issue_type_change(suggestion: Suggestion, issue_type) -> dict:
    """The fields that give `suggestion` the issue type (or none), with the type's category."""
    if issue_type is KEEP or getattr(issue_type, "pk", None) == suggestion.issue_type_id:
        return {}
    if issue_type is None:
        return {"issue_type": None}
    return {"issue_type": issue_type, "category": issue_type.category}


def _record_issue_type(suggestion: Suggestion, before: str, *, by) -> None:
    """The timeline row of a new issue type: from what to what, category included."""
    after = suggestion.get_category_display()
    if suggestion.issue_type:
        after = f"{after} · {suggestion.issue_type.name}"
    _record(suggestion, Event.Kind.ISSUE_TYPE_CHANGED, by=by, text=f"{before} → {after}")


def _kind(suggestion: Suggestion) -> str:
    kind = suggestion.get_category_display()
    return f"{kind} · {suggestion.issue_type.name}" if suggestion.issue_type else kind


def hazard_points(suggestion: Suggestion) -> int:
    """What an accepted hazard report earns: its issue type's points, or the usual ones."""
    if suggestion.issue_type and suggestion.issue_type.points:
        return suggestion.issue_type.points
    return settings.FEEDBACK_HAZARD_POINTS


def accept(
    suggestion: Suggestion, *, version: int | None, by, note: str = "", issue_type=KEEP
) -> None:
    """Take the suggestion up; staff may give it its issue type (or another) as they do."""
    retyped = _issue_type_change(suggestion, issue_type)
    kind = _kind(suggestion) if retyped else ""
    with transaction.atomic():
        before = _change(
            suggestion,
            [State.SUBMITTED],
            version,
            state=State.ACCEPTED,
            assessed_at=timezone.now(),
            **retyped,
        )
        if retyped:
            _record_issue_type(suggestion, kind, by=by)
        _record(suggestion, Event.Kind.ACCEPTED, by=by, text=note, before=before)
        tell_rider(suggestion, SuggestionText.Kind.ACCEPTED)
        if suggestion.category == Category.HAZARD and suggestion.worker_id:
            award(
                suggestion.worker,
                hazard_points(suggestion),
                EntryKind.HAZARD_ACCEPTED,
                cause=cause_of(suggestion),
                note=suggestion.tracking_code,
                by=by,
            )


def set_issue_type(
    suggestion: Suggestion, issue_type: IssueType | None, *, version: int | None, by
) -> None:
    """Staff correct the issue type (and with it the category) in any state, for the figures
    counted by type. Points a hazard report already earned stay as they were."""
    retyped = _issue_type_change(suggestion, issue_type)
    if not retyped:
        raise FeedbackError("issue_type", _("The suggestion already has this issue type."))
    kind = _kind(suggestion)
    with transaction.atomic():
        _change(suggestion, list(State), version, **retyped)
        _record_issue_type(suggestion, kind, by=by)


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
        tell_rider(suggestion, SuggestionText.Kind.REJECTED)


def _follow(suggestion, original, state, kind, *, version, by, **updates) -> Suggestion:
    original = original.outcome()
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
    tell_rider(suggestion, SuggestionText.Kind.FOLLOWS)
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


def _issue_type_urgency(suggestion: Suggestion) -> UrgencyClass | None:
    issue_type = suggestion.issue_type
    return issue_type.urgency if issue_type is not None else None


def add_task(
    suggestion: Suggestion,
    department: Department,
    *,
    instructions: str,
    by,
    urgency: UrgencyClass | None = None,
    due_on: date | None = None,
) -> Task:
    """Give one department its part of an accepted suggestion; its handlers are told.

    The task must be acknowledged (签收) and finished by the deadlines of its `urgency` class
    (the default class when none is given), counted on the working-day calendar from now;
    `due_on`, when staff set a day themselves, is the deadline instead (that day's end)."""
    now = timezone.now()
    # Unless staff chose one: the issue type's class, else the default one.
    urgency = urgency or _issue_type_urgency(suggestion) or UrgencyClass.objects.default()
    if due_on is not None:
        due_at = end_of_day(due_on)
    elif urgency is not None:
        due_at = urgency.due_at(now)
    else:
        due_at = deadline(now, settings.FEEDBACK_TASK_DUE_WORKING_DAYS, DeadlineUnit.WORKING_DAYS)
    if urgency is not None:
        acknowledge_by = deadline(now, urgency.acknowledge_within, urgency.acknowledge_unit)
    else:
        acknowledge_by = deadline(now, 1, DeadlineUnit.WORKING_DAYS)
    # Never due for acknowledgement after it is due.
    acknowledge_by = min(acknowledge_by, due_at)
    with transaction.atomic():
        _change(suggestion, [State.ACCEPTED], None)
        task = Task.objects.create(
            suggestion=suggestion,
            department=department,
            instructions=instructions,
            urgency=urgency,
            due_at=due_at,
            acknowledge_by=acknowledge_by,
            created_by=by,
        )
        _record(suggestion, Event.Kind.TASK_ASSIGNED, by=by, task=task, text=department.name)
        for handler in department.handlers.filter(is_active=True):
            notify(
                handler,
                _("New task %(code)s: acknowledge by %(acknowledge)s, due %(due)s")
                % {
                    "code": suggestion.tracking_code,
                    "acknowledge": moment_text(acknowledge_by),
                    "due": moment_text(due_at),
                },
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


def complete_task(
    task: Task,
    *,
    result: str,
    by,
    photos: Sequence[File] = (),
    version: int | None = None,
) -> None:
    """The department says what it did (办结), with photos of the result if it took any (re-encoded
    without EXIF by a task: feedback.services.photos; staff see them, the submitter only once
    staff publish them); the task is done. Done once: a second click is refused, and so is a form
    shown before another change to the task (its `version`)."""
    result = _written(result, "result", _("Say what was done."))
    now = timezone.now()
    with transaction.atomic():
        rows = Task.objects.filter(pk=task.pk, state=Task.State.OPEN)
        if version is not None and rows.exclude(version=version).exists():
            raise FeedbackError(
                "conflict",
                _(
                    "Someone else changed this task while you were looking at it. Nothing was "
                    "saved: look at it again and redo your change if it is still needed."
                ),
            )
        done = rows.update(
            state=Task.State.DONE,
            result=result,
            done_at=now,
            done_by=by,
            version=F("version") + 1,
        )
        if not done:
            raise FeedbackError("state", _("This task is already done."))
        task.refresh_from_db()
        processing.add(TaskPhoto, photos, task=task)
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
    if not tasks.filter(state=Task.State.DONE).exists():
        raise FeedbackError(
            "tasks",
            _(
                "Every task was returned: give the suggestion to another department, or close it "
                "with a reply."
            ),
        )
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
        tell_rider(suggestion, SuggestionText.Kind.RESOLVED)
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
        tell_rider(suggestion, SuggestionText.Kind.CLOSED)


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
        tell_rider(suggestion, SuggestionText.Kind.REOPENED)


def close_unrated(suggestion: Suggestion) -> None:
    """A resolved suggestion nobody rated in FEEDBACK_AUTO_CLOSE_DAYS closes itself."""
    with transaction.atomic():
        before = _change(
            suggestion, [State.RESOLVED], None, state=State.CLOSED, closed_at=timezone.now()
        )
        _record(suggestion, Event.Kind.CLOSED, before=before)
        tell_rider(suggestion, SuggestionText.Kind.CLOSED)


def record_rectification(suggestion: Suggestion, text: str, *, by) -> None:
    """差评整改: what staff did about a low rating (online or on a callback) or a reopening, on
    the timeline for staff (feedback.ledger). Any state: a suggestion rated low is closed."""
    text = _written(text, "text", _("Say what was done."))
    low = (
        Q(rating__lte=3)
        | Q(callbacks__reached=True, callbacks__satisfaction__lte=3)
        | Q(events__kind=Event.Kind.REOPENED)
    )
    if not Suggestion.objects.filter(low, pk=suggestion.pk).exists():
        raise FeedbackError(
            "rectification",
            _("Only a suggestion rated 1 to 3 stars, or reopened, has a rectification to record."),
        )
    with transaction.atomic():
        Suggestion.objects.filter(pk=suggestion.pk).update(version=F("version") + 1)
        _record(suggestion, Event.Kind.RECTIFIED, by=by, text=text, public=False)


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


def photos_past_retention(now: datetime, model=SuggestionPhoto, to_suggestion="suggestion"):
    """Photos, hidden ones too, of suggestions closed or rejected more than
    FEEDBACK_PHOTO_RETENTION_DAYS ago. A duplicate's photos go with its original's (through up
    to three links, as in feedback.open311.with_status), but not before it was marked that long
    ago itself; a merged suggestion's photos moved to the one it was merged into. `model` and
    `to_suggestion`: the departments' result photos (TaskPhoto, "task__suggestion") go alike."""
    cutoff = now - timedelta(days=settings.FEEDBACK_PHOTO_RETENTION_DAYS)
    match, chain, path = Q(), Q(), f"{to_suggestion}__"
    for _depth in range(4):
        finished = {f"{path}state__in": FINISHED_STATES, f"{path}closed_at__lt": cutoff}
        match |= chain & Q(**finished)
        chain &= Q(**{f"{path}state__in": FOLLOWER_STATES, f"{path}assessed_at__lt": cutoff})
        path += "original__"
    return model.objects.filter(match)


def delete_expired_photos(now: datetime) -> int:
    """Delete the rows of the photos past retention, and their files once the rows are gone
    (after commit); returns how many photos. A second run finds nothing more to delete.

    The log line gives counts only: a photo may show a face or a number plate, and its
    suggestion names its submitter."""
    days = settings.FEEDBACK_PHOTO_RETENTION_DAYS
    if not days:
        logger.info("retention: suggestion photos are kept (FEEDBACK_PHOTO_RETENTION_DAYS=0)")
        return 0
    photos = 0
    suggestions: set[int] = set()
    for model, to_suggestion in ((SuggestionPhoto, "suggestion"), (TaskPhoto, "task__suggestion")):
        while True:
            # Durable: each batch commits, and its files go, before the next; never inside a
            # caller's.
            with transaction.atomic(durable=True):
                batch = list(
                    photos_past_retention(now, model, to_suggestion)
                    # A second run at the same moment takes the rows this one does not hold.
                    .select_for_update(skip_locked=True, of=("self",))
                    .values("pk", "image", "thumbnail", "original", f"{to_suggestion}_id")
                    .order_by("id")[:RETENTION_BATCH]
                )
                if not batch:
                    break
                model.objects.filter(pk__in=[photo["pk"] for photo in batch]).delete()
                storage = model._meta.get_field("image").storage
                for photo in batch:
                    for name in (photo["image"], photo["thumbnail"], photo["original"]):
                        if name:
                            # robust: one file that cannot be deleted does not keep the others.
                            transaction.on_commit(partial(storage.delete, name), robust=True)
            photos += len(batch)
            suggestions.update(photo[f"{to_suggestion}_id"] for photo in batch)
    logger.info(
        "retention: deleted %d suggestion photos of %d suggestions closed more than %d days ago",
        photos,
        len(suggestions),
        days,
    )
    return photos


def take_over_suggestions(sender, *, duplicate, kept, **kwargs) -> None:
    """registry.services.worker_merged: the duplicate registration's suggestions (and the hazard
    points still to come for them) are the kept worker's, and so are its 我也遇到了, except
    where the kept worker said the same (one per rider: that one stays with the duplicate)."""
    Suggestion.objects.filter(worker=duplicate).update(worker=kept)
    kept_supports = Support.objects.filter(worker=kept).values("suggestion")
    duplicate.supports.exclude(suggestion__in=kept_supports).update(worker=kept)


# ---------------------------------------------------------------------------------------------
# Shown where riders scan: the public summary, and 我也遇到了.

# What a public summary must not carry: a mainland mobile or a resident ID number.
PERSONAL_NUMBER = re.compile(r"(?<!\d)(1[3-9]\d{9}|\d{17}[\dXx])(?!\d)")


def publish_summary(suggestion: Suggestion, summary: str, *, version: int | None, by) -> None:
    """Write or approve the short public summary that the station's page and the friendly map
    show: approving it publishes the suggestion there (its category, the summary, the date).
    Approving again replaces the words; the timeline keeps each version and who approved it."""
    summary = _written(summary, "summary", _("Write the public summary."))
    if PERSONAL_NUMBER.search(summary) or (suggestion.name and suggestion.name in summary):
        raise FeedbackError(
            "personal",
            _(
                "The public summary must not carry the submitter's name, a phone number or an ID "
                "number: riders at the station read it."
            ),
        )
    with transaction.atomic():
        _change(
            suggestion,
            SHOWN_STATES,
            version,
            public_summary=summary,
            summary_approved_at=timezone.now(),
            summary_approved_by=by,
        )
        _record(suggestion, Event.Kind.SUMMARY_PUBLISHED, by=by, text=summary, public=False)
        transaction.on_commit(landing_pages_changed)


def withdraw_summary(suggestion: Suggestion, *, version: int | None, by) -> None:
    """Take the suggestion off the stations' pages and the map."""
    if not suggestion.is_published:
        raise FeedbackError("summary", _("This suggestion is not published."))
    with transaction.atomic():
        _change(
            suggestion,
            list(State),
            version,
            public_summary="",
            summary_approved_at=None,
            summary_approved_by=None,
        )
        _record(suggestion, Event.Kind.SUMMARY_WITHDRAWN, by=by, public=False)
        transaction.on_commit(landing_pages_changed)


def support(suggestion: Suggestion, worker: Worker) -> bool:
    """我也遇到了: the signed-in rider met the same open, published matter. Counted once per rider;
    True when this was the rider's first, False when they had said so before. Staff see the count
    on the suggestion's page and in the queue; nothing new is filed."""
    if not (suggestion.is_open and suggestion.is_published):
        raise FeedbackError(
            "state", _("This report is no longer open, so it needs no more support.")
        )
    if suggestion.worker_id == worker.pk:
        raise FeedbackError("own", _("This is your own report: it already counts you."))
    try:
        with transaction.atomic():
            Support.objects.create(suggestion=suggestion, worker=worker)
            _record(suggestion, Event.Kind.SUPPORTED, public=False)
    except IntegrityError:
        return False  # the unique constraint: this rider said so before (or a double tap)
    return True


# ---------------------------------------------------------------------------------------------
# The submitter told (feedback.texts) and called back (回访)


def stop_texts(suggestion: Suggestion) -> None:
    """The submitter stops the text messages about their suggestion, from its tracking page:
    none is sent from now on, not even one already waiting or to be tried again."""
    now = timezone.now()
    with transaction.atomic():
        stopped = Suggestion.objects.filter(pk=suggestion.pk, texts_stopped_at__isnull=True)
        if not stopped.update(texts_stopped_at=now):
            raise FeedbackError(
                "texts", _("The text messages about this suggestion are stopped already.")
            )
        suggestion.texts_stopped_at = now
        suggestion.texts.filter(
            state__in=[SuggestionText.State.PENDING, SuggestionText.State.FAILED]
        ).update(state=SuggestionText.State.DROPPED)
        _record(suggestion, Event.Kind.TEXTS_STOPPED, public=False)


def callback_refusal(suggestion: Suggestion, callbacks: Sequence[Callback]) -> FeedbackError | None:
    """Why no callback can be recorded for the suggestion now, or None when one can: it must be
    resolved, or closed without a rating, and its submitter not rated online nor reached by an
    earlier callback. `callbacks`: the suggestion's callbacks so far."""
    if suggestion.rating is not None:
        return FeedbackError(
            "rated", _("The submitter rated the outcome online: no callback is needed.")
        )
    if suggestion.state not in (State.RESOLVED, State.CLOSED):
        return FeedbackError(
            "state",
            _("A callback is made once a suggestion is resolved; this one is “%(state)s”.")
            % {"state": suggestion.get_state_display()},
        )
    if any(callback.reached for callback in callbacks):
        return FeedbackError(
            "reached", _("An earlier callback reached the submitter: it is recorded below.")
        )
    return None


def record_callback(
    suggestion: Suggestion, *, reached: bool, satisfaction: int | None, words: str, by
) -> Callback:
    """回访: staff called the submitter of a resolved suggestion who did not rate it online.
    Reached, with their satisfaction 1–5, the call closes a suggestion still resolved (as a
    rating online would); not reached, it is recorded and the suggestion stays as it is, so
    staff may call again."""
    score = satisfaction if reached else None
    if reached and (score is None or not 1 <= score <= 5):
        raise FeedbackError("satisfaction", _("Choose how satisfied the submitter is, 1 to 5."))
    words = words.strip()
    with transaction.atomic():
        # Held while the callback is written: two staff recording at once make one reached call.
        current = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
        refusal = callback_refusal(current, list(current.callbacks.all()))
        if refusal:
            raise refusal
        callback = Callback.objects.create(
            suggestion=current,
            by=by,
            reached=reached,
            satisfaction=score,
            words=words,
        )
        if score is not None:
            text = _("Reached, satisfaction %(stars)s") % {
                "stars": f"{'★' * score}{'☆' * (5 - score)}"
            }
        else:
            text = _("Not reached")
        _record(
            current,
            Event.Kind.CALLBACK,
            by=by,
            text=f"{text}\n{words}" if words else text,
            public=False,
        )
        if reached and current.state == State.RESOLVED:
            before = _change(
                current, [State.RESOLVED], None, state=State.CLOSED, closed_at=timezone.now()
            )
            _record(current, Event.Kind.CLOSED, by=by, before=before)
            tell_rider(current, SuggestionText.Kind.CLOSED)
    suggestion.refresh_from_db()
    return callback
