from django import forms
from django.contrib import admin, messages
from django.utils import dateformat
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from feedback import apikeys
from feedback.calendar import official_years
from feedback.models import (
    ApiKey,
    CalendarDay,
    Department,
    IssueType,
    ResponseTemplate,
    SuggestionText,
    UrgencyClass,
)


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


@admin.register(IssueType)
class IssueTypeAdmin(admin.ModelAdmin):
    """Sub-types below each category: offered to riders as buttons, to staff as a choice, and
    listed as Open311 services. Retire one by unticking "offered": its suggestions keep it."""

    list_display = [
        "name",
        "category",
        "code",
        "default_department",
        "urgency",
        "points",
        "order",
        "active",
    ]
    list_editable = ["order", "active"]
    list_filter = ["category", "active"]
    search_fields = ["name", "code", "default_department"]
    ordering = ["category", "order", "name"]
    list_select_related = ["urgency"]
    fields = [
        "category",
        "name",
        "code",
        "default_department",
        "urgency",
        "points",
        "order",
        "active",
    ]


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

    def changelist_view(self, request, extra_context=None):
        years = official_years()
        if request.method == "GET":
            messages.info(
                request,
                _(
                    "Holidays and make-up working days of %(first)s–%(last)s come from the State "
                    "Council's notices (the chinese-calendar package): enter a day here only to "
                    "change one of those, or for a later year before the package knows it."
                )
                % {"first": years.start, "last": years.stop - 1},
            )
        return super().changelist_view(request, extra_context)


@admin.register(UrgencyClass)
class UrgencyClassAdmin(admin.ModelAdmin):
    """How soon a task must be acknowledged (签收) and finished, by class; a change applies to
    tasks assigned afterwards."""

    list_display = ["name", "acknowledge_text", "finish_text", "is_default", "order"]
    list_editable = ["order"]
    fields = [
        "name",
        ("acknowledge_within", "acknowledge_unit"),
        ("finish_within", "finish_unit"),
        "is_default",
        "order",
    ]

    @admin.display(description=gettext_lazy("acknowledge within"))
    def acknowledge_text(self, urgency):
        return urgency.acknowledge_text

    @admin.display(description=gettext_lazy("finish within"))
    def finish_text(self, urgency):
        return urgency.finish_text


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


@admin.register(SuggestionText)
class SuggestionTextAdmin(admin.ModelAdmin):
    """Texts to submitters, to see what failed and why (the error's class name); read-only: the
    sweep sends them again (feedback.texts). Neither the number nor the message is kept."""

    list_display = [
        "suggestion",
        "kind",
        "state",
        "attempts",
        "last_error",
        "created_at",
        "sent_at",
    ]
    list_filter = ["state", "kind", "last_error"]
    search_fields = ["suggestion__tracking_code"]
    list_select_related = ["suggestion"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
