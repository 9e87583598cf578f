from django import forms
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from portal.mobile import contact_phone
from stations.models import Amenity, Service, StandardItem, Station, StationKind, StationPhoto

TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
PHOTO_MAX_BYTES = 5 * 1024 * 1024


class StationForm(forms.ModelForm):
    """A station with its week of opening hours: one open–close row per weekday, no script.

    A closing time before the opening time means the station stays open past midnight
    ("22:00"–"06:00" runs into the next morning); equal times are refused, since "open 24
    hours" says that. Only merchants carry an offer, and a merchant must say what it offers
    riders: the offer is the reason a rider stops there, and the map shows it.
    """

    amenities = forms.MultipleChoiceField(
        label=_("Amenities"),
        choices=Amenity.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    services = forms.MultipleChoiceField(
        label=_("Services"),
        choices=Service.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Station
        fields = [
            "name",
            "kind",
            "area",
            "address",
            "latitude",
            "longitude",
            "open_24h",
            "services",
            "offer",
            "contact_name",
            "contact_phone",
            "temporarily_closed",
            "closure_reason",
        ]
        help_texts = {
            "latitude": _(
                "GCJ-02, as AMap (高德) and Tencent maps show them: pick the place on the map and "
                "copy its numbers, e.g. 34.414 and 115.656."
            ),
            "offer": _(
                "Friendly merchants only, and required for them: e.g. 小哥套餐 7折, priority "
                "pick-up, free hot water."
            ),
            "closure_reason": _("Riders see it on the station's page, e.g. 装修中，12月1日恢复."),
        }

    def __init__(self, *args, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas.order_by("path")
        station = self.instance
        if station.pk is None:
            # The top of the scope: a community's staff have nothing else to choose.
            self.fields["area"].initial = self.fields["area"].queryset.first()
        self.fields["amenities"].initial = (
            list(station.amenities.values_list("amenity", flat=True)) if station.pk else []
        )
        for day, _name in WEEKDAYS.items():
            interval = (station.hours.get(str(day)) or [[None, None]])[0]
            for edge, value in zip(("open", "close"), interval, strict=True):
                self.fields[f"{edge}_{day}"] = forms.TimeField(
                    required=False, widget=TIME_INPUT, initial=value
                )

    @property
    def weekdays(self):
        """(weekday name, opening-time field, closing-time field), Monday first."""
        return [(name, self[f"open_{day}"], self[f"close_{day}"]) for day, name in WEEKDAYS.items()]

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())

    def clean_contact_phone(self):
        return contact_phone(self.cleaned_data["contact_phone"])

    def clean(self):
        data = super().clean()
        self.cleaned_data["hours"] = self._hours()
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            self.add_error("longitude", _("Enter both the latitude and the longitude, or neither."))
        if data.get("kind") == StationKind.MERCHANT:
            if not data.get("offer", "").strip():
                self.add_error("offer", _("Say what the merchant offers riders."))
        else:
            data["offer"] = ""
        if data.get("temporarily_closed"):
            if not data.get("closure_reason", "").strip():
                self.add_error("closure_reason", _("Say why the station is closed."))
        else:
            data["closure_reason"] = ""
        if not (data.get("open_24h") or self.cleaned_data["hours"] or self.errors):
            self.add_error(
                None, _("Enter the opening hours of at least one day, or tick “open 24 hours”.")
            )
        return data

    def _hours(self) -> dict:
        hours = {}
        for day in WEEKDAYS:
            opens = self.cleaned_data.get(f"open_{day}")
            closes = self.cleaned_data.get(f"close_{day}")
            if f"open_{day}" in self.errors or f"close_{day}" in self.errors:
                continue
            if (opens is None) != (closes is None):
                self.add_error(
                    f"close_{day}" if closes is None else f"open_{day}",
                    _("Enter both the opening and the closing time, or neither."),
                )
            elif opens is not None and opens == closes:
                self.add_error(
                    f"close_{day}",
                    _("The closing time is the opening time: tick “open 24 hours” instead."),
                )
            elif opens is not None:
                hours[str(day)] = [[opens.strftime("%H:%M"), closes.strftime("%H:%M")]]
        return hours

    def save(self, commit=True):
        self.instance.hours = self.cleaned_data["hours"]
        return super().save(commit=commit)


class StandardForm(forms.Form):
    items = forms.ModelMultipleChoiceField(
        label=_("Standard items the station has"),
        queryset=StandardItem.objects.filter(active=True),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


class RotateForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand that the printed posters of this station stop working."),
        error_messages={"required": _("Tick the box to confirm that the old posters go.")},
    )


class PhotoForm(forms.ModelForm):
    class Meta:
        model = StationPhoto
        fields = ["image", "caption"]

    def clean_image(self):
        image = self.cleaned_data["image"]
        if image.size > PHOTO_MAX_BYTES:
            raise forms.ValidationError(_("The photo is too large: at most 5 MB."))
        return image
