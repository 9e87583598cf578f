import secrets
from datetime import datetime, time, timedelta

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models import Area, staff_reference
from portal.scope import ScopedQuerySet
from portal.storage import public_storage
from portal.timeline import ReadableChanges


class StationKind(models.TextChoices):
    PARTY_CENTRE = "party_centre", _("Party and public service centre")
    WARM_STATION = "warm_station", _("Warm-heart station")
    OUTDOOR_WORKERS = "outdoor_workers", _("Outdoor workers' station")
    LOVE_CORNER = "love_corner", _("New-employment love corner")
    UNION = "union", _("Trade-union station")
    MERCHANT = "merchant", _("Friendly merchant")
    FRIENDLY_SCENE = "friendly_scene", _("Friendly neighbourhood, street or shopping area")


class Amenity(models.TextChoices):
    DRINKING_WATER = "drinking_water", _("Drinking water")
    PHONE_CHARGING = "phone_charging", _("Phone charging")
    MICROWAVE = "microwave", _("Microwave")
    FRIDGE = "fridge", _("Fridge")
    TOILET = "toilet", _("Toilet")
    SEATS = "seats", _("Seats")
    AIR_CONDITIONING = "air_conditioning", _("Air conditioning")
    MEDICINE_KIT = "medicine_kit", _("Medicine kit")
    UMBRELLA = "umbrella", _("Umbrella")
    WIFI = "wifi", _("Wi-Fi")
    BATTERY_SWAP = "battery_swap", _("E-bike battery charging")
    REPAIR_TOOLS = "repair_tools", _("Repair tools and tyre pump")


class Service(models.TextChoices):
    LEGAL_AID = "legal_aid", _("Legal aid")
    SOCIAL_SECURITY = "social_security", _("Social-security advice")
    COUNSELLING = "counselling", _("Counselling")
    MEDIATION = "mediation", _("Dispute mediation")
    HEALTH_CHECK = "health_check", _("Health check")
    JOB_INFORMATION = "job_information", _("Job information")
    SKILLS_TRAINING = "skills_training", _("Skills training")


def new_token() -> str:
    """The station's part of its QR code's URL: unguessable, short enough for a small code."""
    return secrets.token_urlsafe(12)


class Station(models.Model):
    """A place that serves riders: a service centre, a 驿站, a love corner or a friendly merchant.

    Coordinates are GCJ-02, the datum of Chinese maps (AMap, Tencent): what staff read off those
    maps, and what their tiles expect.
    """

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=StationKind.choices)
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="stations", verbose_name=_("area")
    )
    address = models.CharField(_("address"), max_length=200)
    latitude = models.DecimalField(
        _("latitude (GCJ-02)"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(3), MaxValueValidator(54)],  # China, north to south
    )
    longitude = models.DecimalField(
        _("longitude (GCJ-02)"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(73), MaxValueValidator(136)],
    )
    open_24h = models.BooleanField(_("open 24 hours"), default=False)
    # {"0": [["08:00", "20:00"]], …, "6": []}: Monday is "0"; an interval whose end is before its
    # start runs past midnight ("22:00"–"06:00").
    hours = models.JSONField(_("opening hours"), default=dict, blank=True)
    services = models.JSONField(_("services"), default=list, blank=True)  # Service codes
    offer = models.CharField(
        _("offer for riders"),
        max_length=100,
        blank=True,
        help_text=_("Merchants: e.g. 小哥套餐 7折, priority pick-up, free hot water."),
    )
    contact_name = models.CharField(_("contact person"), max_length=30, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    temporarily_closed = models.BooleanField(_("temporarily closed"), default=False)
    closure_reason = models.CharField(_("reason for the closure"), max_length=100, blank=True)
    token = models.CharField(max_length=32, unique=True, default=new_token, editable=False)
    # The QR code images, made by a task for `qr_token`; stale when it differs from `token`.
    qr_png = models.FileField(upload_to="qr/", storage=public_storage, blank=True, editable=False)
    qr_svg = models.FileField(upload_to="qr/", storage=public_storage, blank=True, editable=False)
    qr_token = models.CharField(max_length=32, blank=True, editable=False)
    created_by = staff_reference(_("added by"))
    created_at = models.DateTimeField(_("added at"), db_default=Now())
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("station")
        verbose_name_plural = _("stations")
        ordering = ["name", "id"]
        indexes = [
            # the public map: stations of a kind in an area
            models.Index(fields=["kind", "area"], name="station_kind_area"),
        ]

    def __str__(self):
        return self.name

    def is_open_at(self, moment: datetime) -> bool:
        """Open at this local moment: not closed, and 24 hours or inside one of the day's
        intervals, counting yesterday's intervals that run past midnight."""
        if self.temporarily_closed:
            return False
        if self.open_24h:
            return True
        moment = timezone.localtime(moment)
        now = moment.time()
        yesterday = (moment.date() - timedelta(days=1)).weekday()
        for start, end in self._intervals(moment.weekday()):
            if (start <= now < end) or (end <= start and now >= start):
                return True
        return any(end <= start and now < end for start, end in self._intervals(yesterday))

    def is_open_now(self) -> bool:
        return self.is_open_at(timezone.now())

    def _intervals(self, weekday: int) -> list[tuple[time, time]]:
        return [
            (time.fromisoformat(start), time.fromisoformat(end))
            for start, end in self.hours.get(str(weekday), [])
        ]


class StationAmenity(models.Model):
    """What a station offers riders (its own rows, so the map can filter by them)."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="amenities")
    amenity = models.CharField(_("amenity"), max_length=20, choices=Amenity.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["station", "amenity"], name="station_amenity_once"),
        ]
        indexes = [
            # the map's amenity filter
            models.Index(fields=["amenity", "station"], name="station_amenity_filter"),
        ]

    def __str__(self):
        return self.get_amenity_display()


class RetiredToken(models.Model):
    """A station's former QR token: its old posters still lead somewhere friendly."""

    token = models.CharField(max_length=32, unique=True)
    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="retired_tokens")
    retired_at = models.DateTimeField(db_default=Now())
    retired_by = staff_reference(_("replaced by"))

    def __str__(self):
        return self.token


class StationPhoto(models.Model):
    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to="stations/%Y/%m/", storage=public_storage)
    caption = models.CharField(_("caption"), max_length=100, blank=True)
    created_at = models.DateTimeField(db_default=Now())

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.caption or self.image.name


class StandardItem(models.Model):
    """One item of the station standard (the 九个有 style: 有标识, 有饮水, 有药箱 …)."""

    name = models.CharField(_("item"), max_length=50, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("standard item")
        verbose_name_plural = _("station standard")
        ordering = ["position", "id"]

    def __str__(self):
        return self.name


class StationStandard(models.Model):
    """Which standard items a station has; compliance = items it has ÷ active items."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="standard")
    item = models.ForeignKey(StandardItem, on_delete=models.CASCADE, related_name="+")
    checked_at = models.DateTimeField(db_default=Now())
    checked_by = staff_reference(_("checked by"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["station", "item"], name="station_standard_once"),
        ]

    def __str__(self):
        return f"{self.station}: {self.item}"


class StationVisit(models.Model):
    """A rider's 报到 at a station; the same phone within 30 minutes counts once."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="visits")
    worker = models.ForeignKey(
        "registry.Worker", on_delete=models.CASCADE, related_name="station_visits"
    )
    day = models.DateField()  # local date, for the per-day counts of the dashboard
    # The station's area on that day: the dashboard counts the check-in there, also after the
    # station is moved to another area, so a past period's figures stay where they happened.
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", editable=False)
    created_at = models.DateTimeField(db_default=Now())

    class Meta:
        indexes = [
            # visits per station and day (dashboard)
            models.Index(fields=["station", "day"], name="station_visit_day"),
            # the 30-minute dedupe: this worker's latest visit here
            models.Index(fields=["worker", "station", "-created_at"], name="station_visit_recent"),
        ]

    def __str__(self):
        return f"{self.worker_id} @ {self.station_id} {self.day}"

    def save(self, *args, **kwargs):
        if self.area_id is None:
            self.area_id = self.station.area_id
        super().save(*args, **kwargs)


class StationEvent(ReadableChanges, models.Model):
    """A station's history: who added, changed, re-coded or checked it, and what changed."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Added")
        UPDATED = "updated", _("Details changed")
        TOKEN_ROTATED = "token_rotated", _("QR code replaced")
        STANDARD_CHECKED = "standard_checked", _("Standard checked")
        PHOTO_ADDED = "photo_added", _("Photo added")
        PHOTO_DELETED = "photo_deleted", _("Photo deleted")

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices)
    actor = staff_reference(_("by"))
    changes = models.JSONField(_("changes"), default=dict, blank=True)  # {field: [old, new]}
    created_at = models.DateTimeField(_("at"), db_default=Now())

    class Meta:
        verbose_name = _("station event")
        verbose_name_plural = _("station events")
        ordering = ["-created_at", "-id"]

    changed_model = Station
    extra_labels = {"amenities": _("Amenities")}
    extra_choices = {"amenities": Amenity, "services": Service}

    def __str__(self):
        return f"{self.get_kind_display()}: {self.station}"
