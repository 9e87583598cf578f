"""Forms of recruitment calls (招募令) and appointments; the rules of applying and deciding are in
registry.services.recruitment, which the views call."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.forms import RiderForm
from portal.models import Area
from registry.care_forms import DateInput
from registry.models import Application, RecruitmentCall


class CallForm(forms.ModelForm):
    class Meta:
        model = RecruitmentCall
        fields = ["role", "area", "wanted", "duties", "deadline", "department", "term_ends_on"]
        widgets = {
            "duties": forms.Textarea(attrs={"rows": 4}),
            "deadline": DateInput,
            "term_ends_on": DateInput,
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate().isoformat()
        self.fields["area"].queryset = Area.objects.in_scope(user).order_by("path")
        self.fields["deadline"].widget.attrs["min"] = today
        self.fields["term_ends_on"].widget.attrs["min"] = today

    def clean_deadline(self):
        deadline = self.cleaned_data["deadline"]
        if deadline < timezone.localdate():
            raise forms.ValidationError(_("The deadline cannot be in the past."))
        return deadline

    def clean(self):
        cleaned = super().clean()
        deadline, term_ends_on = cleaned.get("deadline"), cleaned.get("term_ends_on")
        if deadline and term_ends_on and term_ends_on <= deadline:
            self.add_error(
                "term_ends_on", _("The appointment has to run beyond the call's deadline.")
            )
        return cleaned


class ApplyForm(RiderForm, forms.ModelForm):
    class Meta:
        model = Application
        fields = ["message"]
        widgets = {"message": forms.Textarea(attrs={"rows": 3, "maxlength": 200})}
        help_texts = {
            "message": _("Why you would like to take this on, and when you are usually free."),
        }


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        error_messages={"required": _("Give a reason.")},
    )
