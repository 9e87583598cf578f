"""The filters and search of the staff list of suggestions (django-filter)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from feedback.models import TRACKING_LENGTH, Category, Channel, State, Suggestion
from portal.codes import ALPHABET
from portal.filters import FromDayFilter, UntilDayFilter
from registry.filters import ScopedFilterSet


class SuggestionFilter(ScopedFilterSet):
    state = django_filters.ChoiceFilter(label=_("State"), choices=State.choices)
    category = django_filters.ChoiceFilter(label=_("Category"), choices=Category.choices)
    channel = django_filters.ChoiceFilter(label=_("Channel"), choices=Channel.choices)
    submitted_after = FromDayFilter(label=_("Submitted from"), field_name="submitted_at")
    submitted_before = UntilDayFilter(label=_("Submitted until"), field_name="submitted_at")

    class Meta:
        model = Suggestion
        fields = []

    def search(self, queryset, name, value):
        """A tracking code finds its suggestion; anything else is looked for in the text."""
        code = "".join(value.split()).upper()
        if len(code) == TRACKING_LENGTH and set(code) <= set(ALPHABET):
            return queryset.filter(tracking_code=code)
        return queryset.filter(text__contains=value.strip())
