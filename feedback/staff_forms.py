"""Staff forms of the triage: assessing a suggestion, and entering one collected offline."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _

from feedback.forms import PhotosField
from feedback.models import (
    OFFLINE_CHANNELS,
    PUBLIC_SUMMARY_LENGTH,
    TRACKING_LENGTH,
    Category,
    IssueType,
    Suggestion,
)
from portal.mobile import normalise_mobile, validate_mobile
from portal.models import Area, AreaLevel
from stations.models import Station


class GroupedIssueTypes(ModelChoiceIterator):
    """The issue types as option groups under their categories, in the categories' order."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        groups: dict[str, list] = {category: [] for category in Category.values}
        for issue_type in self.queryset:
            groups[issue_type.category].append(self.choice(issue_type))
        for category, choices in groups.items():
            if choices:
                yield (Category(category).label, choices)


class IssueTypeChoiceField(forms.ModelChoiceField):
    iterator = GroupedIssueTypes

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Issue type"))
        kwargs.setdefault("queryset", IssueType.objects.offered())
        kwargs.setdefault("required", False)
        kwargs.setdefault("empty_label", _("None (only the category)"))
        super().__init__(**kwargs)


class AssessmentForm(forms.Form):
    """Carries the version of the suggestion the form was shown with: of two staff assessing at
    once, the second is refused (feedback.services)."""

    version = forms.IntegerField(
        widget=forms.HiddenInput,
        error_messages={
            "required": _("This form is out of date: reload the page and try again."),
            "invalid": _("This form is out of date: reload the page and try again."),
        },
    )

    def __init__(self, *args, **kwargs):
        # The suggestion's page shows every assessment form at once: ids of their own keep
        # each label tied to its field (two forms have a tracking code, two a reply).
        kwargs.setdefault("auto_id", f"{type(self).__name__.lower()}-%s")
        super().__init__(*args, **kwargs)


class IssueTypeForm(AssessmentForm):
    """The issue type of a suggestion: the active ones, and the one it has even if retired. The
    type's category becomes the suggestion's."""

    issue_type = IssueTypeChoiceField(
        help_text=_("Choosing a type of another category moves the suggestion to that category.")
    )

    def __init__(self, *args, suggestion=None, **kwargs):
        super().__init__(*args, **kwargs)
        if suggestion is not None:
            self.fields["issue_type"].queryset = IssueType.objects.offered(
                keeping=suggestion.issue_type_id
            )
            self.initial.setdefault("issue_type", suggestion.issue_type_id)


class AcceptForm(IssueTypeForm):
    note = forms.CharField(
        label=_("Note for the timeline"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Optional. The submitter sees it on the tracking page."),
    )


class RejectForm(AssessmentForm):
    reply = forms.CharField(
        label=_("Reply to the submitter"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Required: say why it is not taken up. The submitter reads it on the tracking page, "
            "and in a text message if they left a mobile."
        ),
        error_messages={"required": _("Write a reply to the submitter saying why.")},
    )


class OriginalForm(AssessmentForm):
    """Another suggestion named by its tracking code, looked up within the user's scope."""

    code = forms.CharField(label=_("Tracking code of the other suggestion"), max_length=16)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split()).upper()
        original = (
            Suggestion.objects.in_scope(self.user).filter(tracking_code=code).first()
            if len(code) == TRACKING_LENGTH
            else None
        )
        if original is None:
            raise ValidationError(
                _("No suggestion in your area has the tracking code %(code)s."),
                params={"code": code},
                code="unknown",
            )
        return original


class PublicSummaryForm(AssessmentForm):
    summary = forms.CharField(
        label=_("Public summary"),
        max_length=PUBLIC_SUMMARY_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Riders read it on the station's page and the friendly map, with the category and "
            "the date: what the matter is and what was done. No names, numbers or other "
            "personal details."
        ),
        error_messages={"required": _("Write the public summary.")},
    )


class DuplicateForm(OriginalForm):
    reply = forms.CharField(
        label=_("Reply to the submitter"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional. Later the submitter also sees the outcome of the other one."),
    )


class MergeForm(OriginalForm):
    pass


class TransferForm(AssessmentForm):
    area = forms.ModelChoiceField(label=_("Pass to"), queryset=Area.objects.none())
    note = forms.CharField(
        label=_("Why it is passed on"),
        required=False,
        max_length=500,
        help_text=_("Optional. Shown in the timeline, also to the submitter."),
    )

    def __init__(self, *args, suggestion, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = transfer_areas(suggestion, user)


def transfer_areas(suggestion, user):
    """Where a suggestion may be passed: its area's parent (the level above decides), and the
    areas next to or under it that are in the user's scope. A short list at every level; further
    moves go step by step."""
    area = suggestion.area
    near = Area.objects.in_scope(user).filter(parent__in=[area.pk, area.parent_id])
    return (
        Area.objects.filter(Q(pk=area.parent_id) | Q(pk__in=near.values("pk")))
        .exclude(pk=area.pk)
        .order_by("path")
    )


class EntryForm(forms.ModelForm):
    """A suggestion collected offline (座谈会, a phone call, a visit), entered for the rider."""

    channel = forms.ChoiceField(
        label=_("Collected by"),
        choices=[(channel.value, channel.label) for channel in OFFLINE_CHANNELS],
    )
    # Longer than the 11 stored digits: people type spaces, hyphens, +86; clean_mobile drops them.
    mobile = forms.CharField(
        label=_("Mobile"),
        required=False,
        max_length=20,
        help_text=_("Optional. A registered worker's hazard report earns points."),
    )
    photos = PhotosField(
        label=_("Photos"), required=False, help_text=_("Up to 3: JPEG, PNG, WebP or HEIC.")
    )
    issue_type = IssueTypeChoiceField(
        help_text=_("Optional. A type of another category moves it to that category.")
    )

    class Meta:
        model = Suggestion
        fields = [
            "channel",
            "category",
            "issue_type",
            "text",
            "area",
            "station",
            "address",
            "name",
            "mobile",
        ]
        widgets = {"text": forms.Textarea(attrs={"rows": 5})}
        labels = {"name": _("Full name")}
        help_texts = {"name": _("Optional: the rider may stay anonymous.")}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        communities = Area.objects.in_scope(user).filter(level=AreaLevel.COMMUNITY)
        self.fields["area"].queryset = communities.order_by("path")
        self.fields["area"].label = _("Community")
        self.fields["station"].queryset = Station.objects.in_scope(user).order_by("name")
        self.fields["station"].help_text = _("Optional: where it was raised.")
        if communities.count() == 1:
            self.fields["area"].initial = communities.get()

    def clean_mobile(self):
        mobile = normalise_mobile(self.cleaned_data["mobile"])
        if mobile:
            validate_mobile(mobile)
        return mobile

    def details(self) -> dict:
        """What feedback.services.submit takes as `details`."""
        fields = ["category", "issue_type", "text", "address", "name", "mobile"]
        return {field: self.cleaned_data[field] for field in fields}


class RectificationForm(forms.Form):
    """差评整改: what was done about a low rating or a reopening (feedback.views.ledger)."""

    text = forms.CharField(
        label=_("What was done"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "For staff: the call, the visit, the change made. The submitter does not see it."
        ),
        error_messages={"required": _("Say what was done.")},
    )


class CallbackForm(forms.Form):
    """回访: what the call to the submitter gave (feedback.services.record_callback)."""

    reached = forms.TypedChoiceField(
        label=_("Did you reach the submitter?"),
        choices=[
            ("yes", _("Yes, we spoke")),
            ("no", _("No: no answer, wrong or switched-off number")),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": _("Say whether you reached the submitter.")},
    )
    satisfaction = forms.TypedChoiceField(
        label=_("How satisfied is the submitter with the outcome?"),
        choices=[
            (5, _("5 Very satisfied")),
            (4, _("4 Satisfied")),
            (3, _("3 So-so")),
            (2, _("2 Not satisfied")),
            (1, _("1 Not at all satisfied")),
        ],
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.RadioSelect,
        help_text=_("Only when you reached them: ask, and note what they say."),
    )
    words = forms.CharField(
        label=_("What was said"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Optional. Staff see it; the submitter does not."),
    )

    def clean(self):
        data = super().clean()
        if data.get("reached") and data.get("satisfaction") is None:
            self.add_error("satisfaction", _("Choose how satisfied the submitter is, 1 to 5."))
        if data.get("reached") is False:
            data["satisfaction"] = None
        return data
