"""The two steps of proving a mobile is yours with a texted code (portal.otp): the number, then
the code. Sign-in, registration and a station's 报到 ask them alike."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.forms import RiderForm
from portal.mobile import normalise_mobile, validate_mobile


class MobileForm(RiderForm, forms.Form):
    mobile = forms.CharField(
        label=_("Your mobile number"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )

    def clean_mobile(self):
        mobile = normalise_mobile(self.cleaned_data["mobile"])
        validate_mobile(mobile)
        return mobile


class CodeForm(RiderForm, forms.Form):
    code = forms.CharField(
        label=_("The 6-digit code we texted you"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )
