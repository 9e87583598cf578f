"""feedback's reads for its views and the core's hooks: the queues behind the navigation badges and
the rider page's "my suggestions"."""

from datetime import timedelta
from decimal import Decimal
from math import cos, radians

from django.conf import settings
from django.db.models import Count, Exists, F, Max, OuterRef, Q, Subquery, Window
from django.db.models.functions import Coalesce, RowNumber
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from feedback.followup import assessment_overdue_before
from feedback.models import (
    DONE_STATES,
    PHOTO_FOLDER,
    SHOWN_STATES,
    Category,
    PhotoState,
    State,
    Suggestion,
    Support,
    Task,
    TaskExtension,
    TaskPhoto,
    TaskSupervision,
)
from portal.models import Role
from portal.roles import KEEPERS
from portal.workbench import Line

MY_SUGGESTIONS = 10

# ?state= of the task list: the open ones (all, to acknowledge, supervised, overdue, with an
# extension asked) by due date, the oldest first; done and returned ones the latest first.
TASK_STATES = {
    "open": gettext_lazy("In progress"),
    "to_acknowledge": gettext_lazy("To acknowledge"),
    "supervised": gettext_lazy("Supervised (督办)"),
    "overdue": gettext_lazy("Overdue"),
    "extension": gettext_lazy("Extension asked"),
    "done": gettext_lazy("Done"),
    "returned": gettext_lazy("Returned"),
}


def my_suggestions(worker) -> dict:
    """On the rider's page (portal.slots.RIDER_PAGE): their latest suggestions, with links."""
    return {"suggestions": worker.suggestions.order_by("-submitted_at", "-id")[:MY_SUGGESTIONS]}


def visible_tasks(user):
    """A handler's: the tasks of their departments and those escalated to them; other staff's:
    the tasks of the suggestions in their scope."""
    if user.role == Role.DEPARTMENT_HANDLER:
        return Task.objects.for_handler(user)
    return Task.objects.in_scope(user)


def waiting(user):
    """Suggestions in the user's scope waiting for assessment."""
    return Suggestion.objects.in_scope(user).filter(state=State.SUBMITTED)


def waiting_count(user) -> int:
    """The navigation badge: suggestions waiting for assessment."""
    return waiting(user).count()


def _returned_waiting():
    """A suggestion's task its department returned (退单) and no task assigned since."""
    since = Task.objects.filter(
        suggestion=OuterRef("suggestion"), created_at__gte=OuterRef("returned_at")
    ).exclude(state=Task.State.RETURNED)
    return Task.objects.filter(suggestion=OuterRef("pk"), state=Task.State.RETURNED).filter(
        ~Exists(since)
    )


def returned_to_pass_on(suggestions):
    """Accepted suggestions with a task returned (退单) and not passed on since: the staff who
    assigned it pass it to another department, or close the suggestion with a reply."""
    return suggestions.filter(state=State.ACCEPTED).filter(Exists(_returned_waiting()))


def ready_to_resolve(suggestions):
    """Accepted suggestions whose tasks are all done (a returned one passed on since aside):
    staff write the reply and resolve them."""
    tasks = Task.objects.filter(suggestion=OuterRef("pk"))
    return suggestions.filter(state=State.ACCEPTED).filter(
        Exists(tasks.filter(state=Task.State.DONE)),
        ~Exists(tasks.filter(state=Task.State.OPEN)),
        ~Exists(_returned_waiting()),
    )


def workbench_suggestions(user) -> list[Line]:
    """The staff home's part (portal.workbench): suggestions in scope waiting for assessment
    (and those waiting too long), and for those who assess, the accepted ones ready to resolve."""
    days = settings.FEEDBACK_ASSESS_WITHIN_WORKING_DAYS
    counts = waiting(user).aggregate(
        all=Count("pk"),
        late=Count("pk", filter=Q(queued_at__lt=assessment_overdue_before(timezone.localdate()))),
    )
    queue = reverse("feedback:queue")
    lines = [
        Line(_("Suggestions waiting for assessment"), counts["all"], queue),
        Line(
            ngettext(
                "Waiting more than %(days)d working day",
                "Waiting more than %(days)d working days",
                days,
            )
            % {"days": days},
            counts["late"],
            queue,
            urgent=True,
        ),
    ]
    if user.role in KEEPERS:
        ready = ready_to_resolve(Suggestion.objects.in_scope(user)).count()
        url = f"{reverse('feedback:suggestions')}?ready=true"
        lines.append(Line(_("Every task done: reply and resolve"), ready, url))
    return lines


def workbench_tasks(user) -> list[Line]:
    """The staff home's part: for a handler, the department's tasks to acknowledge (签收), in
    progress, overdue and due by tomorrow, and the supervision notices (督办) not seen yet; for
    everyone else who reads tasks, those in progress and overdue in their scope, the returned
    ones (退单) waiting to be passed on, and the extension requests (延期) waiting for a decision.
    Two or three queries."""
    now = timezone.now()
    today = timezone.localdate()
    handler = user.role == Role.DEPARTMENT_HANDLER
    tasks = Task.objects.for_handler(user) if handler else Task.objects.in_scope(user)
    counts = (
        Task.objects.filter(pk__in=tasks.open().values("pk"))
        .order_by()
        .aggregate(
            open=Count("pk"),
            overdue=Count("pk", filter=Q(due_at__lt=now)),
            due=Count("pk", filter=Q(due_at__gte=now, due_on__lte=today + timedelta(days=1))),
            unacknowledged=Count(
                "pk", filter=Q(acknowledged_at__isnull=True, acknowledge_by__isnull=False)
            ),
        )
    )
    url = reverse("feedback:tasks")
    overdue = f"{url}?state=overdue"
    if handler:
        notices = TaskSupervision.objects.unseen().filter(task__in=tasks.open().values("pk"))
        return [
            Line(
                _("To acknowledge (签收)"),
                counts["unacknowledged"],
                f"{url}?state=to_acknowledge",
                urgent=True,
            ),
            Line(
                _("Supervision notices (督办) not seen"),
                notices.count(),
                f"{url}?state=supervised",
                urgent=True,
            ),
            Line(_("Tasks overdue"), counts["overdue"], overdue, urgent=True),
            Line(_("Tasks due today or tomorrow"), counts["due"], url),
            Line(_("Tasks in progress"), counts["open"], url),
        ]
    returned = returned_to_pass_on(Suggestion.objects.in_scope(user)).count()
    extensions = TaskExtension.objects.filter(
        approved__isnull=True, task__in=tasks.open().values("pk")
    ).count()
    return [
        Line(_("Department tasks overdue"), counts["overdue"], overdue, urgent=True),
        Line(
            _("Returned (退单): pass on or close"),
            returned,
            f"{url}?state=returned",
            note=_("suggestions whose department returned its task"),
        ),
        Line(_("Extension requests (延期) to decide"), extensions, f"{url}?state=extension"),
        Line(_("Department tasks in progress"), counts["open"], url),
    ]


def open_task_count(user) -> int | None:
    """The navigation badge: a handler's open tasks. Other staff meet tasks on the suggestions
    they assess, and their pages spend no query on it."""
    if user.role != Role.DEPARTMENT_HANDLER:
        return None
    return Task.objects.for_handler(user).open().count()


# ---------------------------------------------------------------------------------------------
# Shown where riders scan (portal.slots): what was done near a station, and what is reported
# there and still open. Only published suggestions (a summary staff wrote or approved), only
# their public fields: the category, the summary, the date, the support count. Never the
# rider's words, name, mobile or photos, nor a rejected, duplicate or merged suggestion.

# "Near" a station: filed at it, or located within NEAR_METRES of it north–south and east–west
# (a box, so up to 1.4 × that at its corners). A box on the two indexed columns is one cheap
# range condition each; a circle would need trigonometry in SQL or PostGIS for no gain a rider
# would notice at this distance.
NEAR_METRES = 300
METRES_PER_DEGREE = 111_320  # of latitude; of longitude, times the cosine of the latitude
SHOWN_DONE = 3
SHOWN_OPEN = 3
MAP_DONE = 5
PUBLIC_FIELDS = ["public_id", "category", "public_summary", "state", "station_id", "photo"]


def _degrees(metres: float) -> Decimal:
    return Decimal(metres / METRES_PER_DEGREE).quantize(Decimal("0.000001"))


def near(station) -> Q:
    """Suggestions filed at `station` or located within NEAR_METRES of it."""
    condition = Q(station=station.pk)
    if station.latitude is not None and station.longitude is not None:
        lat, lng = Decimal(station.latitude), Decimal(station.longitude)
        dlat = _degrees(NEAR_METRES)
        dlng = _degrees(NEAR_METRES / max(cos(radians(float(lat))), 0.01))
        condition |= Q(
            latitude__range=(lat - dlat, lat + dlat), longitude__range=(lng - dlng, lng + dlng)
        )
    return condition


def published():
    """Suggestions that may show where riders scan, with their supporters counted and the
    thumbnail of their first result photo that staff published (`photo`, or None)."""
    photo = (
        TaskPhoto.objects.filter(
            task__suggestion=OuterRef("pk"), published=True, hidden=False, state=PhotoState.READY
        )
        .order_by("id")
        .values("thumbnail")[:1]
    )
    return Suggestion.objects.filter(
        summary_approved_at__isnull=False, state__in=SHOWN_STATES
    ).annotate(
        done=Q(state__in=DONE_STATES),
        # when it was done; for an open one, when it was reported
        on=Coalesce("resolved_at", "submitted_at"),
        supporters=_supporters(),
        photo=Subquery(photo),
    )


def published_photos():
    """Result photos anyone may see: published, not hidden, of a suggestion done and shown where
    riders scan (feedback.views.photos.done_photo)."""
    done = published().filter(state__in=DONE_STATES)
    return TaskPhoto.objects.filter(
        published=True, hidden=False, state=PhotoState.READY, task__suggestion__in=done.values("pk")
    )


def _public(row: dict) -> dict:
    row["category_label"] = Category(row["category"]).label
    # the file's name, as the photo's URL carries it; only a done suggestion's is shown
    photo = row.pop("photo")
    row["photo"] = photo.removeprefix(PHOTO_FOLDER) if photo and row["state"] in DONE_STATES else ""
    row["on"] = timezone.localtime(row["on"]).date()
    return row


def done_near(station) -> dict:
    """A station's landing page (portal.slots.STATION_LANDING): the last SHOWN_DONE suggestions
    resolved near it and the last SHOWN_OPEN reported near it and still open, in one query (a
    window numbers each group's rows, newest first)."""
    place = Window(RowNumber(), partition_by=[F("done")], order_by=[F("on").desc(), F("pk").desc()])
    rows = (
        published()
        .filter(near(station))
        .annotate(place=place)
        .filter(place__lte=max(SHOWN_DONE, SHOWN_OPEN))
        .order_by("-on", "-pk")
        .values(*PUBLIC_FIELDS, "done", "on", "supporters")
    )
    rows = [_public(row) for row in rows]
    return {
        "station": station,
        "done": [row for row in rows if row["done"]][:SHOWN_DONE],
        "open": [row for row in rows if not row["done"]][:SHOWN_OPEN],
    }


def done_near_stations(stations) -> dict:
    """The friendly map (portal.slots.FRIENDLY_MAP): the last MAP_DONE suggestions resolved near
    any station of the page, each with the station to open; one query."""
    stations = list(stations)
    if not stations:
        return {"done": []}
    condition = Q()
    for station in stations:
        condition |= near(station)
    rows = [
        _public(row)
        for row in published()
        .filter(condition, state__in=DONE_STATES)
        .order_by("-on", "-pk")
        .values(*PUBLIC_FIELDS, "on", "latitude", "longitude")[:MAP_DONE]
    ]
    by_id = {station.pk: station for station in stations}
    for row in rows:
        row["station"] = by_id.get(row["station_id"]) or _nearest(stations, row)
    return {"done": rows}


def _nearest(stations, row):
    """The page's station nearest to a suggestion located near one of them."""
    located = [s for s in stations if s.latitude is not None and s.longitude is not None]
    return min(
        located,
        key=lambda s: (
            abs(s.latitude - row["latitude"]) + abs(s.longitude - row["longitude"])
            if row["latitude"] is not None
            else 0
        ),
        default=None,
    )


def supported(worker, suggestion) -> bool:
    """Whether the rider said 我也遇到了 to the suggestion."""
    return Support.objects.filter(worker=worker, suggestion=suggestion).exists()


def _supporters():
    return Coalesce(
        Subquery(
            Support.objects.filter(suggestion=OuterRef("pk"))
            .order_by()
            .values("suggestion")
            .annotate(n=Count("id"))
            .values("n")
        ),
        0,
    )


def with_supporters(suggestions):
    """Each suggestion with `supporters`: how many riders said 我也遇到了 (the staff lists)."""
    return suggestions.annotate(supporters=_supporters())


def support_of(suggestion) -> dict:
    """The suggestion's page: how many riders met it too, and when the last one said so."""
    return suggestion.supports.aggregate(riders=Count("id"), last=Max("created_at"))
