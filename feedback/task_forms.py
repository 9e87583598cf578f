"""Forms of the task split (任务分解) and of the handlers' work; the rules on states are in
feedback.services, which the views call."""

import json

from django import forms
from django.db.models import Case, Q, When
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from feedback.calendar import moment_text, next_working_days
from feedback.forms import PhotosField
from feedback.models import Department, Task, UrgencyClass

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


def proposed_department(suggestion):
    """The department the suggestion's issue type proposes: of those that serve its place, one
    whose name holds the type's default department words, the nearest first (its own area,
    then up the tree, then the areas below it). None without a type, words or a match."""
    issue_type = suggestion.issue_type
    if issue_type is None or not issue_type.default_department:
        return None
    path = suggestion.area.path_ids()
    return (
        departments_for(suggestion)
        .filter(name__contains=issue_type.default_department)
        .order_by(
            Case(When(area_id__in=path, then=0), default=1), -Length("area__path"), "name", "id"
        )
        .first()
    )


class DepartmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, department):
        return f"{department.name} · {department.area.name}"


class UrgencyChoiceField(forms.ModelChoiceField):
    """The urgency classes, each option with its deadlines and, for task_due.js, the deadline a
    task assigned now would get."""

    def label_from_instance(self, urgency):
        return _("%(name)s · acknowledge within %(acknowledge)s · finish within %(finish)s") % {
            "name": urgency.name,
            "acknowledge": urgency.acknowledge_text,
            "finish": urgency.finish_text,
        }


class UrgencySelect(forms.Select):
    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-due"] = moment_text(instance.due_at(timezone.now()))
        return option


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
    urgency = UrgencyChoiceField(
        label=_("Urgency"),
        queryset=UrgencyClass.objects.all(),
        empty_label=None,
        required=False,  # none sent: the default class (feedback.services.add_task)
        widget=UrgencySelect,
        help_text=_("Sets how soon the department must acknowledge (签收) and finish the task."),
    )
    working_days = forms.IntegerField(
        label=_("Or a deadline in working days"),
        min_value=1,
        max_value=MAX_WORKING_DAYS,
        required=False,
        help_text=_(
            "Leave empty for the urgency's deadline. Counted from today without weekends and "
            "holidays."
        ),
    )

    def __init__(self, *args, suggestion, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments_for(suggestion)
        if not self.is_bound and (proposed := proposed_department(suggestion)):
            self.initial.setdefault("department", proposed.pk)
            self.fields["department"].help_text = _(
                "Proposed for the issue type %(type)s: %(department)s."
            ) % {"type": suggestion.issue_type.name, "department": proposed.name}
        urgency = (suggestion.issue_type and suggestion.issue_type.urgency) or (
            UrgencyClass.objects.default()
        )
        if urgency is not None:
            self.initial.setdefault("urgency", urgency.pk)
        self.default_due = moment_text(urgency.due_at(timezone.now())) if urgency else ""
        self.due_dates = next_working_days(timezone.localdate(), MAX_WORKING_DAYS)
        # static/js/task_due.js shows the date for the number typed, from this list, and the
        # urgency's deadline when none is typed.
        self.fields["working_days"].widget.attrs["data-due-dates"] = json.dumps(
            [day.isoformat() for day in self.due_dates]
        )

    def due_on(self):
        days = self.cleaned_data.get("working_days")
        return self.due_dates[days - 1] if days else None


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
    photos = PhotosField(
        label=_("Photos of the result (up to 3)"),
        required=False,
        help_text=_(
            "Optional. Staff see them, and may show them to the submitter. No faces or number "
            "plates if you can help it."
        ),
    )
    # The task as the form showed it: a change made meanwhile refuses this one.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ReturnForm(forms.Form):
    """退单: the task is not the department's."""

    reason = forms.CharField(
        label=_("Why it is not your department's"),
        max_length=Task._meta.get_field("return_reason").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Staff read it and pass the task to another department. Say which, if you know."
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class ExtensionForm(forms.Form):
    """延期: more time, asked for with a reason."""

    due_on = forms.DateField(label=_("New deadline"), widget=DATE)
    reason = forms.CharField(
        label=_("Why more time is needed"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class DecisionForm(forms.Form):
    """Staff decide an extension request: approve (with the day asked for or another) or refuse."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("refuse", _("Refuse"))],
        widget=forms.RadioSelect,
    )
    due_on = forms.DateField(
        label=_("New deadline"),
        required=False,
        widget=DATE,
        help_text=_("When approving: the day asked for, or another."),
    )
    note = forms.CharField(
        label=_("Note to the department"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed when refusing: say why."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class SupervisionForm(forms.Form):
    """督办: a notice to the task's department."""

    text = forms.CharField(
        label=_("Supervision notice"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The department's handlers see it highlighted on the task and in their inbox."),
    )


class CloseReturnedForm(forms.Form):
    """Close an accepted suggestion whose tasks came back, with a reply to the submitter."""

    reply = forms.CharField(
        label=_("Reply to the submitter"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Shown on the tracking page and texted: why nothing more will be done."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


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
