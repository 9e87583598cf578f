"""Staff passwords (等保 level 3, 身份鉴别 8.1.4.1 a): the two validators Django's four lack (common
Chinese passwords; the user's own recent ones), when a password must be changed (a new account's
first, one an administrator set, one past PASSWORD_EXPIRY_DAYS), and the change itself with its
row in the security log."""

import re
from datetime import timedelta
from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.models import AuditLog, PasswordHistory, User

COMMON_PASSWORDS = Path(__file__).resolve().parent / "data" / "common_passwords_zh.txt"

# A common surname in pinyin, a few more letters (a given name), then only digits: zhangwei1990,
# liuyang19880808.
SURNAMES = (
    "wang|li|zhang|liu|chen|yang|huang|zhao|wu|zhou|xu|sun|ma|zhu|hu|guo|he|lin|luo|gao|zheng|"
    "liang|xie|song|tang|han|feng|deng|cao|peng|zeng|xiao|tian|dong|pan|yuan|cai|jiang|yu|du|ye|"
    "cheng|wei|su|lv|ding|ren|lu|yao|shen|zhong|cui|tan|fan|jin|wan|qin|jia|xia|fu|fang"
)
NAME_AND_NUMBER = re.compile(rf"(?:{SURNAMES})[a-z]{{0,8}}[0-9]+")


@cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's, with its refusal in our catalogue: Django 5.2 changed that message and its
    Chinese translation has not followed, so a Chinese page would say it in English."""

    def get_error_message(self):
        return ngettext(
            "This password is too short. It must have at least %(count)d character.",
            "This password is too short. It must have at least %(count)d characters.",
            self.min_length,
        ) % {"count": self.min_length}


class CommonChinesePasswordValidator:
    """Refuses a password Chinese users choose most (portal/data/common_passwords_zh.txt), two of
    them joined, or a pinyin name followed by a number."""

    def validate(self, password, user=None):
        word = password.lower().strip()
        common = common_passwords()
        joined = any(word[:i] in common and word[i:] in common for i in range(1, len(word)))
        if word in common or joined or NAME_AND_NUMBER.fullmatch(word):
            raise ValidationError(
                _("This password is one of the most common ones. Choose another."),
                code="password_too_common_zh",
            )

    def get_help_text(self):
        return _("It cannot be a common password such as woaini1314 or a name and a birthday.")


class PasswordHistoryValidator:
    """Refuses any of the user's last PASSWORD_HISTORY passwords, and keeps the new one's hash.

    Django calls `password_changed` after every save of a new password (the user's own change,
    the admin's forms, createsuperuser), so the history misses none of them."""

    def validate(self, password, user=None):
        if not settings.PASSWORD_HISTORY or user is None or user.pk is None:
            return
        if any(check_password(password, former) for former in _recent(user)):
            raise ValidationError(
                _("You used this password recently. Choose one you have not used before."),
                code="password_used_before",
            )

    def password_changed(self, password, user=None):
        if user is None or user.pk is None:
            return
        PasswordHistory.objects.create(user=user, password=user.password)
        keep = max(settings.PASSWORD_HISTORY, 1)
        stale = PasswordHistory.objects.filter(user=user).order_by("-id")[keep:]
        PasswordHistory.objects.filter(pk__in=list(stale.values_list("pk", flat=True))).delete()

    def get_help_text(self):
        return _("It cannot be one of your last %(count)s passwords.") % {
            "count": settings.PASSWORD_HISTORY
        }


def _recent(user: User) -> list[str]:
    return list(
        PasswordHistory.objects.filter(user=user)
        .order_by("-id")
        .values_list("password", flat=True)[: settings.PASSWORD_HISTORY]
    )


def must_change(user: User) -> bool:
    """Whether the user must choose a new password before anything else: they never chose one
    (a new account, or an administrator set it), or it is older than PASSWORD_EXPIRY_DAYS."""
    if user.password_changed_at is None:
        return True
    days = settings.PASSWORD_EXPIRY_DAYS
    return bool(days) and user.password_changed_at < timezone.now() - timedelta(days=days)


def change(user: User, password: str) -> None:
    """The user chose a new password (already validated by the form)."""
    with transaction.atomic():
        user.set_password(password)
        user.password_changed_at = timezone.now()
        user.save(update_fields=["password", "password_changed_at"])
        AuditLog.record(
            user, AuditLog.Action.PASSWORD_CHANGED, _("Changed their own password."), subject=user
        )


def set_by_administrator(account: User, password: str, *, by: User) -> None:
    """An administrator set someone's password (a forgotten one): the account must change it at
    its next sign-in, so only its owner knows the password they work with."""
    with transaction.atomic():
        account.set_password(password)
        account.password_changed_at = None
        account.save(update_fields=["password", "password_changed_at"])
        AuditLog.record(
            by,
            AuditLog.Action.PASSWORD_CHANGED,
            _("Set by %(administrator)s; to be changed at the next sign-in.")
            % {"administrator": by.username},
            subject=account,
        )
