"""The Excel exports of the enterprise ledger and the three rosters (portal.exports): the rows of
each list in a user's scope with its filters, which its page shows too, and each export's column
headings and cells."""

from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.exports import Kind, Table, filtered_table, register
from portal.roles import READERS
from registry.filters import EnterpriseFilter, WorkerFilter
from registry.models import (
    CheckIn,
    Enterprise,
    Occupation,
    Platform,
    PoliticalStatus,
    Worker,
    WorkerRoleKind,
    WorkerStatus,
)
from registry.services import appointments


@dataclass(frozen=True)
class Roster:
    title: Promise
    rows: Q
    party: bool  # shows where and when each member last reported as a party member


ROSTERS = {
    "workers": Roster(gettext_lazy("Workers"), Q(), party=False),
    "party_members": Roster(
        gettext_lazy("Party members"),
        Q(political_status__in=PoliticalStatus.party()),
        party=True,
    ),
    "mobile_party_members": Roster(
        gettext_lazy("Mobile party members"), Q(is_mobile_party_member=True), party=True
    ),
}


def roster_rows(user, roster: Roster, query):
    """The filtered roster in the user's scope, newest first, and its filter set."""
    workers = Worker.objects.in_scope(user).filter(roster.rows)
    filters = WorkerFilter(query, queryset=workers, user=user)
    rows = filters.qs.select_related("area").order_by("-created_at", "-id")
    if roster.party:
        reports = CheckIn.objects.filter(worker=OuterRef("pk"), as_party_member=True).order_by(
            "-created_at"
        )
        rows = rows.annotate(
            reported_at=Subquery(reports.values("created_at")[:1]),
            reported_to=Subquery(reports.values("area__name")[:1]),
        )
    return filters, rows


def roster_table(name: str):
    """The export of one roster for a user and its list's query (portal.exports)."""
    roster = ROSTERS[name]

    def table(user, query) -> Table | None:
        filters, rows = roster_rows(user, roster, query)
        return filtered_table(
            roster.title,
            filters,
            rows,
            roster_header(roster.party),
            lambda rows: roster_lines(rows, roster.party),
        )

    return table


def enterprise_rows(user, query):
    """The filtered enterprise ledger in the user's scope, by name, and its filter set."""
    enterprises = Enterprise.objects.in_scope(user)
    filters = EnterpriseFilter(query, queryset=enterprises, user=user)
    return filters, filters.qs.select_related("area", "parent").order_by("name", "id")


def enterprise_table(user, query) -> Table | None:
    """The export of the enterprise ledger for a user and its list's query (portal.exports)."""
    filters, rows = enterprise_rows(user, query)
    return filtered_table(_("Enterprises"), filters, rows, enterprise_header(), enterprise_lines)


def register_exports() -> None:
    """From RegistryConfig.ready(): the three rosters, each possibly 100,000 rows and more, and
    the enterprise ledger."""
    for name in ROSTERS:
        register(
            f"registry.{name}",
            Kind(roles=READERS, table=roster_table(name), list_url=f"registry:{name}"),
        )
    register(
        "registry.enterprises",
        Kind(roles=READERS, table=enterprise_table, list_url="registry:enterprises"),
    )


def enterprise_header() -> list[str]:
    return [
        _("Name"),
        _("Kind"),
        _("Platform"),
        _("Belongs to"),
        _("Area"),
        _("Address"),
        _("Workforce size"),
        _("Party organisation"),
        _("Party-building instructor"),
        _("Contact person"),
        _("Contact phone"),
    ]


def enterprise_lines(enterprises: QuerySet) -> Iterator[list]:
    for enterprise in enterprises.iterator(chunk_size=2000):
        yield [
            enterprise.name,
            enterprise.get_kind_display(),
            enterprise.get_platform_display(),
            enterprise.parent.name if enterprise.parent else "",
            enterprise.area.name,
            enterprise.address,
            enterprise.workforce,
            enterprise.get_party_organisation_display(),
            enterprise.party_instructor,
            enterprise.contact_name,
            enterprise.contact_phone,
        ]


def roster_header(party: bool) -> list[str]:
    """A party roster adds where and when each member last reported as a party member."""
    header = [
        _("Full name"),
        _("Mobile"),
        _("Occupation"),
        _("Platform or employer"),
        _("Community"),
        _("Political status"),
        _("Party branch"),
        _("Where the membership is held"),
        _("Mobile party member"),
        _("Roles"),
        _("Status"),
        _("Registered at"),
    ]
    if party:
        header += [_("Last reported to"), _("Last reported at")]
    return header


def _labels(choices) -> dict:
    """{code: label} translated once per export: get_FOO_display() per row costs 8 s per
    100,000 rows (docs/BENCHMARKS.md)."""
    return {code: str(label) for code, label in choices}


def roster_lines(workers: QuerySet, party: bool) -> Iterator[list]:
    """A party roster's `workers` are annotated with `reported_to` and `reported_at`."""
    yes, no = _("Yes"), _("No")
    occupations, platforms = _labels(Occupation.choices), _labels(Platform.choices)
    statuses, roles = _labels(WorkerStatus.choices), _labels(WorkerRoleKind.choices)
    political = _labels(PoliticalStatus.choices)
    workers = workers.prefetch_related(appointments.active_roles())
    for worker in workers.iterator(chunk_size=2000):
        line = [
            worker.name,
            worker.mobile,
            occupations[worker.occupation],
            worker.platform_other
            if worker.platform == Platform.OTHER
            else platforms[worker.platform],
            worker.area.name,
            political[worker.political_status],
            worker.party_branch,
            worker.membership_held_at,
            yes if worker.is_mobile_party_member else no,
            "、".join(roles[role.role] for role in worker.roles.all()),
            statuses[worker.status],
            timezone.localtime(worker.created_at).strftime("%Y-%m-%d %H:%M"),
        ]
        if party:
            line += [
                worker.reported_to or "",
                timezone.localtime(worker.reported_at).strftime("%Y-%m-%d %H:%M")
                if worker.reported_at
                else "",
            ]
        yield line
