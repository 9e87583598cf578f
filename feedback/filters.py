"""The filters and search of the staff list of suggestions (django-filter)."""

from datetime import timedelta

import django_filters
from django.utils.translation import gettext_lazy as _

from feedback.models import TRACKING_LENGTH, Category, Channel, State, Suggestion
from portal.codes import ALPHABET
from portal.dates import local_midnight
from registry.filters import DATE_INPUT, ScopedFilterSet


class SuggestionFilter(ScopedFilterSet):
    state = django_filters.ChoiceFilter(label=_("State"), choices=State.choices)
    category = django_filters.ChoiceFilter(label=_("Category"), choices=Category.choices)
    channel = django_filters.ChoiceFilter(label=_("Channel"), choices=Channel.choices)
    submitted_after = django_filters.DateFilter(
        label=_("Submitted from"), method="submitted_from", widget=DATE_INPUT
    )
    submitted_before = django_filters.DateFilter(
        label=_("Submitted until"), method="submitted_until", widget=DATE_INPUT
    )

    class Meta:
        model = Suggestion
        fields = []

    def search(self, queryset, name, value):
        """A tracking code finds its suggestion; anything else is looked for in the text."""
        code = "".join(value.split()).upper()
        if len(code) == TRACKING_LENGTH and set(code) <= set(ALPHABET):
            return queryset.filter(tracking_code=code)
        return queryset.filter(text__contains=value.strip())

    # Bounds as local midnights, so the submission-time index serves the range.
    def submitted_from(self, queryset, name, day):
        return queryset.filter(submitted_at__gte=local_midnight(day))

    def submitted_until(self, queryset, name, day):
        return queryset.filter(submitted_at__lt=local_midnight(day + timedelta(days=1)))
