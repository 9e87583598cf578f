"""Filters shared by the staff lists (a list's area within the user's scope, a search by name or
mobile, days), and the audit log's for administrators (django-filter)."""

from datetime import timedelta

import django_filters
from django import forms
from django.db.models import Q
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.codes import halfwidth
from portal.dates import local_midnight
from portal.mobile import normalise_mobile
from portal.models import Area, AreaLevel, AuditLog
from portal.scope import within_area

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
    outside the user's scope) empties the list, and templates/_filters.html says which
    and why: a list never quietly shows more than was asked for."""

    def filter_queryset(self, queryset):
        if self.errors:
            return queryset.none()
        return super().filter_queryset(queryset)

    @property
    def more_applied(self) -> bool:
        """Whether a filter besides the search box has a value: the folded filters open then."""
        return any(self.data.get(name) for name in self.filters if name != "q")


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


def unfiltered_export(request, list_url_name: str):
    """An export whose filters cannot be applied makes no file: the list, with the same query,
    says which filter and why."""
    return redirect(f"{reverse(list_url_name)}?{request.GET.urlencode()}")


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
