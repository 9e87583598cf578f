from datetime import date, timedelta
from urllib.parse import urlencode

from django import forms
from django.utils.translation import gettext_lazy as _

from dashboard.ranking import RANK_BY, month_choices
from dashboard.spans import month_start, week_start
from dashboard.summary import Period

# The longest period one page or export covers.
MAX_PERIOD_DAYS = 3 * 366


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if start > end:
                raise forms.ValidationError(_("The period must start before it ends."))
            if end > self.today:
                raise forms.ValidationError(_("The period cannot end after today."))
            if (end - start).days >= MAX_PERIOD_DAYS:
                raise forms.ValidationError(_("Choose a period of at most three years."))
        return cleaned

    @property
    def period(self) -> Period:
        return Period(self.cleaned_data["start"], self.cleaned_data["end"])


def presets(today: date) -> list[tuple]:
    """Periods an official reports on most, as (label, period)."""
    this_month = month_start(today)
    last_month_end = this_month - timedelta(days=1)
    quarter_start = this_month.replace(month=(today.month - 1) // 3 * 3 + 1)
    return [
        (_("This week"), Period(week_start(today), today)),
        (_("This month"), default_period(today)),
        (_("Last month"), Period(month_start(last_month_end), last_month_end)),
        (_("This quarter"), Period(quarter_start, today)),
        (_("This year"), Period(today.replace(month=1, day=1), today)),
        (_("Last 12 months"), Period(today - timedelta(days=364), today)),
    ]


def default_period(today: date) -> Period:
    """This month so far."""
    return Period(month_start(today), today)


def query(area, period: Period) -> str:
    """The query string of a dashboard link: the area (if any) and the period."""
    params = {"area": area.code} if area else {}
    return urlencode({**params, "start": period.start, "end": period.end})


class RankingForm(forms.Form):
    """The month of a ranking and the rate it is ranked by; both optional."""

    month = forms.ChoiceField(label=_("Month"), required=False)
    by = forms.ChoiceField(label=_("Ranked by"), required=False)

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["month"].choices = month_choices(today)
        self.fields["by"].choices = [(slug, column.label) for slug, column in RANK_BY.items()]
        self.today = today

    @property
    def chosen_month(self) -> date:
        chosen = self.cleaned_data.get("month")
        if not chosen:
            return month_start(self.today)
        year, month = chosen.split("-")
        return date(int(year), int(month), 1)
