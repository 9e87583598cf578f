from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.forms import RevealingSelect, RiderForm
from portal.mobile import contact_phone, normalise_mobile, validate_mobile
from portal.models import Area, AreaLevel
from registry.models import (
    Enterprise,
    EnterpriseKind,
    Platform,
    PoliticalStatus,
    Worker,
    WorkerRole,
    WorkerRoleKind,
)
from registry.validators import normalise_id_number, validate_id_number

PARTY_FIELDS = ["party_branch", "membership_held_at", "is_mobile_party_member"]


class WorkerForm(RiderForm, forms.ModelForm):
    """A worker's details with the consents PIPL asks for; riders and staff fill it alike."""

    # Longer than the 11 stored digits: people type spaces, hyphens, +86; clean_mobile drops them.
    mobile = forms.CharField(
        label=Worker._meta.get_field("mobile").verbose_name,
        max_length=20,
        help_text=_(
            "We text a code to this number. Registering again with it updates your details once "
            "you enter the code; a field left blank keeps what we have."
        ),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    consent = forms.BooleanField(
        label=_("I have read the notice above and agree that my details are used as it says."),
        error_messages={"required": _("Without your consent we cannot keep your registration.")},
    )
    sensitive_consent = forms.BooleanField(
        required=False,
        label=_(
            "I separately agree that my party membership and ID number are processed as the "
            "notice says."
        ),
    )

    class Meta:
        model = Worker
        fields = [
            "name",
            "mobile",
            "occupation",
            "platform",
            "platform_other",
            "area",
            "political_status",
            *PARTY_FIELDS,
            "id_number",
        ]
        labels = {"area": _("Community you report to")}
        error_messages = {"name": {"max_length": _("Enter a name of 2 to 30 characters.")}}
        help_texts = {
            "id_number": _("Optional."),
            "party_branch": _("Party members only."),
        }
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "name"}),
            # On the rider's page the party members' block and the other platform's name show
            # only when the answer needs them (templates/registry/register.html).
            "platform": RevealingSelect(reveals={Platform.OTHER: "other-platform"}),
            "political_status": RevealingSelect(
                reveals=dict.fromkeys(PoliticalStatus.party(), "party")
            ),
        }

    def __init__(self, *args, communities=None, **kwargs):
        super().__init__(*args, **kwargs)
        if communities is None:
            communities = Area.objects.filter(level=AreaLevel.COMMUNITY)
        self.fields["area"].queryset = communities
        self.fields["area"].error_messages["invalid_choice"] = _("Choose your community.")

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not 2 <= len(name) <= 30:
            raise forms.ValidationError(_("Enter a name of 2 to 30 characters."))
        return name

    def clean_mobile(self):
        mobile = normalise_mobile(self.cleaned_data["mobile"])
        validate_mobile(mobile)
        return mobile

    def clean_id_number(self):
        id_number = normalise_id_number(self.cleaned_data["id_number"])
        if id_number:
            validate_id_number(id_number)
        return id_number

    def clean(self):
        data = super().clean()
        if data.get("platform") == Platform.OTHER and not data.get("platform_other", "").strip():
            self.add_error("platform_other", _("Tell us which platform or employer."))
        if data.get("platform") != Platform.OTHER:
            data["platform_other"] = ""
        party_member = data.get("political_status") in PoliticalStatus.party()
        if party_member:
            if not data.get("party_branch", "").strip():
                self.add_error("party_branch", _("Party members: enter your party branch."))
        else:
            data.update(party_branch="", membership_held_at="", is_mobile_party_member=False)
        needs_sensitive_consent = party_member or data.get("id_number")
        if needs_sensitive_consent and not (data.get("sensitive_consent") or self.has_consented()):
            self.add_error(
                "sensitive_consent",
                _(
                    "Party membership and ID numbers are sensitive: we keep them only with this "
                    "separate consent. Tick it, or leave the ID number empty and choose another "
                    "political status."
                ),
            )
        return data

    def has_consented(self) -> bool:
        """Whether the record already holds the separate consent to sensitive data."""
        return bool(self.instance.pk and self.instance.sensitive_consented_at)

    def details(self) -> dict:
        return {field: self.cleaned_data[field] for field in WorkerForm.Meta.fields}


class RegistrationForm(WorkerForm):
    """A rider's own registration (双报到)."""

    def clean_id_number(self):
        # The ID number sits in the party members' block, hidden from everyone else: a number
        # typed there before choosing another status is not kept (nor checked, nor consented to).
        if self.cleaned_data.get("political_status") not in PoliticalStatus.party():
            return ""
        return super().clean_id_number()

    def validate_unique(self):
        # A known mobile is not an error here: once the texted code proves it, registering again
        # updates that worker (registry.services.register), and the unique index settles races.
        pass


class StaffWorkerForm(WorkerForm):
    """Staff add a worker by hand (the offline channel) or correct one; roles are kept here."""

    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=WorkerRoleKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mobile"].help_text = ""
        self.fields["mobile"].error_messages["unique"] = _(
            "A worker with this mobile number is already registered. Search the roster by the "
            "last four digits to find them."
        )
        self.fields["consent"].label = _(
            "The worker has agreed to the consent notice (in person or on the paper form)."
        )
        self.fields["sensitive_consent"].label = _(
            "The worker has separately agreed that their party membership and ID number are kept."
        )
        if self.instance.pk:
            # The consent was given when the record was made; editing does not ask again.
            del self.fields["consent"]
            active = WorkerRole.objects.active(timezone.localdate()).filter(worker=self.instance)
            self.initial["roles"] = list(active.values_list("role", flat=True))
            if self.instance.sensitive_consented_at:
                del self.fields["sensitive_consent"]


class LeaveForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"),
        max_length=100,
        required=False,
        help_text=_("For example: changed jobs, moved to another city."),
    )


class RefusalForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for refusal"),
        max_length=200,
        help_text=_("The rider reads it on 我的, so say what to correct."),
        error_messages={"required": _("Say why the registration is refused.")},
    )


class DuplicateForm(forms.Form):
    """Which worker on the roster a pending registration repeats: one of the likely matches the
    page lists (`kept`), or anyone in the user's scope by their full mobile number."""

    kept = forms.ModelChoiceField(queryset=Worker.objects.none(), required=False)
    mobile = forms.CharField(
        label=_("Or the mobile number of the worker on the roster"), max_length=20, required=False
    )

    def __init__(self, *args, duplicate: Worker, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = (
            Worker.objects.in_scope(user)
            .exclude(pk=duplicate.pk)
            .filter(anonymised_at__isnull=True, merged_into__isnull=True)
        )
        self.fields["kept"].queryset = self.candidates

    def clean(self):
        kept, mobile = self.cleaned_data.get("kept"), self.cleaned_data.get("mobile", "")
        if kept is None and mobile:
            kept = self.candidates.filter(mobile=normalise_mobile(mobile)).first()
            if kept is None:
                raise forms.ValidationError(
                    _("No worker in your area has this mobile number."), code="no_such_worker"
                )
        if kept is None:
            raise forms.ValidationError(
                _("Choose the worker this registration repeats."), code="required"
            )
        self.cleaned_data["kept"] = kept
        return self.cleaned_data


class EnterpriseForm(forms.ModelForm):
    class Meta:
        model = Enterprise
        fields = [
            "name",
            "kind",
            "platform",
            "parent",
            "area",
            "address",
            "workforce",
            "party_organisation",
            "party_instructor",
            "contact_name",
            "contact_phone",
        ]

    def __init__(self, *args, areas, parents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas.order_by("path")
        self.fields["parent"].queryset = parents.filter(kind=EnterpriseKind.PLATFORM).exclude(
            pk=self.instance.pk
        )

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if len(name) < 2:
            raise forms.ValidationError(_("Enter the enterprise's name."))
        return name

    def clean_contact_phone(self):
        return contact_phone(self.cleaned_data["contact_phone"])

    def clean(self):
        data = super().clean()
        if data.get("kind") == EnterpriseKind.PLATFORM:
            data["parent"] = None
        return data
