"""Excel import of a survey list (数据摸排清单).

`ImportUploadForm` refuses, before any job exists, a file openpyxl cannot read or whose first row
is not the template's headings. The read task (`read`) checks every row by the staff form's own
rules (`ImportRowForm`) and stores it with its outcome; staff review the rows, and the commit task
(`commit`) saves the valid ones in bulk, a chunk per transaction. Both tasks are safe to run twice.
"""

import logging
import re
import uuid
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from io import BytesIO
from itertools import islice

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Count, F, Q
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from portal.background import DATABASE_UNREACHABLE
from portal.models import Area, AreaLevel
from portal.privacy import mask_mobile
from registry import services
from registry.forms import StaffWorkerForm, WorkerForm
from registry.models import (
    ImportJob,
    ImportRow,
    Occupation,
    Platform,
    PoliticalStatus,
    Worker,
    WorkerEvent,
    WorkerRole,
    WorkerRoleKind,
    WorkerStatus,
)
from registry.validators import normalise_mobile

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# Against zip bombs: what the workbook may unpack to (20,000 rows unpack to about 12 MB).
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
# Rows per bulk insert while reading, and per transaction while saving.
CHUNK = 1000
Outcome = ImportRow.Outcome
RUNNING = (ImportJob.Status.QUEUED, ImportJob.Status.READING, ImportJob.Status.COMMITTING)


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

NOT_AN_XLSX = _(
    "This is not a readable .xlsx workbook: it may be a renamed CSV or .xls file, or damaged. "
    "Open it in Excel or WPS and save it as “Excel workbook (.xlsx)”."
)
# Kept as English message ids in ImportJob.error and translated when shown.
READ_FAILED = gettext_noop(
    "The file could not be read. Check that it is the survey list saved as .xlsx, and upload it "
    "again."
)
ABANDONED = gettext_noop(
    "This list was not saved within 7 days, so the uploaded file and its rows were deleted. "
    "Upload it again to import it."
)
SAVE_FAILED = gettext_noop(
    "Saving stopped part-way; the workers saved until then are kept. Upload the list again to "
    "save the rest: people already saved are recognised by their mobile number and not added "
    "twice."
)


# ---------------------------------------------------------------------------------------------
# The file


@contextmanager
def first_sheet_rows(file) -> Iterator[tuple[Iterator[tuple], int]]:
    """The rows of the workbook's first sheet as tuples of values, and how many the sheet says it
    has (0 if it does not say). ValidationError when the file is no readable .xlsx."""
    file.seek(0)
    if not zipfile.is_zipfile(file):
        raise ValidationError(NOT_AN_XLSX, code="not_xlsx")
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError):
        raise ValidationError(NOT_AN_XLSX, code="not_xlsx") from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise ValidationError(
            _("This workbook is too large once unpacked. Split the list into several files."),
            code="too_large",
        )
    file.seek(0)
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged or foreign file
        raise ValidationError(NOT_AN_XLSX, code="not_xlsx") from None
    try:
        if not workbook.worksheets:
            raise ValidationError(NOT_AN_XLSX, code="not_xlsx")
        sheet = workbook.worksheets[0]
        yield _values(sheet), sheet.max_row or 0
    finally:
        workbook.close()


def _values(sheet) -> Iterator[tuple]:
    try:
        yield from sheet.iter_rows(values_only=True)
    except Exception:  # a sheet damaged inside a sound zip fails only when it is read
        raise ValidationError(NOT_AN_XLSX, code="not_xlsx") from None


def header_positions(cells: Iterable) -> dict[str, int]:
    """Where each column is in the heading row: {field: index}. Order is free, extra columns
    are ignored; ValidationError names the missing headings."""
    found = {text(cell).rstrip("*＊").strip(): index for index, cell in enumerate(cells)}
    if not any(found):
        raise ValidationError(
            _(
                "The first sheet is empty. Put the column headings of the template in the first "
                "row and one person per row below them."
            ),
            code="empty",
        )
    missing = [column.header for column in COLUMNS if column.header not in found]
    if missing:
        raise ValidationError(
            _(
                "The first row of the first sheet must hold the template's column headings. "
                "Missing: %(columns)s. Download the template and copy your list into it."
            ),
            code="headers",
            params={"columns": "、".join(missing)},
        )
    return {column.field: found[column.header] for column in COLUMNS}


def text(value) -> str:
    """A cell as text: numbers typed into text columns (mobiles) lose Excel's ".0"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return " ".join(str(value).split())


def is_blank(cells: tuple) -> bool:
    return not any(text(cell) for cell in cells)


def chunks(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Survey list (.xlsx)"),
        help_text=_("Up to 10 MB, in the layout of the template: headings in the first row."),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )
    consent = forms.BooleanField(
        label=_("Everyone on this list has agreed to the consent notice on the paper form."),
        error_messages={
            "required": _("Without the consent of the people on the list it cannot be imported.")
        },
    )
    sensitive_consent = forms.BooleanField(
        required=False,
        label=_(
            "Everyone on this list with a party membership or an ID number has separately agreed, "
            "on paper, that these are kept."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise ValidationError(NOT_AN_XLSX, code="not_xlsx")
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(
                _("The file is larger than 10 MB. Split the list into several files."),
                code="too_large",
            )
        with first_sheet_rows(upload) as (rows, _size):
            header_positions(next(rows, ()))
            if all(is_blank(cells) for cells in rows):
                raise ValidationError(
                    _("The sheet has the column headings but no rows of people below them."),
                    code="no_rows",
                )
        upload.seek(0)
        return upload


def create_job(upload, *, by, sensitive_consent: bool) -> ImportJob:
    """A job for an upload that passed ImportUploadForm; the caller enqueues `read` on commit."""
    original_name = upload.name
    upload.name = f"{uuid.uuid4().hex}.xlsx"  # the stored name says nothing about the list
    return ImportJob.objects.create(
        uploaded_by=by,
        area=by.area,
        file=upload,
        original_name=original_name[:200],
        consent_version=services.CONSENT_VERSION,
        sensitive_consent=sensitive_consent,
    )


# ---------------------------------------------------------------------------------------------
# The template


# The examples' mobiles: no real person's (199 0000 000x is unassigned), refused on import, so a
# list uploaded with an example copied into it adds no made-up worker.
EXAMPLE_MOBILES = ("19900000001", "19900000002")


def build_template(communities) -> bytes:
    """The survey list template: Chinese headings with notes and nothing else on the list, and a
    second sheet explaining each column in Chinese and English, with two example rows in the
    first of `communities` below."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "摸排清单"
    sheet.append([column.header for column in COLUMNS])
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="FCE4D6")
    for index, column in enumerate(COLUMNS):
        cell = sheet.cell(row=1, column=index + 1)
        cell.font, cell.fill = bold, fill
        cell.comment = Comment(f"{_in('en', column.label)}: {_in('en', column.notes)}", "Portal")
        letter = cell.column_letter
        sheet.column_dimensions[letter].width = 24 if column.field == "area" else 16
        if column.field in ("mobile", "id_number", "area"):
            sheet.column_dimensions[letter].number_format = "@"  # keep long numbers as text
        if column.choices and column.field != "roles":
            labels = ",".join(_in("zh-hans", label) for label in column.choices.labels)
            validation = DataValidation(type="list", formula1=f'"{labels}"', allow_blank=True)
            validation.add(f"{letter}2:{letter}50000")
            sheet.add_data_validation(validation)
    sheet.freeze_panes = "A2"

    notes = workbook.create_sheet("填写说明 Notes")
    notes.append(["列名", "Column", "填写说明", "Notes", "可填的值 Values"])
    for cell in notes[1]:
        cell.font, cell.fill = bold, fill
    for column in COLUMNS:
        values = ""
        if column.choices:
            values = "、".join(
                f"{_in('zh-hans', label)} ({code})" for code, label in column.choices.choices
            )
        notes.append(
            [
                column.header,
                _in("en", column.label),
                _in("zh-hans", column.notes),
                _in("en", column.notes),
                values,
            ]
        )
    for letter, width in zip("ABCDE", (16, 28, 40, 48, 60), strict=True):
        notes.column_dimensions[letter].width = width
    notes.append([])
    notes.append(
        ["示例（仅供参考，请勿复制到摸排清单）Examples: for reference, not to copy into the list"]
    )
    notes.cell(row=notes.max_row, column=1).font = bold
    notes.append([column.header for column in COLUMNS])
    community = communities[0].code if communities else ""
    for row in _examples(community):
        notes.append([row.get(column.field, "") for column in COLUMNS])
    output = BytesIO()
    workbook.save(output)
    return output.getvalue()


def _examples(community: str) -> list[dict]:
    zh = {
        choices: {code: _in("zh-hans", label) for code, label in choices.choices}
        for choices in (Occupation, Platform, PoliticalStatus, WorkerRoleKind)
    }
    return [
        {
            "name": "王小明",
            "mobile": EXAMPLE_MOBILES[0],
            "occupation": zh[Occupation][Occupation.FOOD_DELIVERY],
            "platform": zh[Platform][Platform.MEITUAN],
            "area": community,
            "political_status": zh[PoliticalStatus][PoliticalStatus.MASSES],
            "is_mobile_party_member": "否",
        },
        {
            "name": "李红",
            "mobile": EXAMPLE_MOBILES[1],
            "occupation": zh[Occupation][Occupation.COURIER],
            "platform": zh[Platform][Platform.OTHER],
            "platform_other": "同城快送",
            "area": community,
            "political_status": zh[PoliticalStatus][PoliticalStatus.PARTY_MEMBER],
            "party_branch": "快递物流行业联合党支部",
            "membership_held_at": "河南省商丘市",
            "is_mobile_party_member": "是",
            "id_number": "11010519491231002X",
            "roles": ",".join(
                zh[WorkerRoleKind][role]
                for role in (WorkerRoleKind.GRID_MEMBER, WorkerRoleKind.VOLUNTEER)
            ),
        },
    ]


def _in(language: str, message) -> str:
    with translation.override(language):
        return str(message)


# ---------------------------------------------------------------------------------------------
# Checking rows


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
            lookup[_key(_in(language, label))] = code
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
            .prefetch_related("roles")
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


# ---------------------------------------------------------------------------------------------
# The tasks' work


def read(job_id: int) -> None:
    """Read a queued job's file into rows with their outcome; a job already read is left alone.
    A rerun (a retry, a redelivery after a crash, the sweep) reads the file again and adds the
    rows still missing; two runs at once take the chunks in turn, and the first to finish
    finishes the job for both."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status not in (ImportJob.Status.QUEUED, ImportJob.Status.READING):
            return
        job.status, job.processed_rows = ImportJob.Status.READING, 0
        job.save(update_fields=["status", "processed_rows"])
    try:
        _read_rows(job)
    except DATABASE_UNREACHABLE:
        raise  # the task is tried again (portal.background.Task), the job still "reading"
    except Exception as error:  # whatever went wrong, the job says so and keeps nothing
        logger.warning("import %s: reading failed (%s)", job.pk, type(error).__name__)
        _finish(job, ImportJob.Status.FAILED, error=READ_FAILED)
        return
    counts = job.rows.aggregate(
        total=Count("id"), valid=Count("id", filter=~Q(outcome=Outcome.REJECTED))
    )
    ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.READING).update(
        status=ImportJob.Status.READ,
        total_rows=counts["total"],
        processed_rows=counts["total"],
        valid_rows=counts["valid"],
    )


def _read_rows(job: ImportJob) -> None:
    with job.file.open("rb") as file, first_sheet_rows(file) as (rows, size):
        checker = RowChecker(job, header_positions(next(rows, ())))
        reading = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.READING)
        reading.update(total_rows=max(size - 1, 0))
        numbered = (
            (number, cells) for number, cells in enumerate(rows, start=2) if not is_blank(cells)
        )
        processed = 0
        for chunk in chunks(numbered, CHUNK):
            checked = checker.check(chunk)
            with transaction.atomic():
                # Locked, so another run of this job takes its chunk before or after this one;
                # once the job is read, saved or failed, this run has nothing more to add.
                if not reading.select_for_update().values_list("pk", flat=True):
                    return
                # A row an earlier run saved (same job, same number) is kept as it is.
                ImportRow.objects.bulk_create(checked, ignore_conflicts=True)
                processed += len(chunk)
                reading.update(processed_rows=processed)


def start_commit(job: ImportJob) -> None:
    """Staff asked to save a reviewed job; the caller enqueues `commit` on commit. A second click
    finds the job already saving and changes nothing."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.status in (ImportJob.Status.COMMITTING, ImportJob.Status.DONE):
            raise services.RegistryError(
                "already_saved", _("This list is already being saved or has been saved.")
            )
        if job.status != ImportJob.Status.READ:
            raise services.RegistryError(
                "not_read", _("This list cannot be saved: it was not read.")
            )
        job.status, job.processed_rows = ImportJob.Status.COMMITTING, 0
        job.save(update_fields=["status", "processed_rows"])


def commit(job_id: int) -> None:
    """Save the valid rows of a job being committed, a chunk per transaction. Each chunk moves the
    job's counters in the same transaction, so a rerun goes on where the last run stopped."""
    job = (
        ImportJob.objects.select_related("area", "uploaded_by")
        .filter(pk=job_id, status=ImportJob.Status.COMMITTING)
        .first()
    )
    if job is None:
        return
    conflicts = 0
    try:
        while True:
            try:
                if not _commit_next_chunk(job):
                    break
            except IntegrityError:
                # Someone registered one of these mobiles meanwhile: again, now as updates.
                conflicts += 1
                if conflicts > 3:
                    raise
    except DATABASE_UNREACHABLE:
        raise  # the task is tried again and goes on from the chunk that failed
    except Exception as error:  # the chunks saved so far stay saved, and the job says so
        logger.warning("import %s: saving failed (%s)", job.pk, type(error).__name__)
        _finish(job, ImportJob.Status.FAILED, error=SAVE_FAILED)
        return
    _finish(job, ImportJob.Status.DONE)


def _commit_next_chunk(job: ImportJob) -> bool:
    with transaction.atomic():
        done = (
            ImportJob.objects.select_for_update()
            .values_list("processed_rows", flat=True)
            .get(pk=job.pk)
        )
        rows = list(
            job.rows.exclude(outcome=Outcome.REJECTED).order_by("number")[done : done + CHUNK]
        )
        if not rows:
            return False
        created, updated = _save_workers(job, [row.values for row in rows])
        ImportJob.objects.filter(pk=job.pk).update(
            processed_rows=F("processed_rows") + len(rows),
            created_count=F("created_count") + created,
            updated_count=F("updated_count") + updated,
        )
    return True


def _save_workers(job: ImportJob, rows: list[dict]) -> tuple[int, int]:
    """Create the new workers and update the changed ones among `rows` (valid rows' values), with
    their roles and timeline rows, in a few bulk queries. Unchanged workers get nothing, not even
    a timeline row. Returns (created, updated)."""
    existing = {
        worker.mobile: worker
        for worker in Worker.objects.select_for_update(of=("self",))
        .select_related("area")
        .prefetch_related("roles")
        .filter(mobile__in=[row["mobile"] for row in rows])
    }
    areas = Area.objects.in_bulk({row["area"] for row in rows})
    now = timezone.now()
    new, changed, events, roles, replaced_roles = [], [], [], [], []
    changed_fields = set()
    for row in rows:
        details = {field: row[field] for field in WorkerForm.Meta.fields}
        details["area"] = areas[row["area"]]
        worker = existing.get(row["mobile"])
        if worker is None:
            worker = _new_worker(job, details, now)
            new.append(worker)
            changes = {"roles": [[], row["roles"]]} if row["roles"] else {}
            kind = WorkerEvent.Kind.IMPORTED
        elif job.area is None or worker.area.is_within(job.area):
            changes = services.detail_changes(worker, details)
            held = held_roles(worker)
            if held != row["roles"]:
                changes["roles"] = [held, row["roles"]]
                replaced_roles.append(worker.pk)
            if not changes:
                continue
            changed_fields.update(changes, _apply(job, worker, details, changes, now))
            changed.append(worker)
            kind = WorkerEvent.Kind.UPDATED
        else:
            continue  # moved out of the uploader's area since the list was read
        if "roles" in changes:
            roles += [WorkerRole(worker=worker, role=role) for role in row["roles"]]
        events.append(WorkerEvent(worker=worker, kind=kind, actor=job.uploaded_by, changes=changes))
    Worker.objects.bulk_create(new)
    if changed:
        # Only the columns that changed somewhere in the chunk: each costs a CASE over the chunk.
        Worker.objects.bulk_update(changed, sorted(changed_fields - {"roles"}))
    WorkerRole.objects.filter(worker_id__in=replaced_roles).delete()
    WorkerRole.objects.bulk_create(roles)
    WorkerEvent.objects.bulk_create(events)
    return len(new), len(changed)


def _new_worker(job: ImportJob, details: dict, now) -> Worker:
    """A confirmed worker entered by staff, consenting as the uploader attested for the list."""
    worker = Worker(
        **details,
        status=WorkerStatus.CONFIRMED,
        confirmed_at=now,
        confirmed_by=job.uploaded_by,
        consent_version=job.consent_version,
        consented_at=job.created_at,
        sensitive_consented_at=job.created_at if job.sensitive_consent else None,
    )
    worker.set_derived_fields()  # bulk_create skips save()
    return worker


def _apply(job: ImportJob, worker: Worker, details: dict, changes: dict, now) -> set[str]:
    """Set the new details on the worker; returns the other columns this changes."""
    for field, value in details.items():
        setattr(worker, field, value)
    worker.set_derived_fields()  # bulk_update skips save() and auto_now
    worker.updated_at = now
    also = {"updated_at", "name_pinyin", "name_initials"} if "name" in changes else {"updated_at"}
    if job.sensitive_consent and not worker.sensitive_consented_at:
        worker.sensitive_consented_at = job.created_at
        also.add("sensitive_consented_at")
    return also


def _finish(job: ImportJob, status: str, error: str = "") -> None:
    """Done or failed: the rows and the file go (personal data is kept no longer than needed);
    the counts stay."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.status in (ImportJob.Status.DONE, ImportJob.Status.FAILED):
            return  # a second run of the same job finished it already
        job.rows.all().delete()
        stored = job.file.name
        job.file = ""
        job.status, job.error, job.finished_at = status, error, timezone.now()
        job.save(update_fields=["file", "status", "error", "finished_at"])
        if stored:
            storage = job.file.storage
            transaction.on_commit(lambda: storage.delete(stored))


ABANDONED_AFTER = timedelta(days=7)


def purge_abandoned(now=None) -> int:
    """Uploads left unsaved for a week lose their file and rows, as finished ones do: a survey
    list is personal data and is not kept because someone forgot to press Save."""
    now = now or timezone.now()
    waiting = ImportJob.objects.filter(
        status__in=[ImportJob.Status.QUEUED, ImportJob.Status.READING, ImportJob.Status.READ],
        created_at__lt=now - ABANDONED_AFTER,
    )
    jobs = list(waiting)
    for job in jobs:
        _finish(job, ImportJob.Status.FAILED, error=ABANDONED)
    return len(jobs)


STALLED_AFTER = timedelta(minutes=10)


def stalled(now=None) -> tuple[list[int], list[int]]:
    """The jobs to read and the jobs to save whose task may never have reached a worker (Redis
    was down when it was enqueued) or ran out of retries: uploaded STALLED_AFTER ago and still
    waiting, reading or saving. A 20,000-row list takes well under a minute; a job still running
    after that is run a second time, which is safe (read and commit take their chunks in turn)."""
    waiting = ImportJob.objects.filter(created_at__lt=(now or timezone.now()) - STALLED_AFTER)
    to_read = waiting.filter(status__in=[ImportJob.Status.QUEUED, ImportJob.Status.READING])
    to_save = waiting.filter(status=ImportJob.Status.COMMITTING)
    return (
        list(to_read.order_by("pk").values_list("pk", flat=True)),
        list(to_save.order_by("pk").values_list("pk", flat=True)),
    )


# ---------------------------------------------------------------------------------------------
# The preview


@dataclass
class PreviewRow:
    number: int
    outcome: str
    name: str
    masked_mobile: str
    community: str
    reasons: list[tuple[str, str]]

    @property
    def outcome_label(self) -> str:
        return Outcome(self.outcome).label


def preview(rows: list[ImportRow]) -> list[PreviewRow]:
    """Rows as the review page shows them: mobiles masked, reasons in the reader's language."""
    language = translation.get_language()
    names = dict(
        Area.objects.filter(
            id__in=[row.values["area"] for row in rows if row.outcome != Outcome.REJECTED]
        ).values_list("id", "name")
    )
    return [
        PreviewRow(
            number=row.number,
            outcome=row.outcome,
            name=row.values.get("name", ""),
            masked_mobile=mask_mobile(normalise_mobile(row.values.get("mobile", ""))),
            community=row.values.get("area", "")
            if row.outcome == Outcome.REJECTED
            else names.get(row.values["area"], ""),
            reasons=[
                (
                    error["column"],
                    error["message"].get(language) or next(iter(error["message"].values())),
                )
                for error in row.errors
            ],
        )
        for row in rows
    ]


def outcome_counts(job: ImportJob) -> dict[str, int]:
    """How many rows of each outcome; from the job's counters once the rows are gone."""
    if job.status == ImportJob.Status.DONE:
        return {
            Outcome.NEW: job.created_count,
            Outcome.UPDATE: job.updated_count,
            Outcome.UNCHANGED: job.valid_rows - job.created_count - job.updated_count,
            Outcome.REJECTED: job.total_rows - job.valid_rows,
        }
    counts = dict.fromkeys(Outcome.values, 0)
    counts.update(job.rows.values_list("outcome").annotate(n=Count("id")).order_by())
    return counts
