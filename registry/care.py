"""三必访: a party member's major life change, job change or clear drop in work makes a care visit
due; recording the visit closes it; a daily task reminds the responsible staff member until then.

The CareVisit row is its own record (who recorded the reason, who closed it, when), so these
changes write no separate timeline row.
"""

import logging
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.inbox import email, notify
from portal.models import User
from portal.roles import KEEPERS
from registry.models import CareTrigger, CareVisit, Worker
from registry.services import RegistryError, require_active

logger = logging.getLogger(__name__)


def default_due_on(today: date) -> date:
    return today + timedelta(days=settings.CARE_VISIT_DUE_DAYS)


def check_can_have_visits(worker: Worker) -> None:
    """Care visits are for party members only; says why not with a RegistryError."""
    require_active(worker)
    if not worker.is_party_member:
        raise RegistryError(
            "not_party_member",
            _("Care visits are for party members, and %(name)s is not recorded as one.")
            % {"name": worker},
        )


def responsible_choices(worker: Worker):
    """Staff who keep the ledger for the worker's community: its own staff and those above it."""
    return User.objects.filter(
        Q(area__in=worker.area.ancestors()) | Q(area__isnull=True),
        role__in=KEEPERS,
        is_active=True,
    ).order_by("name", "username")


def record_trigger(
    worker: Worker,
    trigger: CareTrigger,
    notes: str,
    responsible: User,
    by: User,
    due_on: date | None = None,
) -> CareVisit:
    """Record why a party member must be visited; the visit falls due CARE_VISIT_DUE_DAYS later
    unless another due date is given."""
    today = timezone.localdate()
    due_on = due_on or default_due_on(today)
    check_can_have_visits(worker)
    if due_on < today:
        raise RegistryError("due_in_past", _("The visit cannot be due before today."))
    if not responsible_choices(worker).filter(pk=responsible.pk).exists():
        raise RegistryError(
            "not_responsible",
            _("%(name)s does not look after this worker's community.") % {"name": responsible},
        )
    return CareVisit.objects.create(
        worker=worker,
        trigger=trigger,
        trigger_notes=notes,
        due_on=due_on,
        responsible=responsible,
        recorded_by=by,
    )


def record_visit(
    visit: CareVisit, visited_on: date, visitor: str, notes: str, follow_up_needed: bool, by: User
) -> None:
    """The visit took place: record it, which closes the care visit and stops its reminders."""
    if visited_on > timezone.localdate():
        raise RegistryError("visit_in_future", _("The visit date cannot be in the future."))
    with transaction.atomic():
        visit = CareVisit.objects.select_for_update().get(pk=visit.pk)
        if visit.closed_at:
            raise RegistryError("already_visited", _("This visit has already been recorded."))
        visit.visited_on = visited_on
        visit.visitor = visitor
        visit.visit_notes = notes
        visit.follow_up_needed = follow_up_needed
        visit.closed_by = by
        visit.closed_at = timezone.now()
        visit.save()


def needing_reminder(today: date):
    """Open visits due by tomorrow that have not been reminded today: the state the daily task
    reads, so a missed run or a lost message is caught up by the next run."""
    return CareVisit.objects.due_by_tomorrow(today).filter(
        Q(last_reminded_on__isnull=True) | Q(last_reminded_on__lt=today)
    )


def remind_due_visits(today: date) -> int:
    """Remind the responsible staff member (or else whoever recorded the reason) of each open visit
    due tomorrow or earlier, at most once a day per visit: an inbox message, and an e-mail when
    they have an address. Returns how many visits were reminded."""
    reminded = 0
    for pk in list(needing_reminder(today).values_list("pk", flat=True)):
        # Durable: committed before the e-mail goes out, never inside a caller's transaction.
        with transaction.atomic(durable=True):
            visit = (
                needing_reminder(today)
                # Another run holding this visit reminds it; this one moves on.
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("worker", "responsible", "recorded_by")
                .filter(pk=pk)
                .first()
            )
            if visit is None:
                continue
            recipient = _recipient(visit)
            if recipient is None:
                logger.warning("care visit %s has no active staff member to remind", visit.pk)
                continue
            title, body = _reminder(visit, today)
            url = reverse("registry:care_visit", args=[visit.pk])
            notify(recipient, title, body, url)
            visit.last_reminded_on = today
            visit.save(update_fields=["last_reminded_on"])
        reminded += 1
        email(recipient, title, body, url)
    return reminded


def _recipient(visit: CareVisit) -> User | None:
    for user in (visit.responsible, visit.recorded_by):
        if user is not None and user.is_active:
            return user
    return None


def _reminder(visit: CareVisit, today: date) -> tuple[str, str]:
    name = str(visit.worker)
    days_late = (today - visit.due_on).days
    if days_late > 0:
        title = ngettext(
            "Care visit overdue by %(days)d day: %(name)s",
            "Care visit overdue by %(days)d days: %(name)s",
            days_late,
        ) % {"days": days_late, "name": name}
    elif days_late == 0:
        title = _("Care visit due today: %(name)s") % {"name": name}
    else:
        title = _("Care visit due tomorrow: %(name)s") % {"name": name}
    body = _("Reason: %(reason)s. Due by %(due)s. Record the visit once it has taken place.") % {
        "reason": visit.get_trigger_display(),
        "due": visit.due_on.isoformat(),
    }
    return title, body
