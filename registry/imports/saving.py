"""Applying the valid rows: new workers created and changed ones updated, a chunk at a time."""

from django.db.models import Q
from django.utils import timezone

from portal.models import Area
from registry import services
from registry.forms import WorkerForm
from registry.imports.checking import held_roles
from registry.models import ImportJob, Worker, WorkerEvent, WorkerRole, WorkerStatus
from registry.services import appointments


def save_workers(job: ImportJob, rows: list[dict]) -> tuple[int, int]:
    """Create the new workers and update the changed ones among `rows` (valid rows' values), with
    their roles and timeline rows, in a few bulk queries. Unchanged workers get nothing, not even
    a timeline row. Returns (created, updated)."""
    existing = {
        worker.mobile: worker
        for worker in Worker.objects.select_for_update(of=("self",))
        .select_related("area")
        .prefetch_related(appointments.active_roles())
        .filter(mobile__in=[row["mobile"] for row in rows])
    }
    areas = Area.objects.in_bulk({row["area"] for row in rows})
    now = timezone.now()
    today = timezone.localdate()
    new, changed, events, roles, ended_roles = [], [], [], [], Q(pk__in=[])
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
                ended_roles |= Q(worker=worker) & ~Q(role__in=row["roles"])
            if not changes:
                continue
            changed_fields.update(changes, _apply(job, worker, details, changes, now))
            changed.append(worker)
            kind = WorkerEvent.Kind.UPDATED
        else:
            continue  # moved out of the uploader's area since the list was read
        if "roles" in changes:
            added = set(row["roles"]) - set(changes["roles"][0])
            roles += [
                WorkerRole(worker=worker, role=role, area=worker.area, starts_on=today)
                for role in sorted(added)
            ]
        events.append(WorkerEvent(worker=worker, kind=kind, actor=job.uploaded_by, changes=changes))
    Worker.objects.bulk_create(new)
    if changed:
        # Only the columns that changed somewhere in the chunk: each costs a CASE over the chunk.
        Worker.objects.bulk_update(changed, sorted(changed_fields - {"roles"}))
    # Roles the list no longer gives end today; appointments whose term ran out close on their
    # last day, so a role given again opens a new one.
    touched = WorkerRole.objects.filter(worker__in=changed)
    appointments.close_lapsed(touched, today)
    touched.filter(ended_roles, ended_on__isnull=True).update(ended_on=today)
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
    if "id_number" in changes:
        also.add("id_number_hash")
    if job.sensitive_consent and not worker.sensitive_consented_at:
        worker.sensitive_consented_at = job.created_at
        also.add("sensitive_consented_at")
    return also
