"""Forms of the task split (任务分解) and of the handlers' work; the rules on states are in
feedback.services, which the views call."""

import json

from django import forms
from django.conf import settings
from django.db.models import Q
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from feedback.calendar import next_working_days
from feedback.models import Department, Task

# About three months: a task that needs longer is better split or escalated.
MAX_WORKING_DAYS = 60


def departments_for(suggestion):
    """Active departments that serve the suggestion's place: those of its area and the areas
    above it (street office, district bureaus, city), and those of the areas just below it (a
    suggestion filed at a street can go to one of its communities). Top area first."""
    area = suggestion.area
    return (
        Department.objects.filter(active=True)
        .filter(Q(area_id__in=area.path_ids()) | Q(area__parent_id=area.pk))
        .select_related("area")
        .order_by(Length("area__path"), "name")
    )


class DepartmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, department):
        return f"{department.name} · {department.area.name}"


class TaskForm(forms.Form):
    department = DepartmentChoiceField(
        label=_("Department"),
        queryset=Department.objects.none(),
        empty_label=_("Choose a department"),
    )
    instructions = forms.CharField(
        label=_("Instructions"),
        max_length=Task._meta.get_field("instructions").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the department should do, and what to report back."),
    )
    working_days = forms.IntegerField(
        label=_("Deadline in working days"),
        min_value=1,
        max_value=MAX_WORKING_DAYS,
        help_text=_("Counted from today without weekends and holidays."),
    )

    def __init__(self, *args, suggestion, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments_for(suggestion)
        self.due_dates = next_working_days(timezone.localdate(), MAX_WORKING_DAYS)
        default = settings.FEEDBACK_TASK_DUE_WORKING_DAYS
        self.initial.setdefault("working_days", default)
        self.default_due_on = self.due_dates[default - 1]
        # static/js/task_due.js shows the date for the number typed, from this list.
        self.fields["working_days"].widget.attrs["data-due-dates"] = json.dumps(
            [day.isoformat() for day in self.due_dates]
        )

    def due_on(self):
        return self.due_dates[self.cleaned_data["working_days"] - 1]


class ResolveForm(forms.Form):
    reply = forms.CharField(
        label=_("Reply to the submitter"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Shown on the tracking page: what was done, in your words. No staff names or phone "
            "numbers."
        ),
    )
    publish_results = forms.BooleanField(
        label=_("Also show the departments' results on the tracking page"),
        required=False,
        help_text=_(
            "Off: the submitter reads only your reply. The results are written for staff and may "
            "name people, places or details the submitter should not see."
        ),
    )
    # The suggestion as the form showed it: a change made meanwhile refuses this one.
    version = forms.IntegerField(widget=forms.HiddenInput)


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Progress note"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Seen by staff, not by the submitter."),
    )


class DoneForm(forms.Form):
    result = forms.CharField(
        label=_("What was done"),
        max_length=Task._meta.get_field("result").max_length,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "For staff, who write the reply to the submitter. The submitter sees it only if "
            "staff choose to show it."
        ),
    )


class TaskFilterForm(forms.Form):
    department = DepartmentChoiceField(
        label=_("Department"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=_("All departments"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments
