"""The submitter is told: a text message when their suggestion is accepted, not taken up,
resolved, reopened or closed, and, for a hazard, a question some days after it was resolved
("Is it fixed?"). Internal steps (tasks, notes, passing on) send nothing.

Each message is a SuggestionText row written in the transaction of the change (tell_rider), and
sent once that transaction commits by a Celery task (send), which records the outcome on the
staff timeline: sent, or failed with the error's class name. A failed or lost message is tried
again by the periodic sweep, a little later each time, up to MAX_ATTEMPTS; a provider failure is
not retried by Celery within seconds, which would use up the attempts in a minute of outage.

What a text says: the suggestion's category, its tracking link and, when it is not taken up, the
staff's reply (the reply is written to be read by the submitter; the form says it is texted).
Never the suggestion's own text, the name or anything else the submitter wrote. Texts are in
Chinese, the portal's default language, whichever language the staff member's page was in. Logs
name the text and the suggestion by their ids only; the number is read from the suggestion when
the message is sent and is kept nowhere else.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from feedback.models import FOLLOWER_STATES, Category, Event, State, Suggestion, SuggestionText
from portal.background import enqueue_on_commit
from portal.privacy import mask_mobile
from portal.sms import send_sms

logger = logging.getLogger(__name__)

Kind = SuggestionText.Kind
TextState = SuggestionText.State

# Tries of one message, counting the first; the sweep waits RETRY_AFTER × 2**(tries − 1) after
# a failed try (10, 20, 40, 80, 160 minutes: a provider away for about five hours).
MAX_ATTEMPTS = 6
RETRY_AFTER = timedelta(minutes=10)
# A message the after-commit task never picked up (the broker was away) is the sweep's after this.
LOST_AFTER = timedelta(minutes=2)
# A message not sent within this is stale: the news it carries is old, and it is dropped.
STALE_AFTER = timedelta(days=1)
# The sweep's batch.
SWEEP_BATCH = 500
# The reply in a "not taken up" text is cut here (the tracking page has it all).
REPLY_IN_TEXT = 100


def mobile_of(suggestion: Suggestion) -> str:
    """The number to text: the one left on the suggestion, else its signed-in rider's while
    their consent stands; "" when there is none."""
    if suggestion.mobile:
        return suggestion.mobile
    worker = suggestion.worker
    if worker is None or worker.consent_withdrawn_at or worker.anonymised_at:
        return ""
    return worker.mobile


def reachable() -> Q:
    """Suggestions with a number to text and texts not stopped (mobile_of, in a query)."""
    left = ~Q(mobile="")
    rider = Q(
        worker__isnull=False,
        worker__consent_withdrawn_at__isnull=True,
        worker__anonymised_at__isnull=True,
    )
    return (left | rider) & Q(texts_stopped_at__isnull=True)


def tell_rider(suggestion: Suggestion, kind: str, *, at: datetime | None = None) -> None:
    """Inside the transaction of a change: write the text about it and send it once the change
    is committed. Nothing when the submitter left no number or stopped the texts. A resolved
    suggestion's duplicates and merged reports are told too: the outcome is theirs. `at`: when,
    for a change made by a run that is given its time (the daily follow-up)."""
    when = {"created_at": at} if at else {}
    rows = []
    if not suggestion.texts_stopped_at and mobile_of(suggestion):
        rows.append(SuggestionText(suggestion=suggestion, kind=kind, **when))
    if kind == Kind.RESOLVED:
        rows += [
            SuggestionText(suggestion=follower, kind=Kind.ORIGINAL_RESOLVED, **when)
            for follower in _followers(suggestion).filter(reachable())
        ]
    if not rows:
        return
    from feedback.tasks import send_rider_text  # the tasks module imports this one

    for row in rows:
        row.save()
        enqueue_on_commit(send_rider_text, row.pk)


def _followers(suggestion: Suggestion):
    """Duplicates and merged reports that follow this suggestion's outcome, through up to three
    links (as feedback.models.Suggestion.outcome follows them)."""
    chain, match, path = Q(), Q(), ""
    for _depth in range(3):
        chain &= Q(**{f"{path}state__in": FOLLOWER_STATES})
        match |= chain & Q(**{f"{path}original": suggestion})
        path += "original__"
    return Suggestion.objects.filter(match)


def track_url(suggestion: Suggestion) -> str:
    """The tracking page, where the submitter reads the reply, rates, says it is not solved or
    stops the texts."""
    return f"{settings.SITE_URL}{reverse('feedback:track', args=[suggestion.tracking_code])}"


def compose(text: SuggestionText) -> str:
    """The message, in the portal's default language: at most 70 characters, one message, with a
    site address of up to 29 characters (https://portal.example.gov.cn), but for the reply of a
    rejection."""
    suggestion = text.suggestion
    with translation.override(settings.LANGUAGE_CODE):
        words = {
            "category": suggestion.get_category_display(),
            "url": track_url(suggestion),
        }
        if text.kind == Kind.ACCEPTED:
            return _("Your %(category)s was accepted and is being worked on: %(url)s") % words
        if text.kind == Kind.REJECTED:
            reply = " ".join(suggestion.reply.split())
            if len(reply) > REPLY_IN_TEXT:
                reply = reply[: REPLY_IN_TEXT - 1] + "…"
            return _("Your %(category)s was not taken up. Reply: %(reply)s More: %(url)s") % {
                **words,
                "reply": reply,
            }
        if text.kind == Kind.FOLLOWS:
            return (
                _("Your %(category)s is joined with a report of the same matter: %(url)s") % words
            )
        if text.kind == Kind.RESOLVED:
            return _("Your %(category)s is resolved; read the reply and rate it: %(url)s") % words
        if text.kind == Kind.ORIGINAL_RESOLVED:
            return _("The report your %(category)s joined is resolved: %(url)s") % words
        if text.kind == Kind.REOPENED:
            return _("Your %(category)s is reopened; staff will look at it again: %(url)s") % words
        if text.kind == Kind.CLOSED:
            return _("Your %(category)s is closed. Thank you: %(url)s") % words
        return _("Is the hazard you reported fixed? Tell us here: %(url)s") % words


def send(text_id: int) -> str | None:
    """Send one text if it still waits, and record the outcome on the staff timeline; returns
    its state, or None when it was sent already or another run holds it. Safe to run twice."""
    now = timezone.now()
    # Durable: the outcome is committed here, never in a caller's transaction.
    with transaction.atomic(durable=True):
        text = (
            SuggestionText.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("suggestion__worker")
            .filter(pk=text_id, state__in=[TextState.PENDING, TextState.FAILED])
            .first()
        )
        if text is None:
            return None
        suggestion = text.suggestion
        mobile = mobile_of(suggestion)
        if suggestion.texts_stopped_at or not mobile or _stale(text, now):
            text.state = TextState.DROPPED
            text.save(update_fields=["state"])
            return text.state
        body = compose(text)
        text.attempts += 1
        text.last_attempt_at = now
        try:
            send_sms(mobile, body)
        except Exception as error:  # whatever the provider's backend raises
            text.state = TextState.FAILED
            text.last_error = type(error).__name__[:100]
            _failed(text, mobile)
        else:
            text.state = TextState.SENT
            text.sent_at = now
            text.last_error = ""
            _record(text, Event.Kind.TEXT_SENT, f"{mask_mobile(mobile)}: {body}")
            logger.info("text %s (%s) about suggestion %s sent", text.pk, text.kind, suggestion.pk)
        text.save()
    return text.state


def _stale(text: SuggestionText, now: datetime) -> bool:
    """Old news: a later text about the same suggestion went out, or a day has gone by."""
    if text.created_at < now - STALE_AFTER:
        return True
    return text.suggestion.texts.filter(pk__gt=text.pk, state=TextState.SENT).exists()


def _failed(text: SuggestionText, mobile: str) -> None:
    words = {"error": text.last_error, "attempts": text.attempts, "most": MAX_ATTEMPTS}
    # In the language of the messages themselves, which the timeline shows beside it.
    with translation.override(settings.LANGUAGE_CODE):
        if text.attempts >= MAX_ATTEMPTS:
            outcome = _("%(error)s; tried %(attempts)d times, given up") % words
        else:
            outcome = _("%(error)s; try %(attempts)d of %(most)d, tried again later") % words
    _record(text, Event.Kind.TEXT_FAILED, f"{mask_mobile(mobile)}: {outcome}")
    logger.warning(
        "text %s (%s) about suggestion %s failed: %s, try %d of %d",
        text.pk,
        text.kind,
        text.suggestion_id,
        text.last_error,
        text.attempts,
        MAX_ATTEMPTS,
    )


def _record(text: SuggestionText, kind: str, words: str) -> None:
    """On the staff timeline only; the masked number and the message, which holds nothing the
    submitter wrote."""
    Event.objects.create(suggestion_id=text.suggestion_id, kind=kind, text=words, public=False)


def to_retry(now: datetime) -> list[int]:
    """Texts the sweep sends: waiting ones the after-commit task has not picked up, and failed
    ones whose wait since the last try is over."""
    rows = SuggestionText.objects.filter(
        state__in=[TextState.PENDING, TextState.FAILED], attempts__lt=MAX_ATTEMPTS
    ).order_by("created_at", "id")[:SWEEP_BATCH]
    due = []
    for pk, state, attempts, created_at, last_attempt_at in rows.values_list(
        "pk", "state", "attempts", "created_at", "last_attempt_at"
    ):
        if state == TextState.PENDING and attempts == 0:
            ready = created_at <= now - LOST_AFTER
        else:
            ready = last_attempt_at is None or (
                last_attempt_at <= now - RETRY_AFTER * 2 ** (attempts - 1)
            )
        if ready:
            due.append(pk)
    return due


def sweep(now: datetime) -> int:
    """Send again what is due (to_retry); returns how many were sent now."""
    return sum(send(pk) == TextState.SENT for pk in to_retry(now))


# ---------------------------------------------------------------------------------------------
# "Is it fixed?": a resolved hazard's submitter is asked FEEDBACK_ASK_IF_FIXED_DAYS later.


def _asked_since_resolved():
    return Exists(
        SuggestionText.objects.filter(
            suggestion=OuterRef("pk"),
            kind=Kind.ASK_IF_FIXED,
            created_at__gte=OuterRef("resolved_at"),
        )
    )


def due_to_ask(now: datetime):
    """Resolved hazards whose submitter can be texted, resolved FEEDBACK_ASK_IF_FIXED_DAYS ago or
    more, and not asked since they were resolved (once a resolution: a hazard reopened and
    resolved again is asked again)."""
    cutoff = now - timedelta(days=settings.FEEDBACK_ASK_IF_FIXED_DAYS)
    return (
        Suggestion.objects.filter(category=Category.HAZARD, state=State.RESOLVED)
        .filter(resolved_at__lte=cutoff)
        .filter(reachable())
        .exclude(_asked_since_resolved())
    )


def waiting_for_an_answer(now: datetime) -> Q:
    """Resolved hazards that must not close by themselves yet (feedback.followup.close_unrated):
    those still to be asked whether they are fixed, and those asked less than
    FEEDBACK_AUTO_CLOSE_DAYS ago. So "not fixed" can always reopen one."""
    hazard = Q(category=Category.HAZARD)
    recently = now - timedelta(days=settings.FEEDBACK_AUTO_CLOSE_DAYS)
    asked_recently = Exists(
        SuggestionText.objects.filter(
            suggestion=OuterRef("pk"),
            kind=Kind.ASK_IF_FIXED,
            created_at__gte=OuterRef("resolved_at"),
            created_at__gt=recently,
        )
    )
    return hazard & ((reachable() & ~_asked_since_resolved()) | asked_recently)


def ask_if_fixed(now: datetime) -> int:
    """Ask each due hazard's submitter once; returns how many were asked. Run by the daily
    follow-up (08:30), so nobody is asked at night."""
    asked = 0
    for pk in list(due_to_ask(now).values_list("pk", flat=True)):
        # Durable: each question is committed, and then sent, on its own.
        with transaction.atomic(durable=True):
            suggestion = (
                due_to_ask(now)
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("worker")
                .filter(pk=pk)
                .first()
            )
            if suggestion is None:
                continue  # answered, reopened or being asked by another run
            # Asked is a row elsewhere, not a mark on this one: a run that asked and committed
            # after this statement's snapshot, before its lock, goes unseen by it. Look again.
            if not due_to_ask(now).filter(pk=pk).exists():
                continue
            Event.objects.create(
                suggestion=suggestion, kind=Event.Kind.ASKED_IF_FIXED, public=False, created_at=now
            )
            tell_rider(suggestion, Kind.ASK_IF_FIXED, at=now)
        asked += 1
    return asked
