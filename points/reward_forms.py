from django import forms
from django.utils.translation import gettext_lazy as _

from points.models import PICKUP_LENGTH, Reward
from portal.codes import normalised_code
from portal.models import AreaLevel

PICTURE_MAX_BYTES = 2 * 1024 * 1024
PICTURE_FORMATS = {"JPEG", "PNG", "WEBP"}


class RewardForm(forms.ModelForm):
    """A reward of a community's 积分超市. A new reward gets its stock; afterwards the stock only
    changes by an amount added or taken, so redemptions made while the form was open still count."""

    stock_change = forms.IntegerField(
        label=_("Add to the stock"),
        required=False,
        min_value=-100_000,
        max_value=100_000,
        help_text=_("A negative number takes from the stock, e.g. -2 for two broken items."),
    )

    class Meta:
        model = Reward
        fields = ["name", "area", "description", "picture", "price", "stock", "active"]
        widgets = {
            "picture": forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"})
        }
        help_texts = {"picture": _("A photo of the item: JPEG, PNG or WebP, at most 2 MB.")}

    def __init__(self, *args, areas, **kwargs):
        super().__init__(*args, **kwargs)
        communities = areas.filter(level=AreaLevel.COMMUNITY).order_by("path")
        self.fields["area"].queryset = communities
        if self.instance.pk is None:
            self.fields["area"].initial = communities.first()
            del self.fields["stock_change"]
        else:
            del self.fields["stock"]

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())

    def clean_picture(self):
        picture = self.cleaned_data.get("picture")
        image = getattr(picture, "image", None)  # set on a new upload that Pillow could read
        if image is None:
            return picture
        if image.format not in PICTURE_FORMATS:
            raise forms.ValidationError(_("Upload a JPEG, PNG or WebP picture."))
        if picture.size > PICTURE_MAX_BYTES:
            raise forms.ValidationError(_("The picture is too large: at most 2 MB."))
        return picture


class PickupCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Pickup code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "autofocus": True}
        ),
    )

    def clean_code(self):
        code = normalised_code(self.cleaned_data["code"])
        if len(code) != PICKUP_LENGTH:
            raise forms.ValidationError(
                _("A pickup code has %(length)s letters and digits.") % {"length": PICKUP_LENGTH}
            )
        return code


class RedeemForm(forms.Form):
    """The reward a rider chose in the shop (the confirmation page's address)."""

    reward = forms.ModelChoiceField(
        queryset=Reward.objects.filter(active=True).select_related("area"),
        error_messages={
            "required": _("This reward is no longer on offer."),
            "invalid_choice": _("This reward is no longer on offer."),
        },
    )

    def refusal(self) -> str:
        """What to tell the rider when the form is not valid: its first error."""
        return next(iter(self.errors.values()))[0]


class ConfirmRedeemForm(RedeemForm):
    """The confirmation page's button: the reward and the page's one-time key."""

    nonce = forms.UUIDField(
        error_messages={
            "required": _("Tap Redeem on the reward first, then confirm."),
            "invalid": _("Tap Redeem on the reward first, then confirm."),
        }
    )
