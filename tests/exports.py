"""An exported Excel file as the tests read it."""

from io import BytesIO

from openpyxl import load_workbook


def rows_of(response) -> list[list]:
    """The rows of a workbook sent as an attachment, the heading first."""
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"].startswith("attachment;")
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]
