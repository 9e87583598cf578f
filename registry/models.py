import secrets
from datetime import timedelta

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F
from django.db.models.functions import Now
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from pypinyin import Style, lazy_pinyin

from portal import crypto
from portal.fields import EncryptedCharField, EncryptedJSONField
from portal.models import Area, staff_reference
from portal.privacy import mask_mobile
from portal.scope import ScopedQuerySet
from portal.timeline import ReadableChanges
from registry.validators import normalise_id_number


class Occupation(models.TextChoices):
    COURIER = "courier", _("Courier")
    FOOD_DELIVERY = "food_delivery", _("Food-delivery rider")
    RIDE_HAILING = "ride_hailing", _("Ride-hailing driver")
    TRUCK = "truck", _("Truck driver")
    OTHER = "other", _("Other")


class Platform(models.TextChoices):
    MEITUAN = "meituan", _("Meituan")
    ELEME = "eleme", _("Ele.me")
    SF = "sf", _("SF Express")
    JD = "jd", _("JD Logistics")
    DIDI = "didi", _("Didi")
    ZTO = "zto", _("ZTO Express")
    YTO = "yto", _("YTO Express")
    YUNDA = "yunda", _("Yunda Express")
    STO = "sto", _("STO Express")
    JT = "jt", _("J&T Express")
    EMS = "ems", _("China Post / EMS")
    HUOLALA = "huolala", _("Lalamove (Huolala)")
    FULL_TRUCK = "full_truck", _("Full Truck Alliance")
    OTHER = "other", _("Other")


class PoliticalStatus(models.TextChoices):
    PARTY_MEMBER = "party_member", _("CPC member")
    PROBATIONARY = "probationary", _("Probationary CPC member")
    LEAGUE = "league", _("Communist Youth League member")
    MASSES = "masses", _("Ordinary citizen")

    @classmethod
    def party(cls):
        return (cls.PARTY_MEMBER, cls.PROBATIONARY)


class WorkerStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    LEFT = "left", _("Left or moved away")


class WorkerRoleKind(models.TextChoices):
    GRID_MEMBER = "grid_member", _("Grid member")
    FOOD_SAFETY_SUPERVISOR = "food_safety", _("Food-safety supervisor")
    SOCIAL_SUPERVISOR = "social_supervisor", _("Social supervisor")
    VOLUNTEER = "volunteer", _("Volunteer")


def romanise(name: str) -> tuple[str, str]:
    """张三 → ("zhangsan", "zs"), stored beside names so staff can search either way."""
    return (
        "".join(lazy_pinyin(name)).lower()[:120],
        "".join(lazy_pinyin(name, style=Style.FIRST_LETTER)).lower()[:30],
    )


def new_call_code() -> str:
    """A recruitment call's public code, in its apply page's URL."""
    return secrets.token_urlsafe(12)


class Channel(models.TextChoices):
    SELF = "self", _("Self-registration (QR code)")
    STAFF = "staff", _("Entered by staff")


class WorkerQuerySet(ScopedQuerySet):
    def pending(self):
        return self.filter(status=WorkerStatus.PENDING)

    def consenting(self):
        """Workers whose consent stands: not withdrawn, not erased."""
        return self.filter(consent_withdrawn_at__isnull=True, anonymised_at__isnull=True)


class Worker(models.Model):
    """One person of the new employment groups; one record per mobile number."""

    name = models.CharField(_("full name"), max_length=30)
    # Romanisation of the name, so staff can search "zhangsan" or "zs" for 张三.
    name_pinyin = models.CharField(max_length=120, editable=False, db_index=True)
    name_initials = models.CharField(max_length=30, editable=False, db_index=True)
    mobile = models.CharField(_("mobile"), max_length=11, unique=True)
    # Staff often know only the last four digits of a rider's number.
    mobile_tail = models.CharField(max_length=4, editable=False, db_index=True)
    occupation = models.CharField(_("occupation"), max_length=16, choices=Occupation.choices)
    platform = models.CharField(_("platform or employer"), max_length=16, choices=Platform.choices)
    platform_other = models.CharField(_("other platform or employer"), max_length=60, blank=True)
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="workers", verbose_name=_("home community")
    )
    # The community the record was registered with: set on the first save and never changed by
    # a move, so the dashboard's "new registrations" of a past period stay where they happened.
    registered_area = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name=_("registered with"),
    )
    political_status = models.CharField(
        _("political status"), max_length=16, choices=PoliticalStatus.choices
    )
    # Sensitive personal information (PIPL art. 28): encrypted in the database (portal.crypto).
    party_branch = EncryptedCharField(_("party branch"), max_length=100, blank=True)
    membership_held_at = EncryptedCharField(
        _("where the membership is held"), max_length=100, blank=True
    )
    is_mobile_party_member = models.BooleanField(_("mobile party member"), default=False)
    id_number = EncryptedCharField(_("ID number"), max_length=18, blank=True)
    # What finds a worker by ID number (duplicates): the encrypted column cannot be compared.
    id_number_hash = models.CharField(max_length=64, blank=True, editable=False)
    status = models.CharField(
        _("status"), max_length=16, choices=WorkerStatus.choices, default=WorkerStatus.PENDING
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = staff_reference(_("confirmed by"))
    consent_version = models.CharField(_("consent text version"), max_length=20)
    consented_at = models.DateTimeField(_("consented at"))
    sensitive_consented_at = models.DateTimeField(
        _("consented to sensitive data at"), null=True, blank=True
    )
    left_at = models.DateTimeField(_("left at"), null=True, blank=True)
    # A refused registration is not active (status left) and says why; the rider sees the reason.
    refused_at = models.DateTimeField(_("refused at"), null=True, blank=True)
    refusal_reason = models.CharField(_("reason for refusal"), max_length=200, blank=True)
    # A registration found to be a duplicate: its history moved to this worker, the record stays.
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_duplicates",
        verbose_name=_("merged into"),
    )
    consent_withdrawn_at = models.DateTimeField(_("consent withdrawn at"), null=True, blank=True)
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)
    created_at = models.DateTimeField(_("registered at"), db_default=Now(), db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = WorkerQuerySet.as_manager()

    class Meta:
        verbose_name = _("worker")
        verbose_name_plural = _("workers")
        indexes = [
            # the confirmation queue: pending workers of an area, oldest first
            models.Index(fields=["status", "area", "created_at"], name="worker_queue"),
            # the rosters' head count: an area's workers not left, read from the index alone
            # (docs/BENCHMARKS.md: a city's count drops from a table scan to an index-only scan)
            models.Index(fields=["area", "status"], name="worker_roster_count"),
            # the duplicates of a registration with the same ID number (registry.views.review)
            models.Index(
                fields=["id_number_hash"],
                name="worker_id_number_hash",
                condition=~models.Q(id_number_hash=""),
            ),
        ]
        constraints = [
            # Sensitive data (party membership details, ID number) only with its own consent.
            models.CheckConstraint(
                condition=models.Q(sensitive_consented_at__isnull=False)
                | (
                    models.Q(id_number="", party_branch="", membership_held_at="")
                    & ~models.Q(political_status__in=PoliticalStatus.party())
                ),
                name="worker_sensitive_data_needs_consent",
            ),
        ]

    def __str__(self):
        return self.name or gettext("Anonymised")

    def save(self, *args, **kwargs):
        self.set_derived_fields()
        super().save(*args, **kwargs)

    def set_derived_fields(self):
        """The search columns and the community registered with; call before bulk_create and
        bulk_update, which skip save()."""
        self.name_pinyin, self.name_initials = romanise(self.name)
        self.mobile_tail = self.mobile[-4:]
        self.id_number_hash = id_number_hash(self.id_number) if self.id_number else ""
        if self.registered_area_id is None:
            self.registered_area_id = self.area_id

    @property
    def masked_mobile(self) -> str:
        return mask_mobile(self.mobile)

    @property
    def is_party_member(self) -> bool:
        return self.political_status in PoliticalStatus.party()

    @property
    def platform_label(self) -> str:
        return (
            self.platform_other if self.platform == Platform.OTHER else self.get_platform_display()
        )


def id_number_hash(id_number: str) -> str:
    """The keyed hash of an ID number, however it was typed (full-width digits, a small x)."""
    return crypto.lookup_hash(normalise_id_number(id_number))


class CheckIn(models.Model):
    """One 报到: a worker reporting to a community, as a worker or as a party member."""

    worker = models.ForeignKey(
        Worker, on_delete=models.CASCADE, related_name="check_ins", verbose_name=_("worker")
    )
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="check_ins", verbose_name=_("community")
    )
    as_party_member = models.BooleanField(_("as a party member"), default=False)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    recorded_by = staff_reference(_("recorded by"))
    created_at = models.DateTimeField(_("checked in at"), db_default=Now())

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        ordering = ["-created_at"]
        indexes = [
            # a worker's check-ins, newest first
            models.Index(fields=["worker", "-created_at"], name="checkin_worker"),
        ]

    def __str__(self):
        return f"{self.worker} @ {self.area}"


class WorkerEvent(ReadableChanges, models.Model):
    """The timeline of a worker's record: who changed what, and when."""

    class Kind(models.TextChoices):
        REGISTERED = "registered", _("Registered")
        IMPORTED = "imported", _("Imported from a survey list")
        UPDATED = "updated", _("Details updated")
        CONFIRMED = "confirmed", _("Registration confirmed")
        REFUSED = "refused", _("Registration refused")
        MERGED = "merged", _("Merged as a duplicate")
        LEFT = "left", _("Left or moved away")
        CONSENT_WITHDRAWN = "consent_withdrawn", _("Consent withdrawn")
        ANONYMISED = "anonymised", _("Personal details erased")
        APPLIED = "applied", _("Applied to a recruitment call")
        APPOINTED = "appointed", _("Appointed")
        DECLINED = "declined", _("Application declined")
        APPOINTMENT_ENDED = "appointment_ended", _("Appointment ended")

    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices)
    actor = staff_reference(_("by"), help_text=_("Empty when the worker did it themselves."))
    changes = models.JSONField(_("changes"), default=dict, blank=True)  # {field: [old, new]}
    created_at = models.DateTimeField(_("at"), db_default=Now())

    class Meta:
        verbose_name = _("worker event")
        verbose_name_plural = _("worker events")
        ordering = ["-created_at", "-id"]

    changed_model = Worker
    extra_labels = {
        "roles": _("Roles"),
        "reason": _("Reason"),
        "duplicate": _("Duplicate registration taken in"),
        "role": _("Role"),
        "area": _("Area"),
        "term": _("Term"),
        "call": _("Recruitment call"),
    }
    extra_choices = {"roles": WorkerRoleKind, "role": WorkerRoleKind}

    def __str__(self):
        return f"{self.get_kind_display()}: {self.worker}"


class WorkerRoleQuerySet(ScopedQuerySet):
    def active(self, today):
        """Appointments in force on `today`: not ended, and their term not run out."""
        return self.filter(
            models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=today),
            ended_on__isnull=True,
            starts_on__lte=today,
        )

    def with_state(self, today):
        """Each appointment with `is_active` on `today`."""
        return self.annotate(
            is_active=models.ExpressionWrapper(
                models.Q(pk__in=self.model.objects.active(today).values("pk")),
                output_field=models.BooleanField(),
            )
        )

    def expiring(self, today, days: int):
        """Active appointments whose term runs out within `days` days, soonest first."""
        return (
            self.active(today)
            .filter(ends_on__lte=today + timedelta(days=days))
            .order_by("ends_on", "id")
        )


class WorkerRole(models.Model):
    """An appointment to a duty in the community (网格员, 监督员, 志愿者): by whom, where, and for
    which term. It is active from `starts_on` until `ends_on` (none: no end set) unless ended
    early (`ended_on`, with a reason); ended appointments stay as the worker's history."""

    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("role"), max_length=20, choices=WorkerRoleKind.choices)
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("area")
    )
    department = models.CharField(
        _("appointing department"),
        max_length=100,
        blank=True,
        help_text=_("Who made the appointment, for example the community committee."),
    )
    starts_on = models.DateField(_("start date"))
    ends_on = models.DateField(_("end date"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.CharField(_("reason for ending"), max_length=200, blank=True)
    appointed_by = staff_reference(_("appointed by"))

    objects = WorkerRoleQuerySet.as_manager()

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        constraints = [
            # One open appointment per worker and role; ended ones are history.
            models.UniqueConstraint(
                fields=["worker", "role"],
                condition=models.Q(ended_on__isnull=True),
                name="worker_role_once",
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=F("starts_on")),
                name="worker_role_term_order",
            ),
        ]
        indexes = [
            # the rosters' filter by role: the workers with an open appointment of that role
            models.Index(fields=["role", "worker"], name="worker_role_filter"),
            # the expiring appointments: open ones by the end of their term
            models.Index(
                fields=["ends_on"],
                name="worker_role_expiring",
                condition=models.Q(ended_on__isnull=True),
            ),
        ]

    def __str__(self):
        return self.get_role_display()


class RecruitmentCall(models.Model):
    """招募令: staff call for riders to take on a role in an area, until a deadline."""

    code = models.CharField(max_length=32, unique=True, default=new_call_code, editable=False)
    role = models.CharField(_("role"), max_length=20, choices=WorkerRoleKind.choices)
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("area")
    )
    wanted = models.PositiveSmallIntegerField(
        _("number wanted"), validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    duties = models.TextField(_("duties"), max_length=1000)
    deadline = models.DateField(_("apply by"))
    department = models.CharField(
        _("appointing department"),
        max_length=100,
        help_text=_("Who appoints the riders accepted, for example the community committee."),
    )
    term_ends_on = models.DateField(
        _("appointment until"),
        null=True,
        blank=True,
        help_text=_("The end of the term of those appointed; empty for no end."),
    )
    created_by = staff_reference(_("published by"))
    created_at = models.DateTimeField(_("published at"), db_default=Now())

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("recruitment call")
        verbose_name_plural = _("recruitment calls")
        ordering = ["-deadline", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(wanted__gte=1), name="call_wants_someone"),
        ]
        indexes = [
            # the open calls of a station's or a rider's area: by deadline
            models.Index(fields=["deadline", "area"], name="call_open"),
        ]

    def __str__(self):
        return f"{self.get_role_display()} · {self.area}"

    def is_open(self, today) -> bool:
        return today <= self.deadline


class ApplicationQuerySet(ScopedQuerySet):
    area_field = "call__area"


class Application(models.Model):
    """A rider's answer to a recruitment call, and the staff's decision on it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a decision")
        ACCEPTED = "accepted", _("Accepted and appointed")
        DECLINED = "declined", _("Declined")

    call = models.ForeignKey(
        RecruitmentCall,
        on_delete=models.CASCADE,
        related_name="applications",
        verbose_name=_("recruitment call"),
    )
    worker = models.ForeignKey(
        Worker, on_delete=models.CASCADE, related_name="applications", verbose_name=_("worker")
    )
    message = models.CharField(_("a few words"), max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    decided_by = staff_reference(_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    appointment = models.ForeignKey(
        WorkerRole, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("applied at"), db_default=Now())

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["call", "worker"], name="application_once"),
        ]
        indexes = [
            # a rider's applications on 我的, newest first
            models.Index(fields=["worker", "-created_at"], name="application_worker"),
        ]

    def __str__(self):
        return f"{self.worker} → {self.call}"


class PartyOrganisation(models.TextChoices):
    NONE = "none", _("None yet")
    OWN_BRANCH = "own_branch", _("Its own party branch")
    JOINT_BRANCH = "joint_branch", _("A joint party branch")


class EnterpriseKind(models.TextChoices):
    PLATFORM = "platform", _("Platform company")
    BRANCH = "branch", _("Local branch or station (网点)")


class Enterprise(models.Model):
    """The enterprise ledger (一台账): platform companies and their local branches and stations."""

    name = models.CharField(_("name"), max_length=100)
    name_pinyin = models.CharField(max_length=400, editable=False, db_index=True)
    name_initials = models.CharField(max_length=100, editable=False, db_index=True)
    kind = models.CharField(_("kind"), max_length=16, choices=EnterpriseKind.choices)
    platform = models.CharField(_("platform"), max_length=16, choices=Platform.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="branches",
        verbose_name=_("belongs to"),
        help_text=_("For a branch or station: the platform company it belongs to."),
    )
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="enterprises", verbose_name=_("area")
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    workforce = models.PositiveIntegerField(_("workforce size"), default=0)
    party_organisation = models.CharField(
        _("party organisation"),
        max_length=16,
        choices=PartyOrganisation.choices,
        default=PartyOrganisation.NONE,
    )
    party_instructor = models.CharField(_("party-building instructor"), max_length=30, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=30, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("added at"), db_default=Now())
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        ordering = ["name", "id"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name_pinyin, self.name_initials = romanise(self.name)
        super().save(*args, **kwargs)

    @property
    def masked_contact_phone(self) -> str:
        return mask_mobile(self.contact_phone)


class CareTrigger(models.TextChoices):
    LIFE_CHANGE = "life_change", _("Major life change")
    JOB_CHANGE = "job_change", _("Job change")
    WORK_DROP = "work_drop", _("Clear drop in work")


class CareVisitQuerySet(ScopedQuerySet):
    area_field = "worker__area"

    def open(self):
        return self.filter(closed_at__isnull=True)

    def due_by_tomorrow(self, today):
        """Open visits due tomorrow or overdue: what the nav badge counts and reminders cover."""
        return self.open().filter(due_on__lte=today + timedelta(days=1))


class CareVisit(models.Model):
    """三必访: a party member's trigger creates a due visit; recording the visit closes it."""

    worker = models.ForeignKey(
        Worker, on_delete=models.CASCADE, related_name="care_visits", verbose_name=_("worker")
    )
    trigger = models.CharField(_("reason"), max_length=16, choices=CareTrigger.choices)
    trigger_notes = models.TextField(_("what happened"), blank=True)
    due_on = models.DateField(_("visit due by"))
    responsible = staff_reference(_("responsible staff member"))
    recorded_by = staff_reference(_("recorded by"))
    created_at = models.DateTimeField(_("recorded at"), db_default=Now())
    visited_on = models.DateField(_("visited on"), null=True, blank=True)
    visitor = models.CharField(_("visited by"), max_length=60, blank=True)
    visit_notes = models.TextField(_("notes"), blank=True)
    follow_up_needed = models.BooleanField(_("follow-up needed"), default=False)
    closed_by = staff_reference(_("closed by"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # The reminder task's own bookkeeping: at most one reminder per visit per day.
    last_reminded_on = models.DateField(null=True, blank=True, editable=False)

    objects = CareVisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("care visit")
        verbose_name_plural = _("care visits")
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["closed_at", "due_on"], name="care_visit_due")]

    def __str__(self):
        return f"{self.get_trigger_display()}: {self.worker}"


class ImportJob(models.Model):
    """One uploaded survey list (数据摸排清单): read in the background, reviewed, then committed."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to be read")
        READING = "reading", _("Reading")
        READ = "read", _("Ready to review")
        COMMITTING = "committing", _("Saving")
        DONE = "done", _("Saved")
        FAILED = "failed", _("Failed")

    uploaded_by = staff_reference(_("uploaded by"))
    # The uploader's scope at upload time: every row must lie within it.
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=200)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    valid_rows = models.PositiveIntegerField(_("valid rows"), default=0)
    created_count = models.PositiveIntegerField(_("workers added"), default=0)
    updated_count = models.PositiveIntegerField(_("workers updated"), default=0)
    error = models.CharField(_("error"), max_length=300, blank=True)
    # What the uploader attested at upload for everyone on the list (paper consent forms);
    # the workers it adds take this version and the upload time as their consent.
    consent_version = models.CharField(_("consent text version"), max_length=20, blank=True)
    sensitive_consent = models.BooleanField(_("consent to sensitive data"), default=False)
    created_at = models.DateTimeField(_("uploaded at"), db_default=Now())
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.original_name


class ImportRow(models.Model):
    """One data row of an import: its values and, if rejected, why."""

    class Outcome(models.TextChoices):
        NEW = "new", _("New worker")
        UPDATE = "update", _("Update")
        UNCHANGED = "unchanged", _("No change")
        REJECTED = "rejected", _("Rejected")

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="rows")
    number = models.PositiveIntegerField(_("row"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    # The row's cells, ID numbers and party details among them: encrypted like the worker's.
    values = EncryptedJSONField(default=dict)
    errors = models.JSONField(default=list)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["job", "number"], name="import_row_once"),
        ]
        indexes = [
            # the preview's "rejected only" filter and its counts per outcome
            models.Index(fields=["job", "outcome", "number"], name="import_row_outcome"),
        ]

    def __str__(self):
        return f"{self.job} #{self.number}"
