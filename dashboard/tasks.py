from celery import shared_task
from django.conf import settings

from dashboard import refresh

# The names the beat schedules stored by migration 0002 call; they predate the app's move out of
# portal/, so they are given here rather than taken from the module path.


@shared_task(name="portal.dashboard.tasks.refresh_dashboard")
def refresh_dashboard() -> int:
    """The current figures and those of yesterday and today (beat: every few minutes)."""
    return refresh.refresh_recent(2).rows


@shared_task(name="portal.dashboard.tasks.settle_dashboard")
def settle_dashboard() -> int:
    """The last weeks again (beat: nightly): a safety net for a later change in the apps' tables
    that no recount caught, such as a station's kind changed (moves and reopened suggestions are
    recounted at once: `refresh.touched_days`)."""
    return refresh.refresh_recent(settings.DASHBOARD_SETTLE_DAYS).rows
