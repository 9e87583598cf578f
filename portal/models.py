from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models, transaction
from django.db.models.functions import Concat, Now, Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device

from portal import otp
from portal.mobile import validate_mobile
from portal.privacy import mask_id_numbers
from portal.scope import ScopedQuerySet


class AreaLevel(models.TextChoices):
    # Declared top-down; a child is always exactly one level below its parent.
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    DISTRICT = "district", _("District / county")
    STREET = "street", _("Street / township")
    COMMUNITY = "community", _("Community")

    @property
    def child_level(self) -> "AreaLevel | None":
        levels = list(AreaLevel)
        position = levels.index(self)
        return levels[position + 1] if position + 1 < len(levels) else None


class AreaQuerySet(ScopedQuerySet):
    area_field = None  # an area's own path is the scope


class Area(models.Model):
    """One node of the administrative tree: city → district → street → community.

    `path` is a materialised path of primary keys ("/1/4/17/"), so "this area and everything
    under it" is one indexed prefix match whatever the depth.
    """

    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent area"),
    )
    level = models.CharField(_("level"), max_length=16, choices=AreaLevel.choices)
    code = models.CharField(
        _("division code"),
        max_length=12,
        unique=True,
        validators=[RegexValidator(r"^\d{6}(\d{3}){0,2}$", _("Enter 6, 9 or 12 digits."))],
        help_text=_(
            "Administrative division code: 6 digits down to districts, 9 for streets, "
            "12 for communities."
        ),
    )
    name = models.CharField(_("name"), max_length=64)
    path = models.CharField(
        max_length=255, editable=False, db_index=True
    )  # scope: path__startswith

    objects = AreaQuerySet.as_manager()

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="area_unique_name_per_parent"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        with transaction.atomic():
            if self.pk is None:
                super().save(*args, **kwargs)  # the path needs the new primary key
                self.path = self.computed_path()
                super().save(update_fields=["path"])
                return
            old_path, self.path = self.path, self.computed_path()
            super().save(*args, **kwargs)
            if old_path != self.path:
                # Moved: every descendant's path starts with the old prefix.
                Area.objects.filter(path__startswith=old_path).exclude(pk=self.pk).update(
                    path=Concat(models.Value(self.path), Substr("path", len(old_path) + 1))
                )

    def computed_path(self) -> str:
        return f"{self.parent.path if self.parent else '/'}{self.pk}/"

    def clean(self):
        if self.parent is None:
            if self.level not in (AreaLevel.PROVINCE, AreaLevel.CITY):
                raise ValidationError({"parent": _("Only a province or a city can be a top area.")})
            return
        if AreaLevel(self.parent.level).child_level != self.level:
            raise ValidationError(
                {
                    "level": _("An area under a %(parent)s must be a %(child)s.")
                    % {
                        "parent": self.parent.get_level_display(),
                        "child": AreaLevel(self.parent.level).child_level.label,
                    }
                }
            )
        if self.pk and self.parent.path.startswith(self.path or "\0"):
            raise ValidationError({"parent": _("An area cannot be moved under itself.")})

    def path_ids(self) -> list[int]:
        """Ids from the top area down to this one, inclusive, read from the path (no query)."""
        return [int(part) for part in self.path.strip("/").split("/")]

    def ancestors(self):
        """From the top area down to this one, inclusive."""
        ids = self.path_ids()
        by_id = {area.id: area for area in Area.objects.filter(id__in=ids)}
        return [by_id[i] for i in ids]

    def is_within(self, other: "Area") -> bool:
        return self.path.startswith(other.path)


class Role(models.TextChoices):
    COMMUNITY_STAFF = "community_staff", _("Community staff")
    DEPARTMENT_HANDLER = "department_handler", _("Department handler")
    OFFICIAL = "official", _("District / city official")
    ADMINISTRATOR = "administrator", _("Administrator")


def staff_reference(verbose_name, **options):
    """A field naming the staff member who did something; the row stays if the user goes."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=verbose_name,
        **options,
    )


class SecondFactor(models.TextChoices):
    AUTHENTICATOR = "authenticator", _("Authenticator app")
    TEXT_MESSAGE = "text_message", _("Text message")


class StaffUserManager(UserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        extra_fields.setdefault("role", Role.ADMINISTRATOR)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A staff member. Riders never get one: they sign in with their mobile."""

    first_name = None
    last_name = None
    name = models.CharField(_("full name"), max_length=30, blank=True)
    role = models.CharField(
        _("role"), max_length=32, choices=Role.choices, default=Role.COMMUNITY_STAFF
    )
    area = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("scope area"),
        help_text=_(
            "The user sees this area and everything under it. "
            "Only administrators may have none, which means everywhere."
        ),
    )

    # Staff who leave, and accounts unused for ACCOUNT_INACTIVE_DAYS, are disabled (is_active off),
    # never deleted: what they did stays attributed to them (portal.accounts).
    disabled_at = models.DateTimeField(_("disabled at"), null=True, blank=True, editable=False)
    disabled_reason = models.CharField(
        _("reason for disabling"), max_length=200, blank=True, editable=False
    )
    disabled_by = staff_reference(_("disabled by"), editable=False)
    # When an administrator last enabled it again: unused days count from then too.
    enabled_at = models.DateTimeField(_("enabled again at"), null=True, blank=True, editable=False)
    # How the second step of signing in proves the user (portal.second_factor); only
    # administrators choose it, in the admin.
    second_factor = models.CharField(
        _("second factor"),
        max_length=16,
        choices=SecondFactor.choices,
        default=SecondFactor.AUTHENTICATOR,
        help_text=_(
            "Choose a text message only for someone who cannot use an authenticator app. "
            "Ignored when the deployment allows authenticator apps only."
        ),
    )
    mobile = models.CharField(
        _("mobile for sign-in codes"),
        max_length=11,
        blank=True,
        validators=[validate_mobile],
        help_text=_("Needed when the second factor is a text message."),
    )
    # When the user last chose their own password; empty for one an administrator set (a new
    # account's), which must be changed at the next sign-in (portal.passwords).
    password_changed_at = models.DateTimeField(
        _("password changed at"), null=True, blank=True, editable=False
    )

    objects = StaffUserManager()

    class Meta:
        verbose_name = _("staff user")
        verbose_name_plural = _("staff users")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role=Role.ADMINISTRATOR) | models.Q(area__isnull=False),
                name="user_scope_area_required_unless_administrator",
            ),
        ]

    def __str__(self):
        return self.name or self.username

    @property
    def gets_texted_codes(self) -> bool:
        """Whether the second factor's codes come by text message (portal.second_factor)."""
        return (
            self.second_factor == SecondFactor.TEXT_MESSAGE
            and not settings.STAFF_SECOND_FACTOR_TOTP_ONLY
            and bool(self.mobile)
        )

    @property
    def is_administrator(self) -> bool:
        return self.role == Role.ADMINISTRATOR

    def get_full_name(self):
        return self.name

    def get_short_name(self):
        return self.name or self.username

    def clean(self):
        super().clean()
        if self.role != Role.ADMINISTRATOR and self.area_id is None:
            raise ValidationError({"area": _("Choose the area this user works in.")})
        if self.second_factor == SecondFactor.TEXT_MESSAGE and not self.mobile:
            raise ValidationError({"mobile": _("Enter the mobile the codes are texted to.")})


class AuditLogQuerySet(models.QuerySet):
    def data_use(self):
        """The rows about personal data and riders' cases, without sign-ins and accounts."""
        return self.exclude(action__in=AuditLog.SECURITY_ACTIONS)


class AuditLog(models.Model):
    """The security log, one place for an auditor (PIPL art. 51; 等保 level 3, 安全审计): who did
    what to personal data or a rider's case, and when (full records seen, lists exported, points
    adjusted by hand, suggestions moved from one state to another), and what happened to staff
    accounts (sign-ins and their failures, lock-outs, accounts disabled, enabled, changed and
    reviewed). Append-only: the database refuses to change a row, and to delete one younger than
    180 days (migration 0006); portal.accounts.purge_audit_log removes the
    rows older than AUDIT_LOG_RETENTION_DAYS.

    `subject` is the record concerned (a worker, a suggestion, a staff account); an export names
    no single subject and counts rows. `user` is who acted, empty where a rider or the portal did
    (a rating, an auto-close) or where a sign-in named no known account. A description never holds
    a password, a code or a full ID number.
    """

    class Action(models.TextChoices):
        VIEWED = "viewed", _("Viewed in full")
        EXPORTED = "exported", _("Exported")
        POINTS_ADJUSTED = "points_adjusted", _("Points adjusted")
        STATE_CHANGED = "state_changed", _("Suggestion state changed")
        SIGNED_IN = "signed_in", _("Password accepted")
        SIGNED_OUT = "signed_out", _("Signed out")
        SIGN_IN_FAILED = "sign_in_failed", _("Sign-in failed")
        LOCKED_OUT = "locked_out", _("Locked out")
        ACCOUNT_CREATED = "account_created", _("Account created")
        ACCOUNT_CHANGED = "account_changed", _("Role or scope changed")
        ACCOUNT_DISABLED = "account_disabled", _("Account disabled")
        ACCOUNT_ENABLED = "account_enabled", _("Account enabled again")
        ACCOUNTS_REVIEWED = "accounts_reviewed", _("Accounts reviewed")
        SECOND_FACTOR_ENROLLED = "second_factor_enrolled", _("Second factor enrolled")
        SECOND_FACTOR_RESET = "second_factor_reset", _("Second factor reset")
        SECOND_FACTOR_PASSED = "second_factor_passed", _("Signed in: second factor passed")
        SECOND_FACTOR_FAILED = "second_factor_failed", _("Second factor failed")
        RECOVERY_CODE_USED = "recovery_code_used", _("Recovery code used")
        PASSWORD_CHANGED = "password_changed", _("Password changed")
        DOWNLOADED = "downloaded", _("Export downloaded")

    # What a sign-in, a lock-out, a second factor, a password or a change of accounts is: the
    # security events proper, as against the use of personal data.
    SECURITY_ACTIONS = (
        Action.SIGNED_IN,
        Action.SIGNED_OUT,
        Action.SIGN_IN_FAILED,
        Action.LOCKED_OUT,
        Action.ACCOUNT_CREATED,
        Action.ACCOUNT_CHANGED,
        Action.ACCOUNT_DISABLED,
        Action.ACCOUNT_ENABLED,
        Action.ACCOUNTS_REVIEWED,
        Action.SECOND_FACTOR_ENROLLED,
        Action.SECOND_FACTOR_RESET,
        Action.SECOND_FACTOR_PASSED,
        Action.SECOND_FACTOR_FAILED,
        Action.RECOVERY_CODE_USED,
        Action.PASSWORD_CHANGED,
    )

    user = staff_reference(_("staff member"))
    action = models.CharField(_("action"), max_length=32, choices=Action.choices)
    address = models.GenericIPAddressField(_("client address"), null=True, blank=True)
    subject_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.PROTECT, null=True, blank=True
    )
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    description = models.CharField(_("what"), max_length=300, blank=True)
    rows = models.PositiveIntegerField(_("records"), default=1)
    created_at = models.DateTimeField(_("at"), db_default=Now(), db_index=True)

    objects = AuditLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["subject_type", "subject_id"], name="auditlog_subject"),
            models.Index(fields=["action", "-created_at"], name="auditlog_action"),
        ]

    def __str__(self):
        return f"{self.user} {self.get_action_display()} {self.description}"

    @classmethod
    def record(cls, user, action, description, *, subject=None, rows=1, address=None):
        return cls.objects.create(
            user=user,
            action=action,
            description=mask_id_numbers(description)[:300],
            subject_type=ContentType.objects.get_for_model(subject) if subject else None,
            subject_id=subject.pk if subject else None,
            rows=rows,
            address=address,
        )


class AccountReview(models.Model):
    """The monthly review of staff accounts (等保 level 3: 账户定期审查): an administrator went
    through every account's role, scope, last sign-in and second factor and confirmed the list."""

    reviewed_by = staff_reference(_("reviewed by"))
    reviewed_at = models.DateTimeField(_("reviewed at"), db_default=Now())
    accounts = models.PositiveIntegerField(_("accounts"))
    active = models.PositiveIntegerField(_("active accounts"))
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("account review")
        verbose_name_plural = _("account reviews")
        ordering = ["-reviewed_at", "-id"]

    def __str__(self):
        return f"{self.reviewed_at:%Y-%m-%d} {self.reviewed_by}"


class PasswordHistory(models.Model):
    """The hashes of a staff member's recent passwords, so a new one is not an old one
    (portal.passwords.PasswordHistoryValidator keeps the last PASSWORD_HISTORY)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="password_history"
    )
    password = models.CharField(_("password hash"), max_length=128)
    created_at = models.DateTimeField(_("set at"), db_default=Now())

    class Meta:
        verbose_name = _("former password")
        verbose_name_plural = _("former passwords")
        # A user's last few, newest first: the only query on it.
        indexes = [models.Index(fields=["user", "-id"], name="passwordhistory_user")]

    def __str__(self):
        return f"{self.user} {self.created_at:%Y-%m-%d}"


class TextMessageDevice(Device):
    """The texted second factor of a staff member an administrator chose it for: the code is
    portal.otp's (hashed in the cache, five guesses, once), sent to `user.mobile`. The row is
    what a verified session points at, as an authenticator's TOTPDevice is."""

    class Meta:
        verbose_name = _("text message device")

    @staticmethod
    def purpose(user) -> str:
        return f"staff-sign-in:{user.pk}"

    def verify_token(self, token):
        return bool(self.user.mobile) and otp.check_code(
            self.purpose(self.user), self.user.mobile, token
        )


class Notification(models.Model):
    """A message in a staff member's in-portal inbox (reminders, assignments)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("sent at"), db_default=Now())
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

    def __str__(self):
        return self.title


class ExportJob(models.Model):
    """A large export written in the background (portal.exports): who asked, for which list with
    which filters, how far it got, and the file, kept in the private storage until `expires_at`.
    The filters are kept as the query string; the scope is the requester's at run time."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Being written")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Deleted")

    user = staff_reference(_("requested by"))
    kind = models.CharField(_("kind"), max_length=64)
    query = models.TextField(_("filters"), blank=True)
    title = models.CharField(_("list"), max_length=100, blank=True)
    # What the access log says was exported: the list and its filters, in words.
    description = models.CharField(_("what"), max_length=300, blank=True)
    filename = models.CharField(_("file name"), max_length=200)
    language = models.CharField(max_length=16, default="zh-hans")
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    rows_done = models.PositiveIntegerField(_("rows written"), default=0)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    file = models.FileField(_("file"), upload_to="exports/%Y/%m/", blank=True)
    # Kept as an English message id (portal.exports) and translated when shown.
    error = models.CharField(_("error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("requested at"), db_default=Now())
    # The heartbeat: the task moves it with every progress report.
    updated_at = models.DateTimeField(_("last progress at"), db_default=Now())
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("deleted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at", "-id"]
        indexes = [
            # the sweep: jobs waiting or running too long, files past their time
            models.Index(fields=["status", "updated_at"], name="exportjob_sweep"),
        ]

    def __str__(self):
        return self.description or self.kind

    @property
    def stalled(self) -> bool:
        """Running, but no progress for EXPORT_STALE_MINUTES: its worker was killed or lost."""
        limit = timezone.now() - timedelta(minutes=settings.EXPORT_STALE_MINUTES)
        return self.status == self.Status.RUNNING and self.updated_at < limit
