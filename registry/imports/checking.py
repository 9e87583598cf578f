"""Checking rows: each row of a list by the staff form's rules, against the rest of the file and
the workers already registered, with its outcome and the reasons it is rejected."""

import re
from collections import defaultdict

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from portal.mobile import normalise_mobile
from portal.models import Area, AreaLevel
from registry import services
from registry.forms import StaffWorkerForm
from registry.imports.columns import COLUMNS, HEADER, NO, YES, in_language
from registry.imports.template import EXAMPLE_MOBILES
from registry.imports.workbook import text
from registry.models import ImportJob, ImportRow, Worker
from registry.services import appointments

Outcome = ImportRow.Outcome


class Communities:
    """The communities within an area (all of them for None), found by code or exact name."""

    def __init__(self, area: Area | None):
        self.queryset = Area.objects.filter(level=AreaLevel.COMMUNITY)
        if area is not None:
            self.queryset = self.queryset.within(area)
        self.by_code = {}
        self.by_name = defaultdict(list)
        for community in self.queryset:
            self.by_code[community.code] = community
            self.by_name[community.name].append(community)

    def find(self, value: str) -> Area:
        if value in self.by_code:
            return self.by_code[value]
        named = self.by_name.get(value, [])
        if len(named) == 1:
            return named[0]
        if named:
            raise ValidationError(
                _(
                    "Several communities in your area are called “%(value)s”: enter the "
                    "12-digit division code instead."
                ),
                params={"value": value},
            )
        raise ValidationError(
            _(
                "“%(value)s” is not a community in your area: enter its 12-digit division code "
                "or its exact name."
            ),
            params={"value": value},
        )


class CommunityField(forms.ModelChoiceField):
    """The community column: looked up among the preloaded communities, no query per row."""

    def __init__(self, communities: Communities, **kwargs):
        super().__init__(queryset=communities.queryset, **kwargs)
        self.communities = communities

    def to_python(self, value):
        if value in self.empty_values:
            return None
        return self.communities.find(value)


class ImportRowForm(StaffWorkerForm):
    """One row of a survey list, checked by the same rules as a worker entered by hand."""

    def __init__(self, *args, communities: Communities, **kwargs):
        super().__init__(*args, communities=communities.queryset, **kwargs)
        self.fields["area"] = CommunityField(communities, label=self.fields["area"].label)

    def _post_clean(self):
        # The model's own validation repeats the form fields' checks, plus a query per row for
        # the area (here one of the preloaded communities) and one for the consent constraint
        # (checked by `clean` already, and by the database on saving); nor is the instance
        # changed: the commit works from `details()`. Mobiles are settled by RowChecker against
        # the rest of the file and the database, instead of validate_unique.
        pass


def _choice_lookup(choices: type[models.TextChoices]) -> dict[str, str]:
    """Each choice by its code and its label in every language, ignoring case and spaces."""
    lookup = {}
    for code, label in choices.choices:
        for language, _name in settings.LANGUAGES:
            lookup[_key(in_language(language, label))] = code
        lookup[_key(code)] = code
    return lookup


def _key(value: str) -> str:
    return "".join(value.split()).casefold()


def _error(column: str, message, params=None) -> dict:
    """A reason a row is rejected, in every language, so each reader sees their own."""
    texts = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            # As ValidationError does it: `%` on the lazy message picks a plural form.
            texts[language] = str(message % params if params else message)
    return {"column": column, "message": texts}


class RowChecker:
    """Checks the rows of one job, a chunk at a time, remembering the mobiles seen before."""

    def __init__(self, job: ImportJob, positions: dict[str, int]):
        self.job = job
        self.positions = positions
        self.communities = Communities(job.area)
        self.lookups = {
            column.field: _choice_lookup(column.choices) for column in COLUMNS if column.choices
        }
        self.first_row = {}  # mobile → the row it first appeared on

    def check(self, numbered_rows: list[tuple[int, tuple]]) -> list[ImportRow]:
        texts = [(number, self.texts(cells)) for number, cells in numbered_rows]
        mobiles = {normalise_mobile(values["mobile"]) for _number, values in texts}
        existing = {
            worker.mobile: worker
            for worker in Worker.objects.filter(mobile__in=mobiles)
            .select_related("area")
            .prefetch_related(appointments.active_roles())
        }
        return [self.check_row(number, values, existing) for number, values in texts]

    def texts(self, cells: tuple) -> dict[str, str]:
        return {
            field: text(cells[index]) if index < len(cells) else ""
            for field, index in self.positions.items()
        }

    def check_row(self, number: int, values: dict, existing: dict) -> ImportRow:
        errors = []
        mobile = normalise_mobile(values["mobile"])
        worker = existing.get(mobile)
        first = self.first_row.setdefault(mobile, number) if mobile else number
        if mobile in EXAMPLE_MOBILES:
            errors.append(
                _error(
                    HEADER["mobile"],
                    _("This is the template's example, not a person: delete the row."),
                )
            )
        elif first != number:
            errors.append(
                _error(HEADER["mobile"], _("Same mobile number as row %(row)s."), {"row": first})
            )
        elif worker and not self.in_scope(worker):
            # Which community, or whose number it is, stays unsaid.
            errors.append(
                _error(
                    HEADER["mobile"], _("This mobile number is registered in another community.")
                )
            )
            worker = None
        data = self.form_data(values, errors)
        form = ImportRowForm(data, instance=worker, communities=self.communities)
        if not form.is_valid() or errors:
            errors += [
                self.form_error(field, error)
                for field, field_errors in form.errors.as_data().items()
                for error in field_errors
            ]
            return ImportRow(
                job=self.job, number=number, outcome=Outcome.REJECTED, values=values, errors=errors
            )
        details = form.details()
        roles = sorted(form.cleaned_data["roles"])
        if worker is None:
            outcome = Outcome.NEW
        elif services.detail_changes(worker, details) or roles != held_roles(worker):
            outcome = Outcome.UPDATE
        else:
            outcome = Outcome.UNCHANGED
        return ImportRow(
            job=self.job,
            number=number,
            outcome=outcome,
            values={**details, "area": details["area"].id, "roles": roles},
        )

    def in_scope(self, worker: Worker) -> bool:
        return self.job.area is None or worker.area.is_within(self.job.area)

    def form_data(self, values: dict, errors: list) -> dict:
        data = {
            **values,
            "consent": True,  # the upload form required it for the whole list
            "sensitive_consent": self.job.sensitive_consent,
        }
        for field, lookup in self.lookups.items():
            if field == "roles":
                typed = [part for part in re.split(r"[,，、;；]", values["roles"]) if part.strip()]
                data["roles"] = [lookup.get(_key(part), part.strip()) for part in typed]
            else:
                data[field] = lookup.get(_key(values[field]), values[field])
        answer = values["is_mobile_party_member"].casefold()
        data["is_mobile_party_member"] = answer in YES
        if answer not in YES | NO:
            errors.append(_error(HEADER["is_mobile_party_member"], _("Enter 是 (yes) or 否 (no).")))
        return data

    def form_error(self, field: str, error: ValidationError) -> dict:
        if field == "sensitive_consent":
            # The staff form asks to tick a box beside it; here the box is on the upload page.
            return _error(
                f"{HEADER['political_status']}/{HEADER['id_number']}",
                _(
                    "Party membership and ID numbers are kept only with the separate consent: "
                    "upload the list again with the box for sensitive details ticked."
                ),
            )
        # The message with its parameters, rendered in each language in turn.
        message = error.message
        return _error(HEADER.get(field, ""), message, error.params)


def held_roles(worker: Worker) -> list[str]:
    return sorted(role.role for role in worker.roles.all())
