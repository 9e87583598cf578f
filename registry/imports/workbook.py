"""Reading the uploaded file: the rows of the workbook's first sheet and where each column is."""

import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from openpyxl import load_workbook

from registry.imports.columns import COLUMNS

# Against zip bombs: what the workbook may unpack to (20,000 rows unpack to about 12 MB).
MAX_UNPACKED_BYTES = 200 * 1024 * 1024

NOT_AN_XLSX = _(
    "This is not a readable .xlsx workbook: it may be a renamed CSV or .xls file, or damaged. "
    "Open it in Excel or WPS and save it as “Excel workbook (.xlsx)”."
)


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
