"""Excel downloads: openpyxl's write-only mode, so memory stays flat whatever the row count."""

import tempfile
from collections.abc import Iterable

from django.http import FileResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

# A cell starting with one of these is a formula to Excel (and to LibreOffice and WPS):
# `=HYPERLINK(...)` typed into a name field must arrive as text (CSV/formula injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value, sheet=None):
    """`value` ready for `append`: text that Excel would take for a formula (`=1+2`, `+86 138…`)
    becomes a text cell with Excel's own quote-prefix style, so it shows and edits as the text it
    is, without an apostrophe in front. Anything else is returned unchanged. A write-only sheet
    must be given; an ordinary worksheet adopts the cell when it is appended."""
    if not (isinstance(value, str) and value.startswith(FORMULA_STARTS)):
        return value
    cell = WriteOnlyCell(sheet, value)
    cell.data_type = "s"  # openpyxl takes "=…" for a formula
    cell.quotePrefix = True
    return cell


def workbook(sheet_title: str, header: list, rows: Iterable) -> Workbook:
    """A write-only workbook of one sheet: openpyxl writes each row out as it comes."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(sheet_title[:31])
    sheet.append(header)
    for row in rows:
        sheet.append([safe_cell(value, sheet) for value in row])
    return book


def xlsx_response(filename: str, sheet_title: str, header: list, rows: Iterable) -> FileResponse:
    """Write the rows to a temporary file on disk and stream it to the client in chunks."""
    return workbook_response(workbook(sheet_title, header, rows), filename)


def workbook_response(workbook: Workbook, filename: str) -> FileResponse:
    spool = tempfile.TemporaryFile()  # noqa: SIM115  (FileResponse closes it)
    workbook.save(spool)
    spool.seek(0)
    return FileResponse(
        spool,
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
