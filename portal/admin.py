from contextvars import ContextVar

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal import accounts, passwords, second_factor
from portal.models import Area, User
from portal.ratelimit import known_address

# Who is setting a password in the admin's password form, which Django builds without the request.
acting_administrator: ContextVar[User] = ContextVar("acting_administrator")


class AdministratorSetsPasswordForm(AdminPasswordChangeForm):
    """A password an administrator sets (a forgotten one) is written to the security log, and
    the account must choose its own at its next sign-in."""

    def save(self, commit=True):
        if self.cleaned_data.get("set_usable_password", True):
            passwords.set_by_administrator(
                self.user, self.cleaned_data["password1"], by=acting_administrator.get()
            )
            return self.user
        return super().save(commit)


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    list_display = [
        "username",
        "name",
        "role",
        "area",
        "second_factor",
        "authenticator_enrolled",
        "is_active",
        "last_login",
    ]
    list_filter = ["role", "is_active", "is_staff", "second_factor"]
    search_fields = ["username", "name", "area__name"]
    list_select_related = ["area"]
    autocomplete_fields = ["area"]
    ordering = ["username"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Who and where"), {"fields": ["name", "email", "role", "area"]}),
        (_("Sign-in"), {"fields": ["second_factor", "mobile", "password_changed_at"]}),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (
            _("Important dates"),
            {
                "fields": [
                    "last_login",
                    "date_joined",
                    "disabled_at",
                    "disabled_reason",
                    "disabled_by",
                    "enabled_at",
                ]
            },
        ),
    ]
    # Disabling and enabling again go through the accounts page, which asks why and logs it.
    readonly_fields = [
        "is_active",
        "last_login",
        "date_joined",
        "disabled_at",
        "disabled_reason",
        "disabled_by",
        "enabled_at",
        "password_changed_at",
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": [
                    "username",
                    "name",
                    "role",
                    "area",
                    "second_factor",
                    "mobile",
                    "password1",
                    "password2",
                ],
            },
        ),
    ]

    def has_delete_permission(self, request, obj=None):
        """Staff who leave are disabled, never deleted: their history stays theirs."""
        return False

    def save_model(self, request, obj, form, change):
        before = User.objects.get(pk=obj.pk) if change else None
        super().save_model(request, obj, form, change)
        accounts.record_account_change(obj, before, by=request.user, address=known_address(request))

    change_password_form = AdministratorSetsPasswordForm
    actions = ["reset_second_factor"]

    def get_queryset(self, request):
        enrolled = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        return super().get_queryset(request).annotate(authenticator=Exists(enrolled))

    @admin.display(description=_("authenticator enrolled"), boolean=True, ordering="authenticator")
    def authenticator_enrolled(self, account):
        return account.authenticator

    def user_change_password(self, request, id, form_url=""):
        token = acting_administrator.set(request.user)
        try:
            return super().user_change_password(request, id, form_url)
        finally:
            acting_administrator.reset(token)

    @admin.action(description=_("Reset the second factor (lost or changed phone)"))
    def reset_second_factor(self, request, queryset):
        done = 0
        for account in queryset:
            try:
                second_factor.reset(account, by=request.user)
            except second_factor.SecondFactorError as refusal:
                self.message_user(request, f"{account}: {refusal}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(
                request,
                ngettext(
                    "%(count)s account enrols a second factor again at its next sign-in.",
                    "%(count)s accounts enrol a second factor again at their next sign-in.",
                    done,
                )
                % {"count": done},
                messages.SUCCESS,
            )
