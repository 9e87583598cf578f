from django import forms
from django.utils.translation import gettext_lazy as _


class DateInput(forms.DateInput):
    input_type = "date"


class CertificateForm(forms.Form):
    """The period a volunteer service certificate covers: the activities that started in it."""

    period_start = forms.DateField(label=_("First day"), widget=DateInput)
    period_end = forms.DateField(
        label=_("Last day"),
        widget=DateInput,
        help_text=_("Both days included; the hours of the activities that started in them."),
    )

    def clean(self):
        start, end = self.cleaned_data.get("period_start"), self.cleaned_data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The period cannot end before it starts."))
        return self.cleaned_data


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        help_text=_("Kept with the certificate, e.g. 时长有误，已重新开具."),
    )

    def clean_reason(self):
        reason = " ".join(self.cleaned_data["reason"].split())
        if not reason:
            raise forms.ValidationError(_("Say why the certificate is revoked."))
        return reason
