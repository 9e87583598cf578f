import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Now
from django.utils import timezone
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
# States in which a published suggestion shows where riders scan (feedback.selectors.done_near):
# open ones, so that riders see it is reported, and resolved or closed ones, as what was done.
# Never a rejected one, nor a duplicate or merged one (its original shows instead).
SHOWN_STATES = [*OPEN_STATES, State.RESOLVED, State.CLOSED]
DONE_STATES = [State.RESOLVED, State.CLOSED]

TRACKING_LENGTH = 10  # 31**10 ≈ 8·10**14 codes
PUBLIC_SUMMARY_LENGTH = 140


def new_tracking_code() -> str:
    return readable_code(TRACKING_LENGTH)


class IssueTypeQuerySet(models.QuerySet):
    def offered(self, keeping=None):
        """The active types, in the order riders and staff see them within their category;
        with `keeping`, also that type if it was retired (a suggestion keeps its type)."""
        offered = models.Q(active=True)
        if keeping is not None:
            offered |= models.Q(pk=keeping)
        return self.filter(offered).order_by("order", "name", "id")


class IssueType(models.Model):
    """A sub-type below a category (飞线充电 and 井盖破损 below the hazard snapshot): what the
    grid members and food-safety supervisors report, kept by administrators. Each is an Open311
    service of its own (`code`), and brings its defaults to the suggestions filed under it.

    The default department is a part of a department's name, not one department: departments
    belong to areas, and a province has a 市场监管局 in every district. "市场监管" proposes, for
    a suggestion, the nearest department above it whose name holds those words (task_forms)."""

    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    name = models.CharField(_("name"), max_length=30)
    code = models.SlugField(
        _("service code"),
        max_length=40,
        unique=True,
        help_text=_(
            "Letters, digits and hyphens, for example hazard-wire-charging: the Open311 "
            "service_code. Clients keep it, so do not change it once in use."
        ),
    )
    active = models.BooleanField(
        _("offered"),
        default=True,
        help_text=_("Untick to stop offering it; suggestions filed under it keep it."),
    )
    order = models.PositiveSmallIntegerField(
        _("order"), default=0, help_text=_("Smaller first, within its category.")
    )
    default_department = models.CharField(
        _("default department"),
        max_length=100,
        blank=True,
        help_text=_(
            "Words of the department's name, for example 市场监管 or 街道办事处: a new task "
            "proposes the nearest department above the suggestion whose name holds them."
        ),
    )
    urgency = models.ForeignKey(
        "UrgencyClass",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="issue_types",
        verbose_name=_("default urgency"),
        help_text=_("What a new task for it proposes. Empty: the default class."),
    )
    points = models.PositiveSmallIntegerField(
        _("points for an accepted report"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text=_("Hazard reports only. Empty: the usual points for an accepted hazard report."),
    )

    objects = IssueTypeQuerySet.as_manager()

    class Meta:
        verbose_name = _("issue type")
        verbose_name_plural = _("issue types")
        ordering = ["category", "order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "name"], name="issue_type_unique_name_per_category"
            ),
            models.CheckConstraint(
                condition=models.Q(points__isnull=True) | models.Q(category="hazard"),
                name="issue_type_points_for_hazards_only",
                violation_error_message=_("Only hazard reports earn points."),
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.code in Category.values:
            raise ValidationError(
                {"code": _("This is the service code of a category: choose another.")}
            )


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
    # Optional: a sub-type of the category (feedback.services keeps the two in step).
    issue_type = models.ForeignKey(
        IssueType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="suggestions",
        verbose_name=_("issue type"),
    )
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
    # What riders read on the station's landing page and the friendly map ("what was done
    # here"): written or approved by staff, never the rider's own words; nothing is shown
    # without it (feedback.selectors.done_near).
    public_summary = models.CharField(
        _("public summary"),
        max_length=PUBLIC_SUMMARY_LENGTH,
        blank=True,
        help_text=_(
            "One or two sentences for riders at the station: what the matter is and what was "
            "done. No names, numbers or other personal details."
        ),
    )
    summary_approved_at = models.DateTimeField(_("summary approved at"), null=True, blank=True)
    summary_approved_by = staff_reference(_("summary approved by"))
    # The submitter stopped the text messages about it from the tracking page (feedback.texts).
    texts_stopped_at = models.DateTimeField(_("text messages stopped at"), null=True, blank=True)

    objects = SuggestionQuerySet.as_manager()

    class Meta:
        verbose_name = _("suggestion")
        verbose_name_plural = _("suggestions")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["state", "queued_at"], name="suggestion_state_queued"),
            models.Index(fields=["area", "state"], name="suggestion_area_state"),
            models.Index(fields=["-submitted_at"], name="suggestion_submitted"),
            # 差评整改台账: the low online ratings of a period (feedback.ledger)
            models.Index(
                fields=["rated_at"], condition=models.Q(rating__lte=3), name="suggestion_low_rating"
            ),
            # "what was done here": the published suggestions filed at a station …
            models.Index(
                fields=["station"],
                condition=models.Q(summary_approved_at__isnull=False),
                name="suggestion_published_station",
            ),
            # … and those located within a box around it (feedback.selectors.done_near)
            models.Index(
                fields=["latitude", "longitude"],
                condition=models.Q(summary_approved_at__isnull=False),
                name="suggestion_published_place",
            ),
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
            # Published means a summary to show: an approval of nothing would show nothing.
            models.CheckConstraint(
                condition=models.Q(summary_approved_at__isnull=True) | ~models.Q(public_summary=""),
                name="suggestion_published_has_summary",
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

    @property
    def is_published(self) -> bool:
        """Staff approved a public summary: the suggestion may show where riders scan."""
        return self.summary_approved_at is not None

    def outcome(self) -> "Suggestion":
        """The suggestion whose outcome this one reports: itself, or the original it follows, to
        the end of the chain (an original may itself have been marked a duplicate later)."""
        suggestion = self
        while suggestion.state in FOLLOWER_STATES and suggestion.original_id:
            suggestion = suggestion.original
        return suggestion


PHOTO_FOLDER = "feedback/"


def photo_path(photo, filename: str) -> str:
    # Random names: a photo's URL must not be guessable from another's.
    return f"{PHOTO_FOLDER}{secrets.token_hex(16)}{filename[filename.rfind('.') :]}"


class PhotoQuerySet(models.QuerySet):
    def with_file(self, name: str):
        """The photo whose display copy or thumbnail is the file `name` (in PHOTO_FOLDER)."""
        path = f"{PHOTO_FOLDER}{name}"
        return self.filter(models.Q(image=path) | models.Q(thumbnail=path))


class PhotoState(models.TextChoices):
    PENDING = "pending", _("Being processed")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Could not be read")


# Uploads as they came, until feedback.services.photos.process turns them into the two copies;
# never served (only PHOTO_FOLDER's files are), and deleted once processed.
ORIGINAL_FOLDER = "feedback-originals/"


def original_path(photo, filename: str) -> str:
    # Not the upload's name, not even its extension: nothing the sender chose reaches the storage.
    return f"{ORIGINAL_FOLDER}{secrets.token_hex(16)}"


class PhotoFiles:
    """A photo's two files, a display copy and a thumbnail, by the names its URLs carry
    (feedback.views.photos); no /media/ URL is ever shown: the files are sent only to those who
    may see them. A plain mixin, not a model: migration 0016 names it among TaskPhoto's bases, so
    a field here would appear in every historical state of the model."""

    def __str__(self):
        return self.image.name or self.get_state_display()

    @property
    def ready(self) -> bool:
        return self.state == PhotoState.READY

    @property
    def image_file(self) -> str:
        return self.image.name.removeprefix(PHOTO_FOLDER)

    @property
    def thumbnail_file(self) -> str:
        return self.thumbnail.name.removeprefix(PHOTO_FOLDER)

    def file_named(self, name: str):
        """The display copy or the thumbnail, whichever `name` is."""
        return self.thumbnail if name == self.thumbnail_file else self.image


class Photo(PhotoFiles, models.Model):
    """A rider's photo or a department's result photo.

    It is stored as uploaded (`original`, private, never served) and is PENDING until the task
    feedback.tasks.process_*_photo has turned it upright, re-encoded it without EXIF into the two
    copies and deleted the original (feedback.services.photos); a file it cannot decode is
    FAILED, its original deleted, and the suggestion's timeline says so."""

    image = models.ImageField(_("photo"), upload_to=photo_path, blank=True)
    thumbnail = models.ImageField(_("thumbnail"), upload_to=photo_path, blank=True)
    original = models.FileField(_("upload"), upload_to=original_path, blank=True)
    state = models.CharField(
        _("state"), max_length=8, choices=PhotoState.choices, default=PhotoState.PENDING
    )

    class Meta:
        abstract = True


class SuggestionPhoto(Photo):
    """A rider's photo, re-encoded without EXIF: a display-size copy and a thumbnail."""

    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="photos")
    hidden = models.BooleanField(_("hidden by a moderator"), default=False)
    created_at = models.DateTimeField(_("added at"), db_default=Now())

    objects = PhotoQuerySet.as_manager()

    class Meta:
        verbose_name = _("suggestion photo")
        verbose_name_plural = _("suggestion photos")
        ordering = ["id"]
        indexes = [
            # the photos still being processed, oldest first (feedback.services.photos.sweep)
            models.Index(
                fields=["created_at"],
                condition=models.Q(state="pending"),
                name="suggestion_photo_pending",
            ),
        ]


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


class DeadlineUnit(models.TextChoices):
    """What a deadline is counted in (feedback.calendar.deadline)."""

    WORKING_HOURS = "working_hours", _("working hours")
    HOURS = "hours", _("hours, around the clock")
    WORKING_DAYS = "working_days", _("working days")


class UrgencyClassQuerySet(models.QuerySet):
    def default(self):
        """The class a task gets when none is chosen: the one marked default, else the first."""
        return self.order_by("-is_default", "order", "id").first()


class UrgencyClass(models.Model):
    """How urgent a task is (紧急, 一般 …): how soon its department must acknowledge it (签收)
    and finish it, each in working hours, clock hours or working days. Edited by administrators;
    a change applies to tasks assigned afterwards."""

    name = models.CharField(_("name"), max_length=20, unique=True)
    acknowledge_within = models.PositiveSmallIntegerField(
        _("acknowledge within"), validators=[MinValueValidator(1), MaxValueValidator(999)]
    )
    acknowledge_unit = models.CharField(
        _("unit"), max_length=16, choices=DeadlineUnit.choices, default=DeadlineUnit.WORKING_DAYS
    )
    finish_within = models.PositiveSmallIntegerField(
        _("finish within"), validators=[MinValueValidator(1), MaxValueValidator(999)]
    )
    finish_unit = models.CharField(
        _("unit"), max_length=16, choices=DeadlineUnit.choices, default=DeadlineUnit.WORKING_DAYS
    )
    is_default = models.BooleanField(
        _("default"), default=False, help_text=_("The class a task gets when none is chosen.")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = UrgencyClassQuerySet.as_manager()

    class Meta:
        verbose_name = _("urgency class")
        verbose_name_plural = _("urgency classes")
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="urgency_class_one_default",
            ),
            models.CheckConstraint(
                condition=models.Q(acknowledge_within__gte=1, finish_within__gte=1),
                name="urgency_class_positive_times",
            ),
        ]

    def __str__(self):
        return self.name

    def due_at(self, start):
        """When a task of this class assigned at `start` must be finished."""
        from feedback.calendar import deadline

        return deadline(start, self.finish_within, self.finish_unit)

    def acknowledge_by(self, start):
        """When a task of this class assigned at `start` must be acknowledged (签收): never
        after it is due."""
        from feedback.calendar import deadline

        return min(
            deadline(start, self.acknowledge_within, self.acknowledge_unit), self.due_at(start)
        )

    @property
    def acknowledge_text(self) -> str:
        return f"{self.acknowledge_within} {self.get_acknowledge_unit_display()}"

    @property
    def finish_text(self) -> str:
        return f"{self.finish_within} {self.get_finish_unit_display()}"


class TaskQuerySet(ScopedQuerySet):
    area_field = "suggestion__area"

    def open(self):
        return self.filter(state=Task.State.OPEN)

    def counted(self):
        """Tasks that count for or against their department: not those it returned as not its
        own (退单), which went back to the staff who assigned them."""
        return self.exclude(state=Task.State.RETURNED)

    def unacknowledged(self):
        """Open tasks still to be acknowledged (签收). Tasks assigned before acknowledgement
        existed have no `acknowledge_by` and are not asked for one."""
        return self.open().filter(acknowledged_at__isnull=True, acknowledge_by__isnull=False)

    def overdue(self, now):
        return self.open().filter(due_at__lt=now)

    def extension_waiting(self):
        """Open tasks whose request for more time (延期) waits for staff's decision."""
        waiting = TaskExtension.objects.filter(task=models.OuterRef("pk"), approved__isnull=True)
        return self.open().filter(models.Exists(waiting))

    def supervised_unseen(self):
        """Open tasks with a supervision notice (督办) no handler has marked seen."""
        unseen = TaskSupervision.objects.unseen().filter(task=models.OuterRef("pk"))
        return self.open().filter(models.Exists(unseen))

    def for_handler(self, user):
        """Tasks of the user's departments, and tasks escalated to them."""
        mine = models.Q(department__handlers=user) | models.Q(
            escalations__department__handlers=user
        )
        return self.filter(mine).distinct()


class Task(models.Model):
    """One department's part of an accepted suggestion (任务分解), worked as a 12345 hotline's:
    acknowledged (签收) by a deadline, returned when it is not the department's (退单), given
    more time when staff approve (延期), supervised from above (督办), finished with a result
    and photos (办结)."""

    class State(models.TextChoices):
        OPEN = "open", _("In progress")
        DONE = "done", _("Done")
        RETURNED = "returned", _("Returned")

    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="tasks")
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="tasks", verbose_name=_("department")
    )
    instructions = models.TextField(_("instructions"), max_length=2000)
    urgency = models.ForeignKey(
        UrgencyClass,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("urgency"),
        help_text=_("Empty for tasks assigned before urgency classes."),
    )
    # The deadline, to the minute; `due_on` is its local day, kept with it (Task.save and the
    # services), for the lists and counts by day.
    due_at = models.DateTimeField(_("due at"))
    due_on = models.DateField(_("due on"))
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.OPEN)
    # 签收: by when, when and by whom. Empty `acknowledge_by`: assigned before 签收 existed.
    acknowledge_by = models.DateTimeField(_("acknowledge by"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = staff_reference(_("acknowledged by"))
    result = models.TextField(_("what was done"), max_length=2000, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = staff_reference(_("done by"))
    # 退单: the department says the task is not its own, and why.
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    returned_by = staff_reference(_("returned by"))
    return_reason = models.TextField(_("why it was returned"), max_length=1000, blank=True)
    created_by = staff_reference(_("assigned by"))
    created_at = models.DateTimeField(_("assigned at"), db_default=Now())
    version = models.PositiveIntegerField(default=0, editable=False)
    # The due-tomorrow reminder: the last local day handlers were told.
    reminded_on = models.DateField(null=True, blank=True, editable=False)
    # The acknowledgement reminder: when handlers were told it waits for 签收.
    acknowledge_reminded_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["due_at", "id"]
        indexes = [
            # the daily counts and reminders by due day (dashboard.figures, followup.due_soon)
            models.Index(fields=["state", "due_on"], name="task_state_due"),
            # overdue to the minute (followup.overdue, the task list's overdue tab)
            models.Index(fields=["state", "due_at"], name="task_state_due_at"),
            # still to be acknowledged (followup.unacknowledged)
            models.Index(
                fields=["acknowledge_by"],
                condition=models.Q(state="open", acknowledged_at__isnull=True),
                name="task_to_acknowledge",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(state="returned")
                | (models.Q(returned_at__isnull=False) & ~models.Q(return_reason="")),
                name="task_returned_with_reason",
            ),
        ]

    def __str__(self):
        return f"{self.department}: {self.suggestion.tracking_code}"

    def save(self, *args, **kwargs):
        # One deadline, two columns: a task made with a day only is due at that day's end.
        from feedback.calendar import end_of_day

        if self.due_at is None and self.due_on is not None:
            self.due_at = end_of_day(self.due_on)
        if self.due_at is not None:
            self.due_on = timezone.localtime(self.due_at).date()
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.state == self.State.OPEN

    @property
    def is_acknowledged(self) -> bool:
        return self.acknowledged_at is not None


class TaskEscalation(models.Model):
    """An overdue or unacknowledged task passed one level up: to a parent department, then to
    the staff of the suggestion's higher areas. One row per level, so each level is told once;
    a task not acknowledged in time and later overdue climbs one ladder."""

    class Reason(models.TextChoices):
        OVERDUE = "overdue", _("Overdue")
        UNACKNOWLEDGED = "unacknowledged", _("Not acknowledged in time")

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="escalations")
    level = models.PositiveSmallIntegerField()
    reason = models.CharField(
        _("why"), max_length=16, choices=Reason.choices, default=Reason.OVERDUE
    )
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


class TaskExtension(models.Model):
    """延期: a handler asks for more time, with a reason; staff of the suggestion's area or above
    approve it with a new deadline (the one asked for, or another) or refuse it. At most one
    request waits at a time."""

    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, related_name="extensions", verbose_name=_("task")
    )
    reason = models.TextField(_("why more time is needed"), max_length=1000)
    requested_by = staff_reference(_("asked by"))
    requested_at = models.DateTimeField(_("asked at"), db_default=Now())
    # The deadline when it was asked, and the one asked for.
    previous_due_at = models.DateTimeField(_("due before"))
    requested_due_at = models.DateTimeField(_("new deadline asked for"))
    decided_by = staff_reference(_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    # None: waiting for a decision.
    approved = models.BooleanField(_("approved"), null=True, blank=True)
    new_due_at = models.DateTimeField(_("new deadline"), null=True, blank=True)
    decision_note = models.TextField(_("note on the decision"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        ordering = ["requested_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["task"],
                condition=models.Q(approved__isnull=True),
                name="extension_one_waiting_per_task",
            ),
            models.CheckConstraint(
                condition=models.Q(approved__isnull=True)
                | models.Q(approved=False, decided_at__isnull=False)
                | models.Q(approved=True, decided_at__isnull=False, new_due_at__isnull=False),
                name="extension_decided_with_deadline",
            ),
        ]

    def __str__(self):
        return f"{self.task_id}: {self.requested_due_at:%Y-%m-%d}"

    @property
    def is_waiting(self) -> bool:
        return self.approved is None


class TaskSupervisionQuerySet(models.QuerySet):
    def unseen(self):
        return self.filter(seen_at__isnull=True)


class TaskSupervision(models.Model):
    """督办: staff or officials whose scope holds the task's suggestion press its department with
    a notice; the handlers see it highlighted until one of them marks it seen."""

    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, related_name="supervisions", verbose_name=_("task")
    )
    by = staff_reference(_("by"))
    text = models.TextField(_("notice"), max_length=1000)
    created_at = models.DateTimeField(_("sent at"), db_default=Now())
    seen_at = models.DateTimeField(_("seen at"), null=True, blank=True)
    seen_by = staff_reference(_("seen by"))

    objects = TaskSupervisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("supervision notice")
        verbose_name_plural = _("supervision notices")
        ordering = ["created_at", "id"]
        indexes = [
            # a task's unseen notices (the task page, the handlers' task list)
            models.Index(
                fields=["task"], condition=models.Q(seen_at__isnull=True), name="supervision_unseen"
            ),
        ]

    def __str__(self):
        return f"{self.task_id}: {self.text[:30]}"


class TaskPhoto(Photo):
    """A photo of the result, taken with the 办结 (the same handling as a rider's: re-encoded
    without EXIF, feedback.photos). Staff see it; the submitter sees it on the tracking page only
    once staff publish it, and never once hidden."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="photos")
    published = models.BooleanField(_("shown to the submitter"), default=False)
    hidden = models.BooleanField(_("hidden by a moderator"), default=False)
    created_at = models.DateTimeField(_("added at"), db_default=Now())

    objects = PhotoQuerySet.as_manager()

    class Meta:
        verbose_name = _("result photo")
        verbose_name_plural = _("result photos")
        ordering = ["id"]
        indexes = [
            # the published result photos of a suggestion (the tracking page, the station page)
            models.Index(
                fields=["task"],
                condition=models.Q(published=True, hidden=False),
                name="task_photo_published",
            ),
            # the photos still being processed, oldest first (feedback.services.photos.sweep)
            models.Index(
                fields=["created_at"],
                condition=models.Q(state="pending"),
                name="task_photo_pending",
            ),
        ]


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
        PHOTO_UNREADABLE = "photo_unreadable", _("A photo could not be read")
        REMINDED = "reminded", _("Reminder sent")
        # A department's work on its task, as a 12345 hotline's (feedback.services.desk).
        ACKNOWLEDGED = "acknowledged", _("Task acknowledged (签收)")
        TASK_RETURNED = "returned", _("Task returned (退单)")
        EXTENSION_REQUESTED = "extension_requested", _("More time asked for (延期)")
        EXTENSION_DECIDED = "extension_decided", _("Extension decided")
        SUPERVISED = "supervised", _("Supervision notice (督办)")
        PHOTO_PUBLISHED = "photo_published", _("Result photo shown to the submitter")
        SUMMARY_PUBLISHED = "summary_published", _("Public summary approved")
        SUMMARY_WITHDRAWN = "summary_withdrawn", _("Public summary withdrawn")
        SUPPORTED = "supported", _("Another rider met it too")
        # The submitter's text messages (feedback.texts) and the staff's callback (回访).
        TEXT_SENT = "sms_sent", _("Text message sent to the submitter")
        TEXT_FAILED = "sms_failed", _("Text message to the submitter failed")
        TEXTS_STOPPED = "sms_stopped", _("Text messages stopped by the submitter")
        ASKED_IF_FIXED = "asked_if_fixed", _("Submitter asked whether it is fixed")
        CALLBACK = "callback", _("Callback (回访)")
        ISSUE_TYPE_CHANGED = "issue_type", _("Issue type changed")
        # 差评整改台账: what staff did about a low rating or a reopening (feedback.ledger).
        RECTIFIED = "rectified", _("What was done about the low rating or reopening")

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
            # the dashboard's recount: suggestions passed on, reopened or given another
            # sub-type, tasks returned or given a new deadline since the last count, whose past
            # days it counts again (dashboard.refresh.touched_days)
            models.Index(
                fields=["created_at"],
                condition=models.Q(
                    kind__in=[
                        "transferred",
                        "reopened",
                        "returned",
                        "extension_decided",
                        "issue_type",
                    ]
                ),
                name="event_changed_past_days",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.suggestion_id}"


class Support(models.Model):
    """我也遇到了: a signed-in rider says they met the same matter, from the station's page, instead
    of filing it again. One per rider per suggestion; staff see the count as support."""

    suggestion = models.ForeignKey(
        Suggestion, on_delete=models.CASCADE, related_name="supports", verbose_name=_("suggestion")
    )
    worker = models.ForeignKey(
        Worker, on_delete=models.CASCADE, related_name="supports", verbose_name=_("worker")
    )
    created_at = models.DateTimeField(_("at"), db_default=Now())

    class Meta:
        verbose_name = _("support (我也遇到了)")
        verbose_name_plural = _("supports (我也遇到了)")
        ordering = ["created_at", "id"]
        constraints = [
            # also the index that counts a suggestion's supports (feedback.selectors)
            models.UniqueConstraint(fields=["suggestion", "worker"], name="support_once_per_rider"),
        ]

    def __str__(self):
        return f"{self.suggestion_id} + {self.worker_id}"


class SuggestionText(models.Model):
    """One text message to a suggestion's submitter about a change they would want to hear of
    (feedback.texts). The row is written in the transaction of the change and the message is
    sent after commit: a retry finds the row sent and sends nothing twice. Neither the number
    nor the message is kept: the number is read from the suggestion when it is sent."""

    class Kind(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Not taken up")
        FOLLOWS = "follows", _("Joined with an earlier report")
        RESOLVED = "resolved", _("Resolved")
        ORIGINAL_RESOLVED = "original_resolved", _("The report it follows is resolved")
        REOPENED = "reopened", _("Reopened")
        CLOSED = "closed", _("Closed")
        ASK_IF_FIXED = "ask_if_fixed", _("Is it fixed?")

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        DROPPED = "dropped", _("Not sent")

    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="texts")
    kind = models.CharField(_("about"), max_length=20, choices=Kind.choices)
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # The class name of the provider's last error: never the number or the message.
    last_error = models.CharField(_("last error"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), db_default=Now())
    last_attempt_at = models.DateTimeField(_("last attempt at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("text message to a submitter")
        verbose_name_plural = _("text messages to submitters")
        ordering = ["created_at", "id"]
        indexes = [
            # the sweep: texts still to send or to try again (feedback.texts.to_retry)
            models.Index(
                fields=["created_at"],
                condition=models.Q(state__in=["pending", "failed"]),
                name="text_to_send",
            ),
            # has this resolution been asked whether it is fixed (feedback.texts.ask_if_fixed)
            models.Index(fields=["suggestion", "kind"], name="text_suggestion_kind"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.suggestion_id}"


class Callback(models.Model):
    """回访: staff call the submitter of a resolved suggestion who did not rate it online. A
    reached submitter's satisfaction counts in the 满意率 apart from the online ratings."""

    suggestion = models.ForeignKey(
        Suggestion, on_delete=models.CASCADE, related_name="callbacks", verbose_name=_("suggestion")
    )
    by = staff_reference(_("by"))
    reached = models.BooleanField(_("reached the submitter"))
    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("1 to 5, only when the submitter was reached."),
    )
    words = models.TextField(_("what was said"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("at"), db_default=Now())

    class Meta:
        verbose_name = _("callback")
        verbose_name_plural = _("callbacks")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    reached=True,
                    satisfaction__isnull=False,
                    satisfaction__gte=1,
                    satisfaction__lte=5,
                )
                | models.Q(reached=False, satisfaction__isnull=True),
                name="callback_satisfaction_when_reached",
            ),
        ]

    def __str__(self):
        return f"{self.suggestion_id}: {self.satisfaction or '—'}"


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
