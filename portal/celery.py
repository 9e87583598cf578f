import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

# Tasks retry transient failures with backoff (portal.background.Task).
app = Celery("portal", task_cls="portal.background:Task")
# Every CELERY_* setting in portal/settings.py configures the app; tasks.py of each app is found.
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
