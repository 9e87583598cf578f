from django.contrib import admin
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

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

    @admin.display(description=_("text"))
    def short_text(self, template):
        return Truncator(template.text).chars(60)


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "area", "created_at", "revoked_at"]
