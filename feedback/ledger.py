"""差评整改台账: the suggestions of a scope whose submitter was not satisfied, one entry per time
they said so (an online rating of 1–3 stars, a callback reached with 1–3, or "not solved", which
reopens it), with what staff did afterwards: the timeline events that follow it.

Three small reads find the entries of a period (each served by an index: the low ratings by
`suggestion_low_rating`, the reopenings by `event_moved_past_days`, the callbacks are few), at
most CAP of them, newest first; one more reads the events that follow the entries shown.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import django_filters
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from feedback.filters import IssueTypeFilter, SuggestionFilter
from feedback.models import Callback, Category, Event, IssueType, Suggestion
from portal.dates import local_midnight
from portal.filters import FromDayFilter, ScopedFilterSet, UntilDayFilter

# The newest entries a page or an export reads; beyond it the page says to narrow the period.
CAP = 2000
# The period shown when none is chosen: the last 90 days.
DEFAULT_DAYS = 90
LOW = 3  # 1–3 stars is a low rating


class Kind:
    RATING = "rating"
    CALLBACK = "callback"
    REOPENED = "reopened"


KINDS = [
    (Kind.RATING, _("Low online rating")),
    (Kind.CALLBACK, _("Low rating on a callback")),
    (Kind.REOPENED, _("Reopened: not solved")),
]

# What staff do about it, as the timeline shows it.
FOLLOW_UPS = [
    Event.Kind.ACCEPTED,
    Event.Kind.REJECTED,
    Event.Kind.MARKED_DUPLICATE,
    Event.Kind.MERGED,
    Event.Kind.TRANSFERRED,
    Event.Kind.TASK_ASSIGNED,
    Event.Kind.TASK_NOTE,
    Event.Kind.TASK_DONE,
    Event.Kind.TASK_ESCALATED,
    Event.Kind.REPLIED,
    Event.Kind.RESOLVED,
    Event.Kind.CALLBACK,
    Event.Kind.RECTIFIED,
]
# The entry's state after what followed it, from the last of these.
WORKING = {Event.Kind.ACCEPTED, Event.Kind.TRANSFERRED, Event.Kind.TASK_ASSIGNED}
WORKING |= {Event.Kind.TASK_NOTE, Event.Kind.TASK_DONE, Event.Kind.TASK_ESCALATED}
ANSWERED = {Event.Kind.RESOLVED, Event.Kind.REJECTED, Event.Kind.REPLIED, Event.Kind.RECTIFIED}
ANSWERED |= {Event.Kind.MARKED_DUPLICATE, Event.Kind.MERGED, Event.Kind.CALLBACK}
PROGRESS = {
    "none": _("Nothing done yet"),
    "working": _("Being worked on"),
    "answered": _("Answered"),
}


@dataclass
class Entry:
    suggestion_id: int
    at: datetime
    kind: str
    stars: int | None
    words: str
    suggestion: Suggestion | None = None
    after: list[Event] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return str(dict(KINDS)[self.kind])

    @property
    def star_line(self) -> str:
        return f"{'★' * self.stars}{'☆' * (5 - self.stars)}" if self.stars else ""

    @property
    def progress(self) -> str:
        """none, working or answered: what the last event after it says."""
        for event in reversed(self.after):
            if event.kind in ANSWERED:
                return "answered"
            if event.kind in WORKING:
                return "working"
        return "none"

    @property
    def progress_label(self) -> str:
        return str(PROGRESS[self.progress])


class LedgerFilter(ScopedFilterSet):
    """The suggestions' filters (area within the scope, tracking code or words, category, issue
    type) and the period and kind of the entries, which ledger.entries applies."""

    start = FromDayFilter(label=_("From"), method="keep")
    end = UntilDayFilter(label=_("To"), method="keep")
    kind = django_filters.ChoiceFilter(
        label=_("How they were not satisfied"), choices=KINDS, method="keep"
    )
    category = django_filters.ChoiceFilter(label=_("Category"), choices=Category.choices)
    issue_type = IssueTypeFilter(
        label=_("Issue type"),
        queryset=IssueType.objects.order_by("order", "name", "id"),
        empty_label=_("Any"),
    )

    search = SuggestionFilter.search

    class Meta:
        model = Suggestion
        fields = []

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.first_day = today - timedelta(days=DEFAULT_DAYS - 1)
        self.form.fields["start"].widget.attrs["placeholder"] = self.first_day.isoformat()
        self.defaults = {
            "start": self.first_day.isoformat(),
            "end": gettext("today"),
            "kind": gettext("all"),
        }

    def keep(self, queryset, name, value):
        return queryset

    def period(self) -> tuple[datetime, datetime]:
        """From the local midnight of the first day to that after the last (the last 90 days
        when not chosen)."""
        data = self.form.cleaned_data
        start = data.get("start") or self.first_day
        end = data.get("end") or self.today
        return local_midnight(start), local_midnight(end + timedelta(days=1))


def filters_for(user, query) -> LedgerFilter:
    """The ledger's filters for a user's page or export: the suggestions in their scope."""
    return LedgerFilter(
        query, queryset=Suggestion.objects.in_scope(user), user=user, today=timezone.localdate()
    )


def entries(filters: LedgerFilter, cap: int = CAP) -> list[Entry]:
    """The period's entries for the suggestions `filters` selects, newest first, at most `cap`
    (one more tells the caller there are more). Nothing when a filter cannot be applied."""
    suggestions: QuerySet = filters.qs
    if filters.errors:
        return []
    start, end = filters.period()
    kind = filters.form.cleaned_data.get("kind")
    found: list[Entry] = []
    if kind in (None, "", Kind.RATING):
        rated = suggestions.filter(rating__lte=LOW, rated_at__gte=start, rated_at__lt=end)
        found += [
            Entry(pk, at, Kind.RATING, stars, words)
            for pk, at, stars, words in rated.order_by("-rated_at").values_list(
                "pk", "rated_at", "rating", "rating_comment"
            )[: cap + 1]
        ]
    if kind in (None, "", Kind.CALLBACK):
        called = Callback.objects.filter(
            suggestion__in=suggestions.values("pk"),
            reached=True,
            satisfaction__lte=LOW,
            created_at__gte=start,
            created_at__lt=end,
        )
        found += [
            Entry(pk, at, Kind.CALLBACK, stars, words)
            for pk, at, stars, words in called.order_by("-created_at").values_list(
                "suggestion_id", "created_at", "satisfaction", "words"
            )[: cap + 1]
        ]
    if kind in (None, "", Kind.REOPENED):
        reopened = Event.objects.filter(
            suggestion__in=suggestions.values("pk"),
            kind=Event.Kind.REOPENED,
            created_at__gte=start,
            created_at__lt=end,
        )
        found += [
            Entry(pk, at, Kind.REOPENED, None, words)
            for pk, at, words in reopened.order_by("-created_at").values_list(
                "suggestion_id", "created_at", "text"
            )[: cap + 1]
        ]
    found.sort(key=lambda entry: (entry.at, entry.suggestion_id), reverse=True)
    return found[: cap + 1]


def fill(shown: list[Entry], chunk: int = 1000) -> list[Entry]:
    """Give the entries their suggestions and the events that followed each (two reads per
    `chunk` suggestions)."""
    ids = sorted({entry.suggestion_id for entry in shown})
    suggestions: dict[int, Suggestion] = {}
    events: dict[int, list[Event]] = {}
    for first in range(0, len(ids), chunk):
        part = ids[first : first + chunk]
        suggestions |= Suggestion.objects.select_related("area", "issue_type").in_bulk(part)
        for event in Event.objects.filter(suggestion_id__in=part, kind__in=FOLLOW_UPS).order_by(
            "created_at", "id"
        ):
            events.setdefault(event.suggestion_id, []).append(event)
    for entry in shown:
        entry.suggestion = suggestions[entry.suggestion_id]
        entry.after = [e for e in events.get(entry.suggestion_id, []) if e.created_at > entry.at]
    return shown


def followed_up(entry: Entry) -> str:
    """What followed the entry, in a line (the export's cell)."""
    return "; ".join(
        f"{timezone.localtime(event.created_at):%Y-%m-%d} {event.get_kind_display()}"
        + (f": {event.text}" if event.text else "")
        for event in entry.after
    )
