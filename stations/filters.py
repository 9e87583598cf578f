import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.filters import ScopedFilterSet
from stations.models import Station, StationKind


class StationFilter(ScopedFilterSet):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=StationKind.choices)
    temporarily_closed = django_filters.BooleanFilter(
        label=_("Temporarily closed"),
        widget=django_filters.widgets.BooleanWidget(),
    )

    class Meta:
        model = Station
        fields = []

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__contains=value) | Q(address__contains=value))
