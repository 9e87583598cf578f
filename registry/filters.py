"""The filters and search of the rosters and the enterprise ledger (django-filter)."""

import django_filters
from django import forms
from django.db.models import Q
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.codes import halfwidth
from portal.filters import FromDayFilter, StrictFilterSet, UntilDayFilter
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
from registry.validators import normalise_mobile

TO_ERASE = "to_erase"


def name_search(queryset, value: str, phone_tail_field: str | None, mobile_field: str = "mobile"):
    """张三 finds by the start of the name, `zhangsan` or `zs` by its pinyin; with a phone field,
    `1234` by the last four digits of the mobile and `13800138000` by the whole number (also typed
    `+86 138-0013-8000` or full-width). Prefix or exact matches only, so each is served by an
    index."""
    value = "".join(halfwidth(value).split())
    if not value:
        return queryset
    if phone_tail_field:
        digits = normalise_mobile(value)
        if digits.isascii() and digits.isdigit() and len(digits) == 4:
            return queryset.filter(**{phone_tail_field: digits})
        if digits.isascii() and digits.isdigit() and len(digits) == 11:
            return queryset.filter(**{mobile_field: digits})
    if value.isascii() and value.isalpha():
        value = value.lower()
        return queryset.filter(
            Q(name_pinyin__startswith=value) | Q(name_initials__startswith=value)
        )
    return queryset.filter(name__startswith=value)


class ScopedFilterSet(StrictFilterSet):
    """A filter set whose area choices are the user's scope; `area` also takes everything under."""

    q = django_filters.CharFilter(label=_("Search"), method="search")
    area = django_filters.ModelChoiceFilter(
        label=_("Area"),
        queryset=Area.objects.none(),
        method="within_area",
        error_messages={"invalid_choice": _("This area is not within yours.")},
    )
    # What an empty filter still applies, in words for the access log: {name: label}.
    defaults: dict = {}
    # What the search box takes, shown in it.
    search_placeholder = None

    def __init__(self, data=None, *args, user, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.user = user
        # Any area in scope is valid (a link may name a community) ...
        areas = Area.objects.in_scope(user).order_by("path")
        self.filters["area"].queryset = areas
        if user.area is None or user.area.level not in (AreaLevel.STREET, AreaLevel.COMMUNITY):
            # ... but a city has thousands of communities: its drop-down offers districts and
            # streets, not one list of every community (the search still finds anyone).
            field = self.form.fields["area"]
            offered = areas.exclude(level=AreaLevel.COMMUNITY)
            field.widget.choices = forms.ModelChoiceField(
                queryset=offered, empty_label=field.empty_label
            ).choices
        if self.search_placeholder:
            self.form.fields["q"].widget.attrs["placeholder"] = self.search_placeholder

    def within_area(self, queryset, name, area):
        return within_area(queryset, area)

    def describe(self) -> str:
        """The filters applied, in words, for the access log of an export: the user's scope, each
        filter given, and what an empty one still applies."""
        scope = self.user.area.name if self.user.area else gettext("all areas")
        applied = [gettext("Scope: %(area)s") % {"area": scope}]
        for name, value in self.form.cleaned_data.items():
            field = self.form.fields[name]
            if value not in (None, "", []):
                applied.append(f"{field.label}: {self._readable(field, value)}")
            elif name in self.defaults:
                applied.append(f"{field.label}: {self.defaults[name]}")
        return "; ".join(applied)

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
    defaults = {"status": _("Current (not left)")}
    search_placeholder = _("Name, pinyin (zhangsan or zs), mobile or its last 4 digits")

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

    search_placeholder = _("Name or its pinyin")

    def search(self, queryset, name, value):
        return name_search(queryset, value, None)


def unfiltered_export(request, list_url_name: str):
    """An export whose filters cannot be applied makes no file: the list, with the same query,
    says which filter and why."""
    return redirect(f"{reverse(list_url_name)}?{request.GET.urlencode()}")
