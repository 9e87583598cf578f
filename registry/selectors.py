"""Reads of the registry that other apps and the core's hooks share: the consenting worker with a
mobile, the navigation badges, the rider page's section. The registry's changes are in its
services."""

from django.db.models import Count, Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.workbench import Line
from registry.models import Application, CareVisit, RecruitmentCall, Worker

SHOWN_CALLS = 5  # open recruitment calls on a station's landing page and on 我的
SHOWN_APPLICATIONS = 10  # a rider's latest applications on 我的


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


def with_places(calls):
    """Calls with `taken`: how many riders were accepted."""
    return calls.annotate(
        taken=Count("applications", filter=Q(applications__status=Application.Status.ACCEPTED))
    )


def open_calls(area):
    """Recruitment calls open to the riders of `area`: of the area itself or one above it, before
    their deadline, with places left; soonest deadline first."""
    return (
        with_places(RecruitmentCall.objects.filter(area_id__in=area.path_ids()))
        .filter(deadline__gte=timezone.localdate(), taken__lt=F("wanted"))
        .select_related("area")
        .order_by("deadline", "id")
    )


def station_calls(station) -> dict:
    """A station's landing page (portal.slots.STATION_LANDING): the calls open in its area, one
    query. The page is cached for every rider: nothing of one visitor's own."""
    return {"calls": list(open_calls(station.area)[:SHOWN_CALLS])}


def my_recruitment(worker: Worker) -> dict:
    """The rider's page (portal.slots.RIDER_PAGE): their latest applications and how each
    stands, and the calls open in their community they have not answered; two queries."""
    applications = worker.applications.select_related("call__area").order_by("-created_at", "-id")
    answered = Application.objects.filter(call=OuterRef("pk"), worker=worker)
    return {
        "applications": list(applications[:SHOWN_APPLICATIONS]),
        "calls": list(open_calls(worker.area).filter(~Exists(answered))[:SHOWN_CALLS]),
    }


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
