"""Two beat processes started by mistake send every periodic task twice, at the same moment: each
reminder and each text still goes out once. Each reminder is claimed by locking its row with
SKIP LOCKED and marking it in the same transaction, and the claim looks again once it holds the
lock (feedback.followup, feedback.texts, registry.care, points.services.activities)."""

import json
from datetime import date, datetime, time, timedelta
from inspect import getsource

import pytest
from django.apps import apps
from django.core import mail
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations import RunPython
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from feedback.models import SuggestionText
from points.services import activities
from portal.celery import app as celery_app
from portal.models import Notification
from tests.factories import (
    ActivityFactory,
    CareVisitFactory,
    SuggestionFactory,
    TaskFactory,
    WorkerFactory,
)
from tests.races import race

THURSDAY = date(2026, 4, 30)  # a working day, the day before the Labour Day holiday


@pytest.fixture
def morning(monkeypatch):
    """Thursday at ten: in working hours, so the desk's follow-up acts too."""
    now = timezone.make_aware(datetime.combine(THURSDAY, time(10)))
    monkeypatch.setattr(timezone, "now", lambda: now)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: THURSDAY)
    return now


@pytest.fixture
def schedules():
    """The schedules the migrations store (their RunPython functions that write PeriodicTask
    rows, all get_or_create), stored again: a transactional test earlier in the same process
    flushed them with every other row."""
    for migration in MigrationLoader(None, ignore_no_migrations=True).disk_migrations.values():
        for operation in migration.operations:
            if isinstance(operation, RunPython) and "PeriodicTask" in getsource(operation.code):
                operation.code(apps, None)
    assert PeriodicTask.objects.filter(task="registry.tasks.remind_care_visits").exists()


def run_every_periodic_task():
    """What one beat sends: every enabled schedule the migrations stored, run here."""
    for periodic in PeriodicTask.objects.filter(enabled=True).order_by("name"):
        if periodic.task.startswith("celery."):
            continue
        task = celery_app.tasks[periodic.task]
        task.apply(args=json.loads(periodic.args), kwargs=json.loads(periodic.kwargs), throw=True)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_beats_at_once_send_each_reminder_and_text_once(
    morning, tree, staff_a, department_x, texts, eager_tasks, media, schedules
):
    staff_a.email = "alice@example.gov.cn"
    staff_a.save(update_fields=["email"])
    visit = CareVisitFactory(
        worker=WorkerFactory(area=tree.community_a, party_member=True),
        responsible=staff_a,
        due_on=THURSDAY + timedelta(days=1),
    )
    rider = WorkerFactory(area=tree.community_a, mobile="13800000021", status="confirmed")
    activity = ActivityFactory(
        area=tree.community_a,
        starts_at=morning + timedelta(days=1),
        sign_up_deadline=morning + timedelta(hours=6),
    )
    activities.sign_up(activity, rider)
    task = TaskFactory(
        suggestion=SuggestionFactory(area=tree.community_a, state="accepted"),
        department=department_x,
        due_on=THURSDAY,
    )
    hazard = SuggestionFactory(
        area=tree.community_a,
        category="hazard",
        state="resolved",
        resolved_at=morning - timedelta(days=20),
        mobile="13900000022",
    )

    celery_app.loader.import_default_modules()  # every app's tasks, as a worker has them
    race([run_every_periodic_task, run_every_periodic_task])

    assert Notification.objects.filter(user=staff_a, url__contains=f"/{visit.pk}/").count() == 1
    assert [message.to for message in mail.outbox if str(visit.worker) in message.subject] == [
        ["alice@example.gov.cn"]
    ]
    assert [mobile for mobile, _text in texts if mobile == rider.mobile] == [rider.mobile]
    handler = department_x.handlers.get()
    assert Notification.objects.filter(user=handler, url__contains=f"/{task.pk}/").count() == 1
    assert SuggestionText.objects.filter(suggestion=hazard, kind="ask_if_fixed").count() == 1
    assert [mobile for mobile, _text in texts if mobile == hazard.mobile] == [hazard.mobile]
