from django.contrib import admin, messages
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from feedback import apikeys
from feedback.models import ApiKey, CalendarDay, Department, ResponseTemplate


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "parent", "area", "active"]


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "name", "is_working_day"]


@admin.register(ResponseTemplate)
class ResponseTemplateAdmin(admin.ModelAdmin):
    """Replies that pre-fill the assessment's reply boxes: a category's own come first, those
    with no category are offered for every category."""

    list_display = ["title", "state", "category", "short_text"]
    list_filter = ["state", "category"]
    search_fields = ["title", "text"]
    fields = ["state", "category", "title", "text"]

    @admin.display(description=gettext_lazy("text"))
    def short_text(self, template):
        return Truncator(template.text).chars(60)


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Open311 keys: made here (the raw key is shown once, never again), revoked by the action."""

    list_display = [
        "name",
        "prefix",
        "area",
        "created_by",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix"]
    list_select_related = ["area", "created_by"]
    autocomplete_fields = ["area"]
    readonly_fields = ["prefix", "created_by", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        return ["name", "area"] if obj is None else ["name", "area", *self.readonly_fields]

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        obj.created_by = request.user
        raw = apikeys.issue(obj)
        messages.warning(
            request,
            _("Copy the new key now; it is not kept and will not be shown again: %(key)s")
            % {"key": raw},
        )

    @admin.action(description=_("Revoke the selected keys"))
    def revoke(self, request, queryset):
        revoked = sum(apikeys.revoke(key) for key in queryset)
        self.message_user(
            request,
            ngettext("%(count)d key revoked.", "%(count)d keys revoked.", revoked)
            % {"count": revoked},
        )
