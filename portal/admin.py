from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from portal.models import Area, User


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
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
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
