from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _
from pypinyin import Style, lazy_pinyin

from portal.models import Area, staff_reference
from portal.privacy import mask_mobile
from portal.scope import ScopedQuerySet


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


class Channel(models.TextChoices):
    SELF = "self", _("Self-registration (QR code)")
    STAFF = "staff", _("Entered by staff")


class WorkerQuerySet(ScopedQuerySet):
    def pending(self):
        return self.filter(status=WorkerStatus.PENDING)


class Worker(models.Model):
    """One person of the new employment groups; one record per mobile number."""

    name = models.CharField(_("full name"), max_length=30)
    # Romanisation of the name, so staff can search "zhangsan" or "zs" for 张三.
    name_pinyin = models.CharField(max_length=120, editable=False, db_index=True)
    name_initials = models.CharField(max_length=30, editable=False, db_index=True)
    mobile = models.CharField(_("mobile"), max_length=11, unique=True)
    occupation = models.CharField(_("occupation"), max_length=16, choices=Occupation.choices)
    platform = models.CharField(_("platform or employer"), max_length=16, choices=Platform.choices)
    platform_other = models.CharField(_("other platform or employer"), max_length=60, blank=True)
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="workers", verbose_name=_("home community")
    )
    political_status = models.CharField(
        _("political status"), max_length=16, choices=PoliticalStatus.choices
    )
    party_branch = models.CharField(_("party branch"), max_length=100, blank=True)
    membership_held_at = models.CharField(
        _("where the membership is held"), max_length=100, blank=True
    )
    is_mobile_party_member = models.BooleanField(_("mobile party member"), default=False)
    id_number = models.CharField(_("ID number"), max_length=18, blank=True)
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
    created_at = models.DateTimeField(_("registered at"), db_default=Now())
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = WorkerQuerySet.as_manager()

    class Meta:
        verbose_name = _("worker")
        verbose_name_plural = _("workers")
        indexes = [
            # the confirmation queue: pending workers of an area, oldest first
            models.Index(fields=["status", "area", "created_at"], name="worker_queue"),
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
        return self.name

    def save(self, *args, **kwargs):
        self.name_pinyin = "".join(lazy_pinyin(self.name)).lower()
        self.name_initials = "".join(lazy_pinyin(self.name, style=Style.FIRST_LETTER)).lower()
        super().save(*args, **kwargs)

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


class WorkerEvent(models.Model):
    """The timeline of a worker's record: who changed what, and when."""

    class Kind(models.TextChoices):
        REGISTERED = "registered", _("Registered")
        UPDATED = "updated", _("Details updated")
        CONFIRMED = "confirmed", _("Registration confirmed")

    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=16, choices=Kind.choices)
    actor = staff_reference(_("by"), help_text=_("Empty when the worker did it themselves."))
    changes = models.JSONField(_("changes"), default=dict, blank=True)  # {field: [old, new]}
    created_at = models.DateTimeField(_("at"), db_default=Now())

    class Meta:
        verbose_name = _("worker event")
        verbose_name_plural = _("worker events")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.worker}"
