from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from points.models import Activity, VolunteerTeam

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class TeamForm(forms.ModelForm):
    class Meta:
        model = VolunteerTeam
        fields = ["name", "area", "description"]
        help_texts = {"name": _("e.g. 骑聚三营")}

    def __init__(self, *args, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas.order_by("path")
        self.fields["area"].initial = self.fields["area"].queryset.first()

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())


class ActivityForm(forms.ModelForm):
    """An activity. With a station chosen and no place written, the place is the station's."""

    class Meta:
        model = Activity
        fields = [
            "title",
            "kind",
            "description",
            "area",
            "station",
            "place",
            "team",
            "starts_at",
            "ends_at",
            "sign_up_deadline",
            "capacity",
            "points",
            "cancelled",
        ]
        widgets = {
            "starts_at": DATETIME_INPUT,
            "ends_at": DATETIME_INPUT,
            "sign_up_deadline": DATETIME_INPUT,
            "description": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "title": _("e.g. 夏送清凉 at the 建设路 station, 网格巡查 on 平原路"),
            "place": _("Where riders meet. Leave it empty to use the station's address."),
            "sign_up_deadline": _("Riders can sign up until then; at the latest when it starts."),
            "points": _("Each rider whose attendance is marked earns these points."),
        }

    def __init__(self, *args, areas, stations, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas.order_by("path")
        self.fields["station"].queryset = stations.order_by("name")
        self.fields["team"].queryset = teams.order_by("name")
        self.fields["place"].required = False
        self.fields["capacity"].min_value = 1
        self.fields["capacity"].widget.attrs["min"] = 1
        if self.instance.pk is None:
            self.fields["area"].initial = self.fields["area"].queryset.first()
            del self.fields["cancelled"]

    def clean_title(self):
        return " ".join(self.cleaned_data["title"].split())

    def clean_capacity(self):
        capacity = self.cleaned_data["capacity"]
        if capacity < 1:
            raise forms.ValidationError(_("An activity has at least one place."))
        return capacity

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_at"), data.get("ends_at")
        deadline = data.get("sign_up_deadline")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The activity must end after it starts."))
        if starts and deadline and deadline > starts:
            self.add_error("sign_up_deadline", _("Sign-up must close by the time it starts."))
        if self.instance.pk is None and starts and starts <= timezone.now():
            self.add_error("starts_at", _("A new activity must start in the future."))
        station = data.get("station")
        if not data.get("place", "").strip():
            if station:
                data["place"] = f"{station.name} · {station.address}"[:200]
            else:
                self.add_error("place", _("Say where riders meet, or choose a station."))
        return data


class AttendanceForm(forms.Form):
    sign_ups = forms.ModelMultipleChoiceField(
        queryset=None,
        error_messages={"required": _("Tick the riders who came.")},
    )

    def __init__(self, *args, activity, **kwargs):
        super().__init__(*args, **kwargs)
        # Already attended ones too: a second tap of the button records nothing new, no error.
        self.fields["sign_ups"].queryset = activity.sign_ups.active()


class HoursForm(forms.Form):
    """Staff set the hours counted for a rider at an activity; the service checks the length."""

    hours = forms.DecimalField(
        label=_("Hours"), min_value=Decimal(0), max_digits=5, decimal_places=1
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        help_text=_("Why the hours change, e.g. 忘记签退, 提前到场布置."),
    )


class RatingForm(forms.Form):
    """An attendee's rating of an activity that is over."""

    stars = forms.TypedChoiceField(
        label=_("Your rating"),
        choices=[(n, "★" * n) for n in range(5, 0, -1)],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose from 1 to 5 stars.")},
    )
    comment = forms.CharField(
        label=_("A few words (optional)"),
        max_length=200,
        required=False,
        help_text=_("What was good, what could be better."),
    )
