"""The review page: the rows as staff see them before saving, and the count of each outcome."""

from dataclasses import dataclass

from django.db.models import Count
from django.utils import translation

from portal.mobile import normalise_mobile
from portal.models import Area
from portal.privacy import mask_mobile
from registry.models import ImportJob, ImportRow

Outcome = ImportRow.Outcome


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
