"""The filters and search of the rosters and the enterprise ledger (django-filter)."""

import django_filters
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.filters import FromDayFilter, ScopedFilterSet, UntilDayFilter, name_search
from registry.models import (
    Enterprise,
    EnterpriseKind,
    Occupation,
    PartyOrganisation,
    Platform,
    PoliticalStatus,
    Worker,
    WorkerRole,
    WorkerRoleKind,
    WorkerStatus,
)

TO_ERASE = "to_erase"


class WorkerFilter(ScopedFilterSet):
    occupation = django_filters.ChoiceFilter(label=_("Occupation"), choices=Occupation.choices)
    platform = django_filters.ChoiceFilter(label=_("Platform"), choices=Platform.choices)
    political_status = django_filters.ChoiceFilter(
        label=_("Political status"), choices=PoliticalStatus.choices
    )
    role = django_filters.ChoiceFilter(
        label=_("Role"), choices=WorkerRoleKind.choices, method="with_active_role"
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

    def with_active_role(self, queryset, name, value):
        """Workers holding the role today (an appointment not ended, its term not over)."""
        active = WorkerRole.objects.active(timezone.localdate())
        return queryset.filter(Exists(active.filter(worker=OuterRef("pk"), role=value)))

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
