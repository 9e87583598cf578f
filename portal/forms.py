"""What every form a rider fills in shares (registration, 报到, sign-in, suggestions, tracking)."""

from django import forms
from django.db.models.fields import BLANK_CHOICE_DASH
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

CHOOSE = _("Please choose")
DASHES = BLANK_CHOICE_DASH[0][1]
REQUIRED = forms.Field.default_error_messages["required"]


class RiderForm:
    """A mixin for rider forms: drop-downs start at 请选择 instead of Django's "---------", a
    missing answer says which field it is (the summary lists messages, not fields), and
    `error_summary()` lists the problems for templates/_error_summary.html."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            choice = isinstance(field, forms.ChoiceField)
            if isinstance(field, forms.ModelChoiceField):
                if field.empty_label == DASHES:  # Django's; a label of the form's own stays
                    field.empty_label = CHOOSE
            elif choice:
                field.choices = [
                    ("", CHOOSE) if value == "" and label == DASHES else (value, label)
                    for value, label in field.choices
                ]
            if field.error_messages["required"] == REQUIRED and field.label:
                # Made in the request's language, as the form is.
                message = (
                    gettext("Please choose “%(field)s”.")
                    if choice
                    else gettext("Please fill in “%(field)s”.")
                )
                field.error_messages["required"] = message % {"field": field.label}

    def error_summary(self) -> list[tuple[str, str]]:
        """(the id of the field to jump to, the message) for each error, the form's own first
        (with no id). A radio group is reached at its first button."""
        summary = [("", str(error)) for error in self.non_field_errors()]
        for field in self:
            anchor = "" if field.is_hidden else field.id_for_label or f"{field.auto_id}_0"
            summary.extend((anchor, str(error)) for error in field.errors)
        return summary


class RevealingSelect(forms.Select):
    """A drop-down whose options in `reveals` ({value: name}) show a part of the form marked
    data-revealed-by="name" while one of them is chosen: CSS only (rider.css), no script."""

    def __init__(self, attrs=None, choices=(), *, reveals=None):
        super().__init__(attrs, choices)
        self.reveals = {str(value): name for value, name in (reveals or {}).items()}

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        if str(value) in self.reveals:
            option["attrs"]["data-reveals"] = self.reveals[str(value)]
        return option
