from celery import shared_task
from django.core.management import call_command
from django.utils import timezone

from portal import accounts, exports


@shared_task
def clear_expired_sessions():
    """Delete expired staff sessions (scheduled daily by a django-celery-beat periodic task)."""
    call_command("clearsessions")


@shared_task
def upkeep_accounts():
    """Daily: disable the staff accounts unused for ACCOUNT_INACTIVE_DAYS and delete the security
    log's rows older than AUDIT_LOG_RETENTION_DAYS (portal.accounts)."""
    now = timezone.now()
    disabled = accounts.disable_unused(now)
    purged = accounts.purge_audit_log(now)
    return {"disabled": len(disabled), "purged": purged}


@shared_task
def write_export(job_id: int) -> None:
    """Write a large export's file (portal.exports.run); safe to run twice."""
    exports.run(job_id)


@shared_task
def sweep_exports() -> dict:
    """Every 10 minutes (migration 0011): exports whose worker died fail visibly, lost ones are
    sent again, files past EXPORT_KEEP_HOURS are deleted."""
    return exports.sweep(timezone.now())
