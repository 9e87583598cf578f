"""Filters shared by the staff lists, and the audit log's for administrators (django-filter)."""

from datetime import timedelta

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from portal.dates import local_midnight
from portal.models import AuditLog

DATE_INPUT = forms.DateInput(attrs={"type": "date"})


class FromDayFilter(django_filters.DateFilter):
    """Rows from the start of the chosen day: bounds as local midnights, so an index on the time
    serves the range."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", DATE_INPUT)
        kwargs.setdefault("lookup_expr", "gte")
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        return super().filter(qs, self.bound(value) if value else value)

    def bound(self, day):
        return local_midnight(day)


class UntilDayFilter(FromDayFilter):
    """Rows until the end of the chosen day."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("lookup_expr", "lt")
        super().__init__(*args, **kwargs)

    def bound(self, day):
        return local_midnight(day + timedelta(days=1))


class StrictFilterSet(django_filters.FilterSet):
    """A filter that cannot be applied (a choice that is not one, a day that is no date, an area
    outside the user's scope) empties the list, and templates/includes/filters.html says which
    and why: a list never quietly shows more than was asked for."""

    def filter_queryset(self, queryset):
        if self.errors:
            return queryset.none()
        return super().filter_queryset(queryset)

    @property
    def more_applied(self) -> bool:
        """Whether a filter besides the search box has a value: the folded filters open then."""
        return any(self.data.get(name) for name in self.filters if name != "q")


class AuditLogFilter(StrictFilterSet):
    q = django_filters.CharFilter(
        label=_("What (tracking code, list, reason)"),
        field_name="description",
        lookup_expr="icontains",
    )
    user = django_filters.CharFilter(label=_("Staff username"), field_name="user__username")
    action = django_filters.ChoiceFilter(label=_("Action"), choices=AuditLog.Action.choices)
    start = FromDayFilter(label=_("From"), field_name="created_at")
    end = UntilDayFilter(label=_("To"), field_name="created_at")

    class Meta:
        model = AuditLog
        fields = []
