"""The audit log's filters for administrators (django-filter)."""

from datetime import timedelta

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from portal.dates import local_midnight
from portal.models import AuditLog

DATE_INPUT = forms.DateInput(attrs={"type": "date"})


class AuditLogFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("What (tracking code, list, reason)"),
        field_name="description",
        lookup_expr="icontains",
    )
    user = django_filters.CharFilter(label=_("Staff username"), field_name="user__username")
    action = django_filters.ChoiceFilter(label=_("Action"), choices=AuditLog.Action.choices)
    start = django_filters.DateFilter(label=_("From"), method="since", widget=DATE_INPUT)
    end = django_filters.DateFilter(label=_("To"), method="until", widget=DATE_INPUT)

    class Meta:
        model = AuditLog
        fields = []

    def since(self, queryset, name, value):
        return queryset.filter(created_at__gte=local_midnight(value))

    def until(self, queryset, name, value):
        return queryset.filter(created_at__lt=local_midnight(value + timedelta(days=1)))
