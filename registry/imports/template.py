"""The blank survey list staff download: the headings, a notes sheet and two examples."""

from io import BytesIO

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from registry.imports.columns import COLUMNS, in_language
from registry.models import Occupation, Platform, PoliticalStatus, WorkerRoleKind

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
        cell.comment = Comment(
            f"{in_language('en', column.label)}: {in_language('en', column.notes)}", "Portal"
        )
        letter = cell.column_letter
        sheet.column_dimensions[letter].width = 24 if column.field == "area" else 16
        if column.field in ("mobile", "id_number", "area"):
            sheet.column_dimensions[letter].number_format = "@"  # keep long numbers as text
        if column.choices and column.field != "roles":
            labels = ",".join(in_language("zh-hans", label) for label in column.choices.labels)
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
                f"{in_language('zh-hans', label)} ({code})"
                for code, label in column.choices.choices
            )
        notes.append(
            [
                column.header,
                in_language("en", column.label),
                in_language("zh-hans", column.notes),
                in_language("en", column.notes),
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
        choices: {code: in_language("zh-hans", label) for code, label in choices.choices}
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
