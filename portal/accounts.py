"""Staff accounts over time (等保 level 3: 身份鉴别, 访问控制, 安全审计): a staff member who
leaves is disabled with a reason and never deleted, so what they did stays attributed; an
account unused for ACCOUNT_INACTIVE_DAYS is disabled by the daily upkeep; administrators review
every account monthly; and sign-ins, their failures and lock-outs are written to the security
log (portal.models.AuditLog), which keeps AUDIT_LOG_RETENTION_DAYS."""

from datetime import datetime, timedelta

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.errors import DomainError
from portal.inbox import notify
from portal.models import AccountReview, AuditLog, Role, User
from portal.ratelimit import known_address


class AccountError(DomainError):
    pass


def disable(account: User, *, reason: str, by: User | None, address: str | None = None) -> None:
    """Disable a staff account, saying why: it can no longer sign in, and a session it has open
    ends at its next request (Django's backend lets no inactive user in)."""
    reason = reason.strip()
    if not reason:
        raise AccountError("reason", _("Say why the account is disabled."))
    if account == by:
        raise AccountError("self", _("You cannot disable your own account."))
    with transaction.atomic():
        account = User.objects.select_for_update().get(pk=account.pk)
        if not account.is_active:
            raise AccountError("disabled", _("This account is already disabled."))
        account.is_active = False
        account.disabled_at = timezone.now()
        account.disabled_reason = reason[:200]
        account.disabled_by = by
        account.save(update_fields=["is_active", "disabled_at", "disabled_reason", "disabled_by"])
        AuditLog.record(
            by, AuditLog.Action.ACCOUNT_DISABLED, reason, subject=account, address=address
        )


def enable(account: User, *, by: User, address: str | None = None) -> None:
    """Let a disabled account sign in again; its unused days count from now."""
    with transaction.atomic():
        account = User.objects.select_for_update().get(pk=account.pk)
        if account.is_active:
            raise AccountError("active", _("This account is not disabled."))
        was = account.disabled_reason
        account.is_active = True
        account.enabled_at = timezone.now()
        account.disabled_at = None
        account.disabled_reason = ""
        account.disabled_by = None
        account.save(
            update_fields=[
                "is_active",
                "enabled_at",
                "disabled_at",
                "disabled_reason",
                "disabled_by",
            ]
        )
        AuditLog.record(
            by,
            AuditLog.Action.ACCOUNT_ENABLED,
            _("Disabled before: %(reason)s") % {"reason": was} if was else "",
            subject=account,
            address=address,
        )


def unused_accounts(now: datetime):
    """Active accounts nobody has signed in to (nor made, nor enabled again) for
    ACCOUNT_INACTIVE_DAYS; none when that is 0."""
    if not settings.ACCOUNT_INACTIVE_DAYS:
        return User.objects.none()
    since = now - timedelta(days=settings.ACCOUNT_INACTIVE_DAYS)
    return (
        User.objects.filter(is_active=True)
        .annotate(last_used=Coalesce("last_login", "date_joined"))
        .filter(Q(last_used__lt=since), Q(enabled_at__isnull=True) | Q(enabled_at__lt=since))
    )


def disable_unused(now: datetime) -> list[User]:
    """The daily upkeep: disable the unused accounts, and tell the administrators which. The last
    active administrator is kept, so somebody can still enable the others."""
    unused = list(unused_accounts(now).order_by("pk"))
    administrators = User.objects.filter(is_active=True, role=Role.ADMINISTRATOR).count()
    disabled = []
    reason = _("Not signed in for %(days)s days.") % {"days": settings.ACCOUNT_INACTIVE_DAYS}
    for account in unused:
        if account.role == Role.ADMINISTRATOR:
            if administrators <= 1:
                continue
            administrators -= 1
        disable(account, reason=reason, by=None)
        disabled.append(account)
    if disabled:
        names = "、".join(account.username for account in disabled)
        for administrator in User.objects.filter(is_active=True, role=Role.ADMINISTRATOR):
            notify(
                administrator,
                _("%(count)s unused accounts disabled") % {"count": len(disabled)},
                names,
                reverse("accounts") + "?state=disabled",
            )
    return disabled


def record_account_change(account: User, before: User | None, *, by: User, address=None):
    """Write a new account, or a change of its role or scope, to the security log."""
    if before is None:
        what = f"{account.get_role_display()} · {account.area or _('everywhere')}"
        AuditLog.record(by, AuditLog.Action.ACCOUNT_CREATED, what, subject=account, address=address)
        return
    changes = [
        _("%(what)s: %(old)s → %(new)s") % {"what": what, "old": old, "new": new}
        for what, old, new in [
            (_("role"), before.get_role_display(), account.get_role_display()),
            (_("scope"), before.area or _("everywhere"), account.area or _("everywhere")),
        ]
        if old != new
    ]
    if changes:
        AuditLog.record(
            by,
            AuditLog.Action.ACCOUNT_CHANGED,
            _("; ").join(changes),
            subject=account,
            address=address,
        )


def confirm_review(*, by: User, note: str = "", address: str | None = None) -> AccountReview:
    """An administrator confirms the monthly review of every account."""
    with transaction.atomic():
        review = AccountReview.objects.create(
            reviewed_by=by,
            accounts=User.objects.count(),
            active=User.objects.filter(is_active=True).count(),
            note=note.strip()[:300],
        )
        AuditLog.record(
            by,
            AuditLog.Action.ACCOUNTS_REVIEWED,
            _("%(accounts)s accounts, %(active)s active")
            % {"accounts": review.accounts, "active": review.active},
            rows=review.accounts,
            address=address,
        )
    return review


def purge_audit_log(now: datetime) -> int:
    """Delete the security log's rows older than AUDIT_LOG_RETENTION_DAYS (at least 180)."""
    since = now - timedelta(days=settings.AUDIT_LOG_RETENTION_DAYS)
    deleted, _kinds = AuditLog.objects.filter(created_at__lt=since).delete()
    return deleted


# Sign-ins, their failures and lock-outs, from Django's and django-axes's signals: every way of
# signing in (the staff login, the admin's) passes through them.


@receiver(user_logged_in)
def signed_in(sender, request, user, **kwargs):
    AuditLog.record(user, AuditLog.Action.SIGNED_IN, "", address=known_address(request))


@receiver(user_logged_out)
def signed_out(sender, request, user, **kwargs):
    if user is not None:
        AuditLog.record(user, AuditLog.Action.SIGNED_OUT, "", address=known_address(request))


@receiver(user_login_failed)
def sign_in_failed(sender, credentials, request=None, **kwargs):
    """A wrong password, or a username nobody has. Only the username is kept (Django masks the
    password in `credentials`, and it is never read here)."""
    username = str(credentials.get("username", ""))[:150]
    account = User.objects.filter(username=username).first()
    AuditLog.record(
        account,
        AuditLog.Action.SIGN_IN_FAILED,
        _("Username: %(username)s") % {"username": username},
        address=known_address(request) if request else None,
    )


@receiver(user_locked_out)
def locked_out(sender, request, username=None, ip_address=None, **kwargs):
    account = User.objects.filter(username=username).first() if username else None
    AuditLog.record(
        account,
        AuditLog.Action.LOCKED_OUT,
        _("Username: %(username)s") % {"username": username or ""},
        address=ip_address,
    )
