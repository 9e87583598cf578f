from django import forms
from django.contrib import admin
from django.utils import dateformat
from django.utils.translation import gettext_lazy as _

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

    @admin.display(description=_("handlers"))
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

    @admin.display(description=_("weekday"), ordering="date")
    def weekday(self, day):
        return dateformat.format(day.date, "l")


@admin.register(ResponseTemplate)
class ResponseTemplateAdmin(admin.ModelAdmin):
    list_display = ["title", "state", "category"]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "area", "created_at", "revoked_at"]
