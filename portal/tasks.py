from celery import shared_task
from django.core.management import call_command
from django.utils import timezone

from portal import accounts


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
