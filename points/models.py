import secrets

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import IntegrityError, models
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.codes import readable_code
from portal.models import Area, staff_reference
from portal.scope import ScopedQuerySet
from portal.storage import public_storage
from registry.models import Worker


class EntryKind(models.TextChoices):
    ACTIVITY = "activity", _("Activity attended")
    HAZARD_ACCEPTED = "hazard_accepted", _("Hazard report accepted")
    GRID_DUTY = "grid_duty", _("Grid duty")
    ADJUSTMENT = "adjustment", _("Manual adjustment")
    REDEMPTION = "redemption", _("Reward redeemed")
    REFUND = "refund", _("Redemption refunded")
    MERGED = "merged", _("Moved with a duplicate registration")


class Account(models.Model):
    """A worker's points balance: always the sum of their ledger entries, never below zero
    (the database refuses it, whatever the code above it does)."""

    worker = models.OneToOneField(
        Worker, on_delete=models.CASCADE, related_name="points_account", verbose_name=_("worker")
    )
    balance = models.IntegerField(_("balance"), default=0)

    class Meta:
        verbose_name = _("points account")
        verbose_name_plural = _("points accounts")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(balance__gte=0), name="points_balance_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.worker}: {self.balance}"


APPEND_ONLY = "The points ledger is append-only: add a correcting entry."


class EntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise IntegrityError(APPEND_ONLY)

    def delete(self):
        raise IntegrityError(APPEND_ONLY)


class Entry(models.Model):
    """One line of the append-only points ledger. Never edited or deleted: a new entry corrects."""

    worker = models.ForeignKey(
        Worker, on_delete=models.CASCADE, related_name="points_entries", verbose_name=_("worker")
    )
    amount = models.IntegerField(_("points"))
    kind = models.CharField(_("kind"), max_length=20, choices=EntryKind.choices)
    # The worker's community when the entry was made: the dashboard counts the points there, also
    # after the worker moves, so a past period's figures stay where they happened.
    area = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name=_("community"),
    )
    # What caused it, as "app.model:pk" ("feedback.suggestion:42"): one award per cause and kind.
    cause = models.CharField(_("caused by"), max_length=64, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = staff_reference(_("recorded by"))
    created_at = models.DateTimeField(_("at"), db_default=Now())

    objects = EntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("points entry")
        verbose_name_plural = _("points ledger")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["worker", "-created_at"], name="points_entry_worker"),
            # the monthly leaderboard: what a community's workers earned since the 1st
            # (docs/BENCHMARKS.md: 90 ms → 16 ms for 3,333 workers among 5,000,000 entries)
            models.Index(
                fields=["worker", "created_at"],
                condition=models.Q(amount__gt=0),
                name="points_entry_earned",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "cause"],
                condition=~models.Q(cause=""),
                name="points_entry_once_per_cause",
            ),
        ]

    def __str__(self):
        return f"{self.worker}: {self.amount:+d} {self.get_kind_display()}"

    # Migration 0003 adds a trigger that refuses an UPDATE in the database as well.
    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise IntegrityError(APPEND_ONLY)
        if self.area_id is None:
            self.area_id = self.worker.area_id
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise IntegrityError(APPEND_ONLY)


def reward_picture_path(reward, filename):
    return f"rewards/{secrets.token_hex(16)}{filename[filename.rfind('.') :].lower()}"


class Reward(models.Model):
    """An item of a community's 积分超市; its stock never goes below zero (the database says so)."""

    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="rewards", verbose_name=_("community")
    )
    name = models.CharField(_("name"), max_length=60)
    description = models.CharField(
        _("description"),
        max_length=200,
        blank=True,
        help_text=_("What it is and where to pick it up, e.g. 社区党群服务中心一楼, 9:00–17:00."),
    )
    picture = models.ImageField(
        _("picture"), upload_to=reward_picture_path, storage=public_storage, blank=True
    )
    price = models.PositiveIntegerField(_("points price"), validators=[MinValueValidator(1)])
    stock = models.IntegerField(_("stock"), validators=[MinValueValidator(0)])
    active = models.BooleanField(
        _("on offer"), default=True, help_text=_("Riders see and redeem only rewards on offer.")
    )
    created_at = models.DateTimeField(_("added at"), db_default=Now())

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("reward")
        verbose_name_plural = _("rewards")
        ordering = ["price", "name", "id"]
        indexes = [
            # the shop: a community's rewards on offer
            models.Index(fields=["area", "active"], name="points_reward_shop"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(stock__gte=0), name="points_stock_not_negative"
            ),
            models.CheckConstraint(condition=models.Q(price__gt=0), name="points_price_positive"),
        ]

    def __str__(self):
        return self.name


class RedemptionState(models.TextChoices):
    REQUESTED = "requested", _("Waiting for pickup")
    FULFILLED = "fulfilled", _("Handed over")
    CANCELLED = "cancelled", _("Cancelled, points refunded")


PICKUP_LENGTH = 6


def new_pickup_code() -> str:
    return readable_code(PICKUP_LENGTH)


class RedemptionQuerySet(ScopedQuerySet):
    area_field = "reward__area"


class Redemption(models.Model):
    """A rider's redemption of a reward: the points and the stock are taken when it is made, and
    given back when it is cancelled. The rider shows the pickup code; staff hand the item over."""

    reward = models.ForeignKey(
        Reward, on_delete=models.PROTECT, related_name="redemptions", verbose_name=_("reward")
    )
    worker = models.ForeignKey(
        Worker, on_delete=models.PROTECT, related_name="redemptions", verbose_name=_("worker")
    )
    points = models.PositiveIntegerField(_("points"))
    pickup_code = models.CharField(_("pickup code"), max_length=PICKUP_LENGTH, unique=True)
    # The confirmation page's one-time key: the same confirmation sent twice (a double tap, a
    # resent form) finds this redemption instead of making a second one.
    nonce = models.UUIDField(_("confirmation key"), null=True, blank=True, editable=False)
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=RedemptionState.choices,
        default=RedemptionState.REQUESTED,
    )
    created_at = models.DateTimeField(_("redeemed at"), db_default=Now())
    fulfilled_at = models.DateTimeField(_("handed over at"), null=True, blank=True)
    fulfilled_by = staff_reference(_("handed over by"))
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = staff_reference(_("cancelled by"))

    objects = RedemptionQuerySet.as_manager()

    class Meta:
        verbose_name = _("redemption")
        verbose_name_plural = _("redemptions")
        ordering = ["-created_at", "-id"]
        indexes = [
            # a rider's redemptions, newest first ("我的")
            models.Index(fields=["worker", "-created_at"], name="points_redemption_worker"),
            # the staff list: a state's redemptions, newest first
            models.Index(fields=["state", "-created_at"], name="points_redemption_state"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["worker", "nonce"], name="points_redemption_once_per_confirmation"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(state=RedemptionState.REQUESTED)
                    | models.Q(state=RedemptionState.FULFILLED, fulfilled_at__isnull=False)
                    | models.Q(state=RedemptionState.CANCELLED, cancelled_at__isnull=False)
                ),
                name="points_redemption_state_has_time",
            ),
        ]

    def __str__(self):
        return f"{self.pickup_code} {self.reward}"


# Volunteer teams and activities (服务换积分): riders sign up, staff mark attendance, attendance
# earns the activity's points through the ledger above.


class VolunteerTeam(models.Model):
    """A volunteer team of riders (e.g. 骑聚三营), kept by the staff of its area."""

    name = models.CharField(_("name"), max_length=60)
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="volunteer_teams", verbose_name=_("area")
    )
    description = models.TextField(_("description"), blank=True)
    created_by = staff_reference(_("created by"))
    created_at = models.DateTimeField(_("created at"), db_default=Now())

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("volunteer team")
        verbose_name_plural = _("volunteer teams")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["area", "name"], name="points_team_unique_name"),
        ]

    def __str__(self):
        return self.name


class TeamMember(models.Model):
    team = models.ForeignKey(
        VolunteerTeam, on_delete=models.CASCADE, related_name="members", verbose_name=_("team")
    )
    worker = models.ForeignKey(
        Worker, on_delete=models.CASCADE, related_name="team_memberships", verbose_name=_("worker")
    )
    added_by = staff_reference(_("added by"))
    joined_at = models.DateTimeField(_("joined at"), db_default=Now())

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        ordering = ["joined_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["team", "worker"], name="points_team_member_once"),
        ]

    def __str__(self):
        return f"{self.team}: {self.worker}"


class ActivityKind(models.TextChoices):
    VOLUNTEER = "volunteer", _("Volunteer service")
    GRID_DUTY = "grid_duty", _("Grid duty")
    TRAINING = "training", _("Training")
    CARE_EVENT = "care_event", _("Care event")
    HEALTH_CHECK = "health_check", _("Free health check")


class ActivityQuerySet(ScopedQuerySet):
    def upcoming(self, now):
        """Not cancelled and not over yet, soonest first."""
        return self.filter(cancelled=False, ends_at__gt=now).order_by("starts_at", "id")


class Activity(models.Model):
    """Something riders sign up for: volunteer service, 网格巡查, training, 夏送清凉 / 冬送温暖, a
    free health check. Attendance earns `points`.

    `signed_up` counts the active sign-ups, kept in the transaction that adds or cancels one, so
    the database itself refuses a sign-up beyond the capacity, however many arrive at once.
    """

    title = models.CharField(_("title"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=ActivityKind.choices)
    description = models.TextField(_("description"), blank=True)
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="activities", verbose_name=_("area")
    )
    place = models.CharField(_("place"), max_length=200)
    station = models.ForeignKey(
        "stations.Station",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("station"),
    )
    team = models.ForeignKey(
        VolunteerTeam,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("volunteer team"),
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    sign_up_deadline = models.DateTimeField(_("sign-up deadline"))
    capacity = models.PositiveIntegerField(_("places"))
    points = models.PositiveIntegerField(_("points for attending"), default=0)
    signed_up = models.PositiveIntegerField(_("signed up"), default=0, editable=False)
    cancelled = models.BooleanField(
        _("cancelled"), default=False, help_text=_("Riders can no longer sign up.")
    )
    created_by = staff_reference(_("created by"))
    created_at = models.DateTimeField(_("created at"), db_default=Now())

    objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-starts_at", "-id"]
        indexes = [
            # the lists: an area's activities by date; the reminders: those starting soon
            models.Index(fields=["area", "starts_at"], name="points_activity_area_start"),
            models.Index(fields=["starts_at"], name="points_activity_start"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(signed_up__lte=models.F("capacity")),
                name="points_activity_not_over_capacity",
            ),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="points_activity_ends_after_start",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def places_left(self) -> int:
        return self.capacity - self.signed_up

    @property
    def sign_up_open(self) -> bool:
        return not self.cancelled and self.sign_up_deadline > timezone.now()


def hours_of(minutes: int) -> float:
    """Service minutes as the hours riders, staff and certificates read: to a tenth of an hour."""
    return round(minutes / 60, 1)


class SignUpQuerySet(models.QuerySet):
    def active(self):
        return self.filter(cancelled_at__isnull=True)


class SignUp(models.Model):
    """A rider's place at an activity. Its times are its timeline: signed up, reminded, attended
    (and by whom marked), or cancelled; the points it earned are the ledger entry it caused."""

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="sign_ups", verbose_name=_("activity")
    )
    worker = models.ForeignKey(
        Worker, on_delete=models.CASCADE, related_name="sign_ups", verbose_name=_("worker")
    )
    signed_up_at = models.DateTimeField(_("signed up at"), db_default=Now())
    reminded_on = models.DateField(_("reminded on"), null=True, blank=True)
    attended_at = models.DateTimeField(_("attendance marked at"), null=True, blank=True)
    marked_by = staff_reference(_("attendance marked by"))
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    # Scanning the activity's rotating QR code (points.checkin) at the start and at the end.
    signed_in_at = models.DateTimeField(_("signed in at"), null=True, blank=True)
    signed_out_at = models.DateTimeField(_("signed out at"), null=True, blank=True)
    # The service time counted: from sign-in to sign-out within the activity's times, or as staff
    # set it (each change an HoursAdjustment row). Empty until the rider signs out.
    minutes = models.PositiveIntegerField(_("service minutes"), null=True, blank=True)

    objects = SignUpQuerySet.as_manager()

    class Meta:
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        ordering = ["signed_up_at", "id"]
        indexes = [
            # a rider's activities on their page
            models.Index(fields=["worker", "-signed_up_at"], name="points_signup_worker"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "worker"],
                condition=models.Q(cancelled_at__isnull=True),
                name="points_signup_once",
            ),
            models.CheckConstraint(
                condition=models.Q(attended_at__isnull=True) | models.Q(cancelled_at__isnull=True),
                name="points_signup_attended_not_cancelled",
            ),
            models.CheckConstraint(
                condition=models.Q(signed_out_at__isnull=True)
                | models.Q(signed_in_at__isnull=False),
                name="points_signup_out_after_in",
            ),
        ]

    def __str__(self):
        return f"{self.activity}: {self.worker}"

    @property
    def attended(self) -> bool:
        return self.attended_at is not None

    @property
    def hours(self):
        return None if self.minutes is None else hours_of(self.minutes)


class WaitingQuerySet(models.QuerySet):
    def waiting(self):
        return self.filter(promoted_at__isnull=True, left_at__isnull=True)


class WaitingListEntry(models.Model):
    """A rider waiting for a place at a full activity, first come first served: a place given
    back goes to the first of them in the transaction that gives it back (promoted_at, and a
    sign-up); a rider who no longer wants to wait leaves (left_at). Its times are its timeline."""

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="waiting", verbose_name=_("activity")
    )
    worker = models.ForeignKey(
        Worker, on_delete=models.CASCADE, related_name="waiting", verbose_name=_("worker")
    )
    joined_at = models.DateTimeField(_("joined the waiting list at"), db_default=Now())
    promoted_at = models.DateTimeField(_("given a place at"), null=True, blank=True)
    left_at = models.DateTimeField(_("left the waiting list at"), null=True, blank=True)

    objects = WaitingQuerySet.as_manager()

    class Meta:
        verbose_name = _("waiting list entry")
        verbose_name_plural = _("waiting list")
        ordering = ["joined_at", "id"]
        indexes = [
            # the first rider still waiting for an activity's place, and a rider's place in line
            models.Index(
                fields=["activity", "joined_at", "id"],
                condition=models.Q(promoted_at__isnull=True, left_at__isnull=True),
                name="points_waiting_line",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "worker"],
                condition=models.Q(promoted_at__isnull=True, left_at__isnull=True),
                name="points_waiting_once",
            ),
        ]

    def __str__(self):
        return f"{self.activity}: {self.worker}"


class ActivityRating(models.Model):
    """An attendee's rating of an activity once it is over (1-5 and a few words), for its
    organisers. One per rider and activity."""

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="ratings", verbose_name=_("activity")
    )
    worker = models.ForeignKey(
        Worker, on_delete=models.CASCADE, related_name="activity_ratings", verbose_name=_("worker")
    )
    stars = models.PositiveSmallIntegerField(
        _("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.CharField(_("comment"), max_length=200, blank=True)
    rated_at = models.DateTimeField(_("rated at"), db_default=Now())

    class Meta:
        verbose_name = _("activity rating")
        verbose_name_plural = _("activity ratings")
        ordering = ["-rated_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "worker"], name="points_rating_once"),
            models.CheckConstraint(
                condition=models.Q(stars__gte=1, stars__lte=5), name="points_rating_one_to_five"
            ),
        ]

    def __str__(self):
        return f"{self.activity}: {self.stars}"


class HoursAdjustment(models.Model):
    """Staff changed the service time counted for a sign-up, and why: the sign-up's timeline of
    its hours, written in the transaction that changes them."""

    signup = models.ForeignKey(
        SignUp, on_delete=models.CASCADE, related_name="adjustments", verbose_name=_("sign-up")
    )
    minutes_before = models.PositiveIntegerField(_("minutes before"), null=True, blank=True)
    minutes_after = models.PositiveIntegerField(_("minutes after"))
    reason = models.CharField(_("reason"), max_length=200)
    adjusted_by = staff_reference(_("adjusted by"))
    adjusted_at = models.DateTimeField(_("adjusted at"), db_default=Now())

    class Meta:
        verbose_name = _("hours adjustment")
        verbose_name_plural = _("hours adjustments")
        ordering = ["-adjusted_at", "-id"]

    def __str__(self):
        return f"{self.signup}: {self.minutes_before} → {self.minutes_after}"


class StarLevel(models.Model):
    """The cumulative service hours that earn a volunteer's stars (星级志愿者). Administrators
    edit them in the admin; migration 0011 sets the national standard's 100/300/600/1000/1500."""

    stars = models.PositiveSmallIntegerField(
        _("stars"), unique=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    hours = models.PositiveIntegerField(
        _("hours"),
        validators=[MinValueValidator(1)],
        help_text=_("Cumulative volunteer service hours from which a rider has these stars."),
    )

    class Meta:
        verbose_name = _("star level")
        verbose_name_plural = _("star levels")
        ordering = ["stars"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(stars__gte=1, stars__lte=5), name="points_star_one_to_five"
            ),
            models.CheckConstraint(condition=models.Q(hours__gt=0), name="points_star_hours"),
        ]

    def __str__(self):
        return f"{self.stars}★ {self.hours}"


SERIAL_LENGTH = 10


def new_serial() -> str:
    return readable_code(SERIAL_LENGTH)


class CertificateQuerySet(ScopedQuerySet):
    def valid(self):
        return self.filter(revoked_at__isnull=True)


class Certificate(models.Model):
    """A volunteer service certificate (志愿服务证明): the hours a rider served in a period, as
    counted when it was issued. The hours and the activities are a copy, not a reference, so a
    later correction of a sign-up's hours does not change a certificate already printed: staff
    revoke it and issue a new one. Its own times are its timeline (issued and by whom, revoked,
    by whom and why), as a sign-up's are; a certificate is never deleted."""

    serial = models.CharField(
        _("serial number"), max_length=SERIAL_LENGTH, unique=True, default=new_serial
    )
    worker = models.ForeignKey(
        Worker, on_delete=models.PROTECT, related_name="certificates", verbose_name=_("worker")
    )
    # The community that issued it (the worker's when it was issued): its name is on the
    # certificate, and its staff revoke it.
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    minutes = models.PositiveIntegerField(_("service minutes"))
    # [{"date": "2026-05-01", "title": "…", "minutes": 120}, …], oldest first: the copy printed.
    activities = models.JSONField(_("activities"), default=list)
    issued_by = staff_reference(_("issued by"))
    issued_at = models.DateTimeField(_("issued at"), db_default=Now())
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = staff_reference(_("revoked by"))
    revoke_reason = models.CharField(_("reason for revoking"), max_length=200, blank=True)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = _("volunteer service certificate")
        verbose_name_plural = _("volunteer service certificates")
        ordering = ["-issued_at", "-id"]
        indexes = [
            # a rider's certificates, newest first (我的 and the staff page of the worker)
            models.Index(fields=["worker", "-issued_at"], name="points_certificate_worker"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="points_certificate_period",
            ),
            models.CheckConstraint(
                condition=models.Q(revoked_at__isnull=True) | ~models.Q(revoke_reason=""),
                name="points_certificate_revoked_with_reason",
            ),
            # One valid certificate for a rider and a period: issuing it again (a resent form)
            # finds it; to change it, revoke it first.
            models.UniqueConstraint(
                fields=["worker", "period_start", "period_end"],
                condition=models.Q(revoked_at__isnull=True),
                name="points_certificate_once_per_period",
            ),
        ]

    def __str__(self):
        return self.serial

    @property
    def hours(self):
        return hours_of(self.minutes)

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None
