"""The dashboard as an Excel workbook for upward reporting: an overview sheet, then one sheet per
section with a row per child area and the total, the trends over the period and the overdue tasks by
department. Every number comes from the same `Summary` as the page."""

from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from dashboard.sections import (
    COUNT,
    DECIMAL,
    HEADLINE_NOW,
    HEADLINE_PERIOD,
    PERCENT,
    RATE,
    headline,
    tables,
)
from dashboard.summary import TRENDS, Summary
from portal import xlsx
from portal.xlsx import safe_cell

NUMBER_FORMATS = {PERCENT: "0.0%", DECIMAL: "0.0"}
BOLD = Font(bold=True)


def area_name(summary: Summary) -> str:
    return summary.area.name if summary.area else _("All areas")


def own_share_label(summary: Summary) -> str:
    return _("%(area)s itself") % {"area": area_name(summary)}


def workbook(summary: Summary) -> Workbook:
    book = Workbook()
    overview = book.active
    overview.title = _("Overview")
    refreshed = summary.refreshed
    for label, value in [
        (_("Dashboard of"), area_name(summary)),
        (_("Division code"), summary.area.code if summary.area else ""),
        (_("Period from"), summary.period.start),
        (_("Period to"), summary.period.end),
        (
            _("Figures counted at"),
            timezone.localtime(refreshed.started_at).replace(tzinfo=None) if refreshed else "",
        ),
        (_("Exported at"), timezone.localtime().replace(tzinfo=None)),
    ]:
        overview.append([label, safe_cell(value)])
        overview.cell(overview.max_row, 1).font = BOLD
    for title, columns in [
        (_("In the period"), HEADLINE_PERIOD),
        (_("Now (as of the last count)"), HEADLINE_NOW),
    ]:
        overview.append([])
        _heading(overview, [title])
        for label, value, kind in headline(summary, columns):
            _append(overview, str(label), [(value, kind)])
    overview.column_dimensions["A"].width = 22
    overview.column_dimensions["B"].width = 24

    for table in tables(summary):
        sheet = book.create_sheet(str(table.section.sheet)[:31])
        _heading(sheet, [str(table.section.title)])
        _heading(sheet, [_("Area"), *column_labels(table.section.columns)])
        for area, values in table.rows:
            _append(sheet, area.name if area else own_share_label(summary), values)
        _append(sheet, _("Total"), table.total, bold=True)
        if table.section.note:
            sheet.append([])
            sheet.append([str(table.section.note)])
        if table.section.definitions:
            sheet.append([])
            for term, meaning in table.section.definitions:
                sheet.append([str(term), str(meaning)])
        sheet.column_dimensions["A"].width = 24

    trends = book.create_sheet(_("Trends"))
    first = _("Week from") if summary.by_week else _("Day")
    _heading(trends, [first, *(str(label) for label in TRENDS.values())])
    for i, start in enumerate(summary.bars):
        trends.append([start, *(summary.trends[name][i] for name in TRENDS)])
    trends.column_dimensions["A"].width = 14

    departments = book.create_sheet(_("Overdue tasks"))
    _heading(departments, [_("Department"), _("Overdue tasks")])
    for name, count in summary.departments:
        departments.append([safe_cell(name), count])
    departments.column_dimensions["A"].width = 30
    return book


def column_labels(columns) -> list[str]:
    """A rate takes three columns: the rate, and the two counts it is worked out from."""
    labels = []
    for column in columns:
        labels.append(str(column.label))
        if column.format == RATE:
            labels += [
                _("%(rate)s: counted") % {"rate": column.label},
                _("%(rate)s: out of") % {"rate": column.label},
            ]
    return labels


def spread(cells) -> list[tuple]:
    """(value, format) cells with each rate spread over its three columns."""
    spread = []
    for value, kind in cells:
        if kind == RATE:
            spread += [(value.value, PERCENT), (value.part, COUNT), (value.whole, COUNT)]
        else:
            spread.append((value, kind))
    return spread


def _heading(sheet, labels):
    sheet.append(labels)
    _embolden(sheet)


def _embolden(sheet):
    """The last row in bold."""
    for cell in sheet[sheet.max_row]:
        cell.font = BOLD


def _append(sheet, label, cells, bold=False):
    cells = spread(cells)
    sheet.append([safe_cell(label), *(value for value, _kind in cells)])
    for cell, (_value, kind) in zip(sheet[sheet.max_row][1:], cells, strict=True):
        cell.number_format = NUMBER_FORMATS.get(kind, "#,##0")
    if bold:
        _embolden(sheet)


def filename(summary: Summary) -> str:
    code = summary.area.code if summary.area else "all"
    return f"dashboard-{code}-{summary.period.start:%Y%m%d}-{summary.period.end:%Y%m%d}.xlsx"


def workbook_response(summary: Summary) -> FileResponse:
    return xlsx.workbook_response(workbook(summary), filename(summary))
