import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from portal.codes import readable_code
from portal.models import Area, staff_reference
from portal.scope import ScopedQuerySet
from registry.models import Worker
from stations.models import Station


class Category(models.TextChoices):
    """What a suggestion is about; each is an Open311 service, its value the service_code."""

    SUGGESTION = "suggestion", _("Suggestion")
    NEED = "need", _("Need or difficulty")
    HAZARD = "hazard", _("Hazard snapshot")
    COMPLAINT = "complaint", _("Complaint")
    HELP = "help", _("Request for help")


class Channel(models.TextChoices):
    QR_CODE = "qr_code", _("Station QR code")
    ONLINE = "online", _("Portal website")
    MEETING = "meeting", _("Forum or meeting (座谈会)")
    PHONE = "phone", _("Phone call")
    VISIT = "visit", _("Home or street visit")
    OPEN311 = "open311", _("Open311 API")


# Channels staff enter on a rider's behalf.
OFFLINE_CHANNELS = [Channel.MEETING, Channel.PHONE, Channel.VISIT]


class State(models.TextChoices):
    SUBMITTED = "submitted", _("Waiting for assessment")
    ACCEPTED = "accepted", _("Accepted, being worked on")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Not taken up")
    DUPLICATE = "duplicate", _("Duplicate")
    MERGED = "merged", _("Merged into another")


# Open311 has two statuses: these are "open", every other state is "closed".
OPEN_STATES = [State.SUBMITTED, State.ACCEPTED]
# States that follow another suggestion's outcome (`original`).
FOLLOWER_STATES = [State.DUPLICATE, State.MERGED]

TRACKING_LENGTH = 10  # 31**10 ≈ 8·10**14 codes


def new_tracking_code() -> str:
    return readable_code(TRACKING_LENGTH)


class SuggestionQuerySet(ScopedQuerySet):
    def open(self):
        return self.filter(state__in=OPEN_STATES)


class Suggestion(models.Model):
    """One suggestion, need, hazard, complaint or request for help, and where it is in the loop."""

    tracking_code = models.CharField(
        _("tracking code"), max_length=16, unique=True, default=new_tracking_code, editable=False
    )
    # The Open311 service_request_id: public, unlike the tracking code, which lets whoever holds it
    # rate or reopen the suggestion.
    public_id = models.CharField(
        _("public id"), max_length=16, unique=True, default=new_tracking_code, editable=False
    )
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    text = models.TextField(_("what happened or what is needed"), max_length=4000)
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.SUBMITTED
    )
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="suggestions", verbose_name=_("area")
    )
    station = models.ForeignKey(
        Station,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="suggestions",
        verbose_name=_("station"),
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    address = models.CharField(_("address or place"), max_length=200, blank=True)
    # Optional: a rider may stay anonymous.
    name = models.CharField(_("submitter's name"), max_length=30, blank=True)
    mobile = models.CharField(_("mobile"), max_length=11, blank=True)
    # The registered worker with that mobile, if any: the one who earns points for a hazard.
    worker = models.ForeignKey(
        Worker,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="suggestions",
        verbose_name=_("worker"),
    )
    # A duplicate or merged suggestion follows its original's outcome.
    original = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="followers",
        verbose_name=_("original suggestion"),
    )
    reply = models.TextField(_("reply to the submitter"), blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(
        _("satisfaction"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    rating_comment = models.CharField(_("comment on the outcome"), max_length=500, blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)
    created_by = staff_reference(_("entered by"))
    submitted_at = models.DateTimeField(_("submitted at"), db_default=Now())
    # When it last entered the triage queue (submitted, reopened or passed on): what "waiting
    # for assessment" is measured from.
    queued_at = models.DateTimeField(_("waiting since"), db_default=Now())
    assessed_at = models.DateTimeField(_("assessed at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Bumped by every change: a form sent from an older version is refused (feedback.services).
    version = models.PositiveIntegerField(default=0, editable=False)
    # The assessment reminder: the last local day assessors were told about it.
    assessment_reminded_on = models.DateField(null=True, blank=True, editable=False)

    objects = SuggestionQuerySet.as_manager()

    class Meta:
        verbose_name = _("suggestion")
        verbose_name_plural = _("suggestions")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["state", "queued_at"], name="suggestion_state_queued"),
            models.Index(fields=["area", "state"], name="suggestion_area_state"),
            models.Index(fields=["-submitted_at"], name="suggestion_submitted"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="suggestion_rating_1_to_5",
            ),
            models.CheckConstraint(
                condition=~models.Q(state__in=FOLLOWER_STATES) | models.Q(original__isnull=False),
                name="suggestion_follower_has_original",
            ),
        ]

    def __str__(self):
        return f"{self.tracking_code} {self.get_category_display()}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def is_anonymous(self) -> bool:
        return not (self.name or self.mobile)


PHOTO_FOLDER = "feedback/"


def photo_path(photo, filename: str) -> str:
    # Random names: a photo's URL must not be guessable from another's.
    return f"{PHOTO_FOLDER}{secrets.token_hex(16)}{filename[filename.rfind('.') :]}"


class SuggestionPhotoQuerySet(models.QuerySet):
    def with_file(self, name: str):
        """The photo whose display copy or thumbnail is the file `name` (in PHOTO_FOLDER)."""
        path = f"{PHOTO_FOLDER}{name}"
        return self.filter(models.Q(image=path) | models.Q(thumbnail=path))


class SuggestionPhoto(models.Model):
    """A photo re-encoded without EXIF: a display-size copy and a thumbnail (feedback.photos)."""

    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to=photo_path)
    thumbnail = models.ImageField(_("thumbnail"), upload_to=photo_path)
    hidden = models.BooleanField(_("hidden by a moderator"), default=False)
    created_at = models.DateTimeField(_("added at"), db_default=Now())

    objects = SuggestionPhotoQuerySet.as_manager()

    class Meta:
        verbose_name = _("suggestion photo")
        verbose_name_plural = _("suggestion photos")
        ordering = ["id"]

    def __str__(self):
        return self.image.name

    # The files' names, which the photo URLs carry (feedback.views.photos); no /media/ URL is
    # ever shown: the files are sent only to those who may see them.
    @property
    def image_file(self) -> str:
        return self.image.name.removeprefix(PHOTO_FOLDER)

    @property
    def thumbnail_file(self) -> str:
        return self.thumbnail.name.removeprefix(PHOTO_FOLDER)

    def file_named(self, name: str):
        """The display copy or the thumbnail, whichever `name` is."""
        return self.thumbnail if name == self.thumbnail_file else self.image


class Department(models.Model):
    """A department that works tasks (N联动): industry party committee, union, market regulation,
    traffic police, human resources and social security, a street office, a platform's station…

    Departments form their own tree: an overdue task escalates to the parent (诉求直通车).
    """

    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent department"),
    )
    area = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        related_name="departments",
        verbose_name=_("area served"),
    )
    handlers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="departments",
        verbose_name=_("handlers"),
        limit_choices_to={"role": "department_handler"},
    )
    active = models.BooleanField(_("active"), default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "name"], name="department_unique_name_per_area"
            ),
        ]

    def __str__(self):
        return self.name

    def ancestors(self) -> list["Department"]:
        """Parent, grandparent, … up to the top (the escalation chain)."""
        chain, seen, node = [], {self.pk}, self.parent
        while node is not None and node.pk not in seen:
            chain.append(node)
            seen.add(node.pk)
            node = node.parent
        return chain


class TaskQuerySet(ScopedQuerySet):
    area_field = "suggestion__area"

    def open(self):
        return self.filter(state=Task.State.OPEN)

    def for_handler(self, user):
        """Tasks of the user's departments, and tasks escalated to them."""
        mine = models.Q(department__handlers=user) | models.Q(
            escalations__department__handlers=user
        )
        return self.filter(mine).distinct()


class Task(models.Model):
    """One department's part of an accepted suggestion (任务分解)."""

    class State(models.TextChoices):
        OPEN = "open", _("In progress")
        DONE = "done", _("Done")

    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="tasks")
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="tasks", verbose_name=_("department")
    )
    instructions = models.TextField(_("instructions"), max_length=2000)
    due_on = models.DateField(_("due on"))
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.OPEN)
    result = models.TextField(_("what was done"), max_length=2000, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = staff_reference(_("done by"))
    created_by = staff_reference(_("assigned by"))
    created_at = models.DateTimeField(_("assigned at"), db_default=Now())
    version = models.PositiveIntegerField(default=0, editable=False)
    # The due-tomorrow reminder: the last local day handlers were told.
    reminded_on = models.DateField(null=True, blank=True, editable=False)

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["state", "due_on"], name="task_state_due")]

    def __str__(self):
        return f"{self.department}: {self.suggestion.tracking_code}"


class TaskEscalation(models.Model):
    """An overdue task passed one level up: to a parent department, then to the staff of the
    suggestion's higher areas. One row per level, so each level is told once."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="escalations")
    level = models.PositiveSmallIntegerField()
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(db_default=Now())

    class Meta:
        verbose_name = _("task escalation")
        verbose_name_plural = _("task escalations")
        constraints = [
            models.UniqueConstraint(fields=["task", "level"], name="escalation_once_per_level"),
        ]

    def __str__(self):
        return f"{self.task} → {self.department or self.area}"


class Event(models.Model):
    """The suggestion's timeline: every change, who made it, from what to what, and any text.

    `public` events show on the rider's tracking page, without the actor.
    """

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Not taken up")
        MARKED_DUPLICATE = "duplicate", _("Marked as a duplicate")
        MERGED = "merged", _("Merged into another suggestion")
        MERGED_IN = "merged_in", _("Another suggestion merged in")
        TRANSFERRED = "transferred", _("Passed to another area")
        TASK_ASSIGNED = "task_assigned", _("Task assigned to a department")
        TASK_NOTE = "task_note", _("Progress note")
        TASK_DONE = "task_done", _("Task done")
        TASK_ESCALATED = "task_escalated", _("Overdue task escalated")
        REPLIED = "replied", _("Reply written")
        RESOLVED = "resolved", _("Resolved")
        RATED = "rated", _("Rated by the submitter")
        REOPENED = "reopened", _("Reopened: not solved")
        CLOSED = "closed", _("Closed")
        PHOTO_HIDDEN = "photo_hidden", _("Photo hidden")
        REMINDED = "reminded", _("Reminder sent")

    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="events")
    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices)
    actor = staff_reference(_("by"), help_text=_("Empty when the submitter or the system did it."))
    from_state = models.CharField(_("from"), max_length=16, choices=State.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=16, choices=State.choices, blank=True)
    text = models.TextField(_("text"), blank=True)
    public = models.BooleanField(_("shown to the submitter"), default=True)
    created_at = models.DateTimeField(_("at"), db_default=Now())

    class Meta:
        verbose_name = _("suggestion event")
        verbose_name_plural = _("suggestion events")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["suggestion", "created_at"], name="event_suggestion"),
            # the dashboard's recount: suggestions passed on or reopened since the last count,
            # whose past days it counts again (portal.dashboard.refresh.touched_days)
            models.Index(
                fields=["created_at"],
                condition=models.Q(kind__in=["transferred", "reopened"]),
                name="event_moved_past_days",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.suggestion_id}"


class ResponseTemplateQuerySet(models.QuerySet):
    def for_suggestion(self, suggestion):
        """Templates that fit the suggestion's category: its own first, then the general ones."""
        return self.filter(category__in=[suggestion.category, ""]).order_by("-category", "title")


class ResponseTemplate(models.Model):
    """A reply text that pre-fills the reply box for a category and outcome."""

    category = models.CharField(
        _("category"),
        max_length=16,
        choices=Category.choices,
        blank=True,
        help_text=_("Empty: for every category."),
    )
    state = models.CharField(
        _("for the outcome"),
        max_length=16,
        choices=[(s.value, s.label) for s in (State.REJECTED, State.DUPLICATE, State.RESOLVED)],
    )
    title = models.CharField(_("title"), max_length=60)
    text = models.TextField(_("text"), max_length=2000)

    objects = ResponseTemplateQuerySet.as_manager()

    class Meta:
        verbose_name = _("response template")
        verbose_name_plural = _("response templates")
        ordering = ["state", "category", "title"]

    def __str__(self):
        return self.title


class CalendarDay(models.Model):
    """A day that differs from the usual Monday-to-Friday week: a public holiday on a weekday, or
    a weekend day worked in exchange (调休)."""

    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("name"), max_length=40)
    is_working_day = models.BooleanField(
        _("working day"),
        default=False,
        help_text=_("Tick for a weekend day that is worked (调休); leave empty for a holiday."),
    )

    class Meta:
        verbose_name = _("holiday or make-up working day")
        verbose_name_plural = _("holiday calendar")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {self.name}"


class ApiKey(models.Model):
    """A key an Open311 client sends with `api_key` to post requests. Only its hash is kept."""

    name = models.CharField(_("client name"), max_length=100)
    prefix = models.CharField(_("key starts with"), max_length=8, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    area = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("area for its requests"),
        help_text=_("Requests posted with this key go to this area's triage queue."),
    )
    created_by = staff_reference(_("created by"))
    created_at = models.DateTimeField(_("created at"), db_default=Now())
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("Open311 API key")
        verbose_name_plural = _("Open311 API keys")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"
