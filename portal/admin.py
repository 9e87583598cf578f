from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from portal import accounts
from portal.models import Area, User
from portal.ratelimit import known_address


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    list_display = ["username", "name", "role", "area", "is_active", "last_login"]
    list_filter = ["role", "is_active", "is_staff"]
    search_fields = ["username", "name", "area__name"]
    list_select_related = ["area"]
    autocomplete_fields = ["area"]
    ordering = ["username"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Who and where"), {"fields": ["name", "email", "role", "area"]}),
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
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["username", "name", "role", "area", "password1", "password2"],
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
