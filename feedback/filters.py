"""The filters and search of the staff list of suggestions (django-filter)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from feedback.models import TRACKING_LENGTH, Category, Channel, IssueType, State, Suggestion
from feedback.selectors import ready_to_resolve
from feedback.staff_forms import IssueTypeChoiceField
from portal.codes import ALPHABET
from portal.filters import FromDayFilter, ScopedFilterSet, UntilDayFilter


class IssueTypeFilter(django_filters.ModelChoiceFilter):
    """Retired types too: the suggestions filed under them stay findable."""

    field_class = IssueTypeChoiceField


class SuggestionFilter(ScopedFilterSet):
    state = django_filters.ChoiceFilter(label=_("State"), choices=State.choices)
    category = django_filters.ChoiceFilter(label=_("Category"), choices=Category.choices)
    issue_type = IssueTypeFilter(
        label=_("Issue type"),
        queryset=IssueType.objects.order_by("order", "name", "id"),
        empty_label=_("Any"),
    )
    channel = django_filters.ChoiceFilter(label=_("Channel"), choices=Channel.choices)
    submitted_after = FromDayFilter(label=_("Submitted from"), field_name="submitted_at")
    submitted_before = UntilDayFilter(label=_("Submitted until"), field_name="submitted_at")
    # The staff home's "ready to resolve" (feedback.selectors.ready_to_resolve).
    ready = django_filters.BooleanFilter(label=_("Every task done"), method="every_task_done")

    class Meta:
        model = Suggestion
        fields = []

    def every_task_done(self, queryset, name, value):
        ready = queryset.filter(pk__in=ready_to_resolve(queryset).values("pk"))
        return ready if value else queryset.exclude(pk__in=ready.values("pk"))

    def search(self, queryset, name, value):
        """A tracking code finds its suggestion; anything else is looked for in the text."""
        code = "".join(value.split()).upper()
        if len(code) == TRACKING_LENGTH and set(code) <= set(ALPHABET):
            return queryset.filter(tracking_code=code)
        return queryset.filter(text__contains=value.strip())
