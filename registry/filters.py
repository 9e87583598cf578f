"""The filters and search of the rosters and the enterprise ledger (django-filter)."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.filters import FromDayFilter, UntilDayFilter
from portal.models import Area, AreaLevel
from portal.scope import within_area
from registry.models import (
    Enterprise,
    EnterpriseKind,
    Occupation,
    PartyOrganisation,
    Platform,
    PoliticalStatus,
    Worker,
    WorkerRoleKind,
    WorkerStatus,
)

TO_ERASE = "to_erase"


def name_search(queryset, value: str, phone_tail_field: str | None):
    """张三 finds by the start of the name, `zhangsan` or `zs` by its pinyin, `1234` by the last
    four digits of the mobile. Prefix matches only, so each is served by an index."""
    value = "".join(value.split())
    if not value:
        return queryset
    if phone_tail_field and value.isdigit() and len(value) == 4:
        return queryset.filter(**{phone_tail_field: value})
    if value.isascii() and value.isalpha():
        value = value.lower()
        return queryset.filter(
            Q(name_pinyin__startswith=value) | Q(name_initials__startswith=value)
        )
    return queryset.filter(name__startswith=value)


class ScopedFilterSet(django_filters.FilterSet):
    """A filter set whose area choices are the user's scope; `area` also takes everything under."""

    q = django_filters.CharFilter(label=_("Search"), method="search")
    area = django_filters.ModelChoiceFilter(
        label=_("Area"), queryset=Area.objects.none(), method="within_area"
    )

    def __init__(self, data=None, *args, user, **kwargs):
        super().__init__(data, *args, **kwargs)
        areas = Area.objects.in_scope(user).order_by("path")
        if user.area is None or user.area.level not in (AreaLevel.STREET, AreaLevel.COMMUNITY):
            # A city has thousands of communities: offer districts and streets, not one
            # drop-down of every community (the search still finds anyone).
            areas = areas.exclude(level=AreaLevel.COMMUNITY)
        self.filters["area"].queryset = areas

    def within_area(self, queryset, name, area):
        return within_area(queryset, area)

    def describe(self) -> str:
        """The applied filters in words, for the access log of an export."""
        applied = [
            f"{self.form.fields[name].label}: {self._readable(self.form.fields[name], value)}"
            for name, value in self.form.cleaned_data.items()
            if value not in (None, "", [])
        ]
        return "; ".join(applied) or gettext("no filters")

    @staticmethod
    def _readable(field, value):
        if isinstance(field, forms.ModelChoiceField):
            return value
        return dict(getattr(field, "choices", ())).get(value, value)


class WorkerFilter(ScopedFilterSet):
    occupation = django_filters.ChoiceFilter(label=_("Occupation"), choices=Occupation.choices)
    platform = django_filters.ChoiceFilter(label=_("Platform"), choices=Platform.choices)
    political_status = django_filters.ChoiceFilter(
        label=_("Political status"), choices=PoliticalStatus.choices
    )
    role = django_filters.ChoiceFilter(
        label=_("Role"), choices=WorkerRoleKind.choices, field_name="roles__role"
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[*WorkerStatus.choices, (TO_ERASE, _("Consent withdrawn, to be erased"))],
        empty_label=_("Current (not left)"),
        method="with_status",
    )
    registered_after = FromDayFilter(label=_("Registered from"), field_name="created_at")
    registered_before = UntilDayFilter(label=_("Registered until"), field_name="created_at")

    class Meta:
        model = Worker
        fields = []

    def search(self, queryset, name, value):
        return name_search(queryset, value, "mobile_tail")

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("status"):
            queryset = queryset.exclude(status=WorkerStatus.LEFT)
        return queryset

    def with_status(self, queryset, name, value):
        if value == TO_ERASE:  # the administrator's work list (PIPL deletion)
            return queryset.filter(consent_withdrawn_at__isnull=False, anonymised_at__isnull=True)
        return queryset.filter(status=value)


class EnterpriseFilter(ScopedFilterSet):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=EnterpriseKind.choices)
    platform = django_filters.ChoiceFilter(label=_("Platform"), choices=Platform.choices)
    party_organisation = django_filters.ChoiceFilter(
        label=_("Party organisation"), choices=PartyOrganisation.choices
    )

    class Meta:
        model = Enterprise
        fields = []

    def search(self, queryset, name, value):
        return name_search(queryset, value, None)
