from celery import shared_task
from django.core.management import call_command


@shared_task
def clear_expired_sessions():
    """Delete expired staff sessions (scheduled daily by a django-celery-beat periodic task)."""
    call_command("clearsessions")
