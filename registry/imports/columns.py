"""The survey list's columns: the heading in the file, the worker's field, notes for whoever
fills it in."""

from dataclasses import dataclass

from django.db import models
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from registry.forms import StaffWorkerForm
from registry.models import Occupation, Platform, PoliticalStatus, Worker, WorkerRoleKind


@dataclass(frozen=True)
class Column:
    # The heading in the file: always Chinese, the survey list's own format in every language.
    header: str
    field: str
    notes: str
    choices: type[models.TextChoices] | None = None

    @property
    def label(self) -> str:
        if self.field == "roles":
            return StaffWorkerForm.base_fields["roles"].label
        return capfirst(Worker._meta.get_field(self.field).verbose_name)


ONE_OF_THE_VALUES = _(
    "One of the values on the notes sheet (填写说明), by its Chinese name or its code."
)
COLUMNS = (
    Column("姓名", "name", _("2 to 30 characters.")),
    Column(
        "手机号",
        "mobile",
        _(
            "11-digit mainland mobile number, one person per number. A number already registered "
            "in your area updates that worker."
        ),
    ),
    Column(
        "职业",
        "occupation",
        ONE_OF_THE_VALUES,
        Occupation,
    ),
    Column(
        "平台或单位",
        "platform",
        ONE_OF_THE_VALUES,
        Platform,
    ),
    Column("其他平台或单位", "platform_other", _("Required when the platform is “Other”.")),
    Column(
        "所属社区",
        "area",
        _("The community's 12-digit division code, or its exact name; it must be in your area."),
    ),
    Column(
        "政治面貌",
        "political_status",
        ONE_OF_THE_VALUES,
        PoliticalStatus,
    ),
    Column("所在党支部", "party_branch", _("Required for party members and probationary members.")),
    Column("组织关系所在地", "membership_held_at", _("Party members only; may be empty.")),
    Column("是否流动党员", "is_mobile_party_member", _("是 (yes) or 否 (no); empty means no.")),
    Column("身份证号", "id_number", _("Optional: 18 characters, the last may be X.")),
    Column(
        "角色",
        "roles",
        _("Optional: one or more of the values on the notes sheet, separated by commas."),
        WorkerRoleKind,
    ),
)
HEADER = {column.field: column.header for column in COLUMNS}
YES = {"是", "yes", "y", "true", "1", "√"}
NO = {"否", "no", "n", "false", "0", ""}


def in_language(language: str, message) -> str:
    with translation.override(language):
        return str(message)
