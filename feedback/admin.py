from django import forms
from django.contrib import admin, messages
from django.utils import dateformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from feedback import apikeys
from feedback.models import ApiKey, CalendarDay, Department, ResponseTemplate


class DepartmentForm(forms.ModelForm):
    class Meta:
        model = Department
        fields = ["name", "parent", "area", "handlers", "active"]

    def clean_parent(self):
        parent = self.cleaned_data["parent"]
        if (
            parent
            and self.instance.pk
            and (parent.pk == self.instance.pk or self.instance in parent.ancestors())
        ):
            # A loop would leave an overdue task nowhere to escalate to.
            raise forms.ValidationError(
                _("A department cannot be under itself or under one of its own sub-departments.")
            )
        return parent


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    form = DepartmentForm
    list_display = ["name", "area", "parent", "handler_names", "active"]
    list_filter = ["active", "area__level"]
    search_fields = ["name", "area__name"]
    list_select_related = ["area", "parent"]
    ordering = ["area__path", "name"]
    autocomplete_fields = ["area", "parent"]
    filter_horizontal = ["handlers"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("handlers")

    @admin.display(description=gettext_lazy("handlers"))
    def handler_names(self, department):
        return "、".join(str(handler) for handler in department.handlers.all())


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """The holiday calendar: public holidays on weekdays, and weekend days worked in exchange."""

    list_display = ["date", "weekday", "name", "is_working_day"]
    list_filter = ["is_working_day"]
    search_fields = ["name"]
    date_hierarchy = "date"
    ordering = ["-date"]

    @admin.display(description=gettext_lazy("weekday"), ordering="date")
    def weekday(self, day):
        return dateformat.format(day.date, "l")


@admin.register(ResponseTemplate)
class ResponseTemplateAdmin(admin.ModelAdmin):
    list_display = ["title", "state", "category"]


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
