"""Forms of the care visits (三必访); the rules on dates and who may be responsible are in
registry.care, which the views call."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registry import care
from registry.models import CareTrigger, CareVisit


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class CareTriggerForm(forms.ModelForm):
    class Meta:
        model = CareVisit
        fields = ["trigger", "trigger_notes", "responsible", "due_on"]
        widgets = {
            "trigger": forms.RadioSelect,
            "trigger_notes": forms.Textarea(attrs={"rows": 3}),
            "due_on": DateInput,
        }
        help_texts = {
            "trigger_notes": _("What happened, in a sentence or two."),
            "responsible": _("Reminders go to this staff member until the visit is recorded."),
        }

    def __init__(self, *args, worker, user, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["trigger"].choices = CareTrigger.choices  # no empty "---" radio button
        self.fields["responsible"].queryset = care.responsible_choices(worker)
        self.fields["responsible"].required = True
        self.fields["responsible"].empty_label = None
        self.fields["due_on"].widget.attrs["min"] = today.isoformat()
        self.initial.setdefault("responsible", user.pk)
        self.initial.setdefault("due_on", care.default_due_on(today))


class CareVisitForm(forms.ModelForm):
    class Meta:
        model = CareVisit
        fields = ["visited_on", "visitor", "visit_notes", "follow_up_needed"]
        widgets = {"visited_on": DateInput, "visit_notes": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "visitor": _("The names of the staff members or volunteers who went."),
            "follow_up_needed": _("Tick when something is left to do after this visit."),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        for name in ("visited_on", "visitor"):
            self.fields[name].required = True
        self.fields["visited_on"].widget.attrs["max"] = today.isoformat()
        self.initial.setdefault("visited_on", today)
        self.initial.setdefault("visitor", str(user))
