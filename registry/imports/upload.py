"""The upload form: a file that is no survey list is refused before any job exists."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from registry.imports.workbook import NOT_AN_XLSX, first_sheet_rows, header_positions, is_blank

MAX_UPLOAD_BYTES = 10 * 1024 * 1024


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
