"""Reads of the registry that other apps and the core's hooks share: the consenting worker with a
mobile, the navigation badges, the rider page's section. The registry's changes are in its
services."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.workbench import Line
from registry.models import CareVisit, Worker


def consenting_worker(mobile: str) -> Worker | None:
    """The worker with this mobile whose consent stands (not withdrawn, not erased), or None."""
    if not mobile:
        return None
    return Worker.objects.consenting().filter(mobile=mobile).first()


def pending_count(user) -> int:
    """The navigation badge: registrations in scope waiting for staff to confirm them."""
    return Worker.objects.in_scope(user).pending().count()


def due_count(user) -> int:
    """The navigation badge: open visits in scope that are overdue or due by tomorrow."""
    return CareVisit.objects.in_scope(user).due_by_tomorrow(timezone.localdate()).count()


def my_registration(worker: Worker) -> dict:
    """The rider's page (portal.slots.RIDER_PAGE): whether the community has decided, and if it
    refused, why."""
    return {"worker": worker}


def workbench(user) -> list[Line]:
    """The staff home's part (portal.workbench): registrations to confirm, and care visits
    overdue or due by tomorrow, in the user's scope; two queries."""
    today = timezone.localdate()
    visits = (
        CareVisit.objects.in_scope(user)
        .due_by_tomorrow(today)
        .aggregate(
            overdue=Count("pk", filter=Q(due_on__lt=today)),
            due=Count("pk", filter=Q(due_on__gte=today)),
        )
    )
    care_visits = reverse("registry:care_visits")
    return [
        Line(
            _("Registrations to confirm"),
            Worker.objects.in_scope(user).pending().count(),
            reverse("registry:pending"),
        ),
        Line(_("Care visits overdue"), visits["overdue"], care_visits, urgent=True),
        Line(_("Care visits due today or tomorrow"), visits["due"], care_visits),
    ]
