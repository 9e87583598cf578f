from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from feedback import photos
from feedback.models import Category, IssueType, Suggestion
from portal.codes import normalised_code
from portal.forms import RiderForm
from portal.mobile import normalise_mobile, validate_mobile

MAX_PHOTOS = 3
# What the form passes to feedback.services.submit, besides the location.
DETAILS = ["category", "issue_type", "text", "name", "mobile"]
HONEYPOT = "website"

CATEGORY_HINTS = {
    Category.SUGGESTION: _("An idea to make work or the stations better"),
    Category.NEED: _("Something you need, or a difficulty you face"),
    Category.HAZARD: _("A danger on the road or at a station: add a photo"),
    Category.COMPLAINT: _("Something that went wrong and should not have"),
    Category.HELP: _("You need someone to help you now"),
}


class PhotosInput(forms.FileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Up to MAX_PHOTOS pictures from one file input, each checked by its size and header
    (feedback.photos.check; a task re-encodes it later): cleans to a list of the uploads."""

    widget = PhotosInput(attrs={"accept": "image/*", "multiple": True})

    def clean(self, data, initial=None):
        files = [file for file in (data or []) if file]
        if len(files) > MAX_PHOTOS:
            raise forms.ValidationError(
                _("Send at most %(limit)s photos (you chose %(count)s).")
                % {"limit": MAX_PHOTOS, "count": len(files)},
                code="photo_count",
            )
        prepared, errors = [], []
        for file in files:
            try:
                prepared.append(photos.check(super().clean(file)))
            except forms.ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise forms.ValidationError(errors)
        return prepared


class SuggestionForm(RiderForm, forms.Form):
    """What a rider files from their phone: kept short, every field but the text optional.

    A plain Form: a ModelForm would also run the model's check constraints, whose compiled
    queries were a tenth of the post's time (bench/suggestion.py), for fields it does not hold.
    """

    category = forms.ChoiceField(
        label=_("What is it about?"),
        choices=Category.choices,
        initial=Category.SUGGESTION,
        # Bootstrap's toggle buttons: the radio hidden, its label a big button.
        widget=forms.RadioSelect(attrs={"class": "btn-check"}),
        error_messages={"invalid_choice": _("Choose what it is about.")},
    )
    # Optional big buttons below the category: only the chosen category's where the browser has
    # CSS :has() (static/css/portal.css), all of them under their category's name without.
    issue_type = forms.ModelChoiceField(
        label=_("Which of these is it? (optional)"),
        queryset=IssueType.objects.offered(),
        required=False,
        blank=True,  # a radio button for "none", too
        empty_label=_("Not sure, or none of these"),
        widget=forms.RadioSelect(attrs={"class": "btn-check"}),
        error_messages={"invalid_choice": _("Choose one of the kinds shown, or none.")},
    )
    text = forms.CharField(
        label=_("What happened, or what do you need?"),
        max_length=Suggestion._meta.get_field("text").max_length,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": _("Write what happened or what you need."),
            "max_length": _(
                "Keep it to %(limit_value)d characters or fewer (you wrote %(show_value)d)."
            ),
        },
    )
    photos = PhotosField(
        label=_("Photos (up to 3)"),
        required=False,
        help_text=_("A photo helps us find and understand the problem. Optional."),
    )
    # Filled by static/feedback/locate.js when the rider taps "Add my location". Plain fields,
    # not CharFields: those refuse a NUL with an error the rider could neither see nor correct.
    latitude = forms.Field(required=False, widget=forms.HiddenInput)
    longitude = forms.Field(required=False, widget=forms.HiddenInput)
    name = forms.CharField(
        label=_("Your name"),
        required=False,
        max_length=Suggestion._meta.get_field("name").max_length,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"max_length": _("Enter a name of at most 30 characters.")},
    )
    # Longer than the 11 stored digits: people type spaces, hyphens, +86; clean_mobile drops them.
    mobile = forms.CharField(
        label=_("Mobile"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    # Hidden from people by CSS: only a robot fills it in.
    website = forms.CharField(
        label=_("Leave this empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())

    def clean(self):
        """A kind picked below another category than the one chosen (easy without JavaScript,
        where every kind shows) says more than the category: its category is taken."""
        data = super().clean()
        if issue_type := data.get("issue_type"):
            data["category"] = issue_type.category
        return data

    def clean_mobile(self):
        mobile = normalise_mobile(self.cleaned_data["mobile"])
        if mobile:
            validate_mobile(mobile)
        return mobile

    def location(self) -> tuple[Decimal, Decimal] | None:
        """The browser's position, or None. These are hidden fields the rider cannot correct,
        so a value that is not a position is dropped rather than shown as an error."""
        try:
            latitude = Decimal(self.cleaned_data["latitude"]).quantize(Decimal("0.000001"))
            longitude = Decimal(self.cleaned_data["longitude"]).quantize(Decimal("0.000001"))
            if abs(latitude) <= 90 and abs(longitude) <= 180:
                return latitude, longitude
        except (InvalidOperation, ValueError, TypeError):  # TypeError: a field left out
            pass
        return None

    def details(self, station=None) -> dict:
        """The fields feedback.services.submit takes, with the browser's location or, without
        one, the station's."""
        details = {field: self.cleaned_data[field] for field in DETAILS}
        if location := self.location():
            details["latitude"], details["longitude"] = location
        # A browser gives WGS-84; a station's place is kept in GCJ-02 (stations.models), a few
        # hundred metres apart: Suggestion does not yet say which datum a row holds.
        elif station is not None and station.latitude is not None:
            details.update(
                latitude=station.latitude, longitude=station.longitude, address=station.address
            )
        return details

    def categories(self) -> list:
        """The category radio buttons, each with a line saying what belongs there."""
        return [(radio, CATEGORY_HINTS[radio.data["value"]]) for radio in self["category"]]

    def issue_types(self) -> dict:
        """The kinds' radio buttons grouped under their category, in the categories' order,
        and the "none of these" button; no groups when no kind is offered."""
        return issue_type_groups(self["issue_type"])


def issue_type_groups(field) -> dict:
    radios = {category: [] for category in Category.values}
    none = None
    for radio in field:
        if radio.data["value"] == "":
            none = radio
        else:
            radios[radio.data["value"].instance.category].append(radio)
    groups = [
        (category, Category(category).label, radios[category])
        for category in Category.values
        if radios[category]
    ]
    return {"groups": groups, "none": none}


class TrackingCodeForm(RiderForm, forms.Form):
    code = forms.CharField(
        label=_("Tracking code"),
        max_length=40,
        widget=forms.TextInput(
            attrs={"autocapitalize": "characters", "autocomplete": "off", "spellcheck": "false"}
        ),
        error_messages={"required": _("Enter the tracking code you were given.")},
    )

    def clean_code(self):
        return normalised_code(self.cleaned_data["code"])


class RatingForm(RiderForm, forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How satisfied are you with the outcome?"),
        choices=[
            (5, _("★★★★★ Very satisfied")),
            (4, _("★★★★ Satisfied")),
            (3, _("★★★ So-so")),
            (2, _("★★ Not satisfied")),
            (1, _("★ Not at all satisfied")),
        ],
        coerce=int,
        widget=forms.RadioSelect(attrs={"class": "btn-check"}),
        error_messages={
            "required": _("Choose from 1 to 5 stars."),
            "invalid_choice": _("Choose from 1 to 5 stars."),
        },
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=Suggestion._meta.get_field("rating_comment").max_length,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReopenForm(RiderForm, forms.Form):
    """Shown below the rating form, which has a comment too: ids of its own keep each label tied
    to its own box."""

    comment = forms.CharField(
        label=_("What is still wrong?"),
        max_length=Suggestion._meta.get_field("rating_comment").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say what is still wrong, so staff know what to look at.")},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_reopen_%s")
        super().__init__(*args, **kwargs)
