from django import forms
from django.utils.translation import gettext_lazy as _


class AdjustmentForm(forms.Form):
    amount = forms.IntegerField(
        label=_("Points"),
        min_value=-100_000,
        max_value=100_000,
        help_text=_("Positive to add, negative to take, e.g. -20."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        help_text=_("Kept in the ledger for everyone who reads it, e.g. 线下活动签到表补录."),
    )

    def clean_amount(self):
        if self.cleaned_data["amount"] == 0:
            raise forms.ValidationError(_("Enter a number of points other than 0."))
        return self.cleaned_data["amount"]

    def clean_reason(self):
        reason = " ".join(self.cleaned_data["reason"].split())
        if not reason:
            raise forms.ValidationError(_("Say why the points are adjusted."))
        return reason
