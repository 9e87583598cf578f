from celery import shared_task
from django.conf import settings

from portal.dashboard import refresh


@shared_task
def refresh_dashboard() -> int:
    """The current figures and those of yesterday and today (beat: every few minutes)."""
    return refresh.refresh_recent(2).rows


@shared_task
def settle_dashboard() -> int:
    """The last weeks again (beat: nightly): a safety net for a later change in the apps' tables
    that no recount caught, such as a station's kind changed (moves and reopened suggestions are
    recounted at once: `refresh.touched_days`)."""
    return refresh.refresh_recent(settings.DASHBOARD_SETTLE_DAYS).rows
