import time
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from portal.celery import app as celery_app
from portal.tasks import clear_expired_sessions
from tests.webprocess import wait_for


def make_sessions():
    now = timezone.now()
    Session.objects.create(session_key="expired", session_data="", expire_date=now - timedelta(1))
    Session.objects.create(session_key="current", session_data="", expire_date=now + timedelta(1))


@pytest.mark.django_db
def test_clearing_sessions_removes_only_expired_ones():
    make_sessions()
    clear_expired_sessions.apply()  # in this process; the services test below uses a worker
    assert list(Session.objects.values_list("session_key", flat=True)) == ["current"]


def test_tasks_of_every_app_are_discovered():
    celery_app.loader.import_default_modules()
    assert "portal.tasks.clear_expired_sessions" in celery_app.tasks


@pytest.mark.django_db
def test_session_cleanup_is_scheduled_with_celery_beat():
    task = PeriodicTask.objects.get(task="portal.tasks.clear_expired_sessions")
    assert task.enabled
    assert (task.crontab.hour, task.crontab.minute) == ("3", "30")


@pytest.mark.django_db
def test_every_schedule_the_migrations_store_names_a_registered_task():
    celery_app.loader.import_default_modules()
    scheduled = set(PeriodicTask.objects.values_list("task", flat=True))
    assert "portal.dashboard.tasks.refresh_dashboard" in scheduled  # stored before the app moved
    assert scheduled <= set(celery_app.tasks)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_a_task_sent_through_redis():
    from celery.contrib.testing.worker import start_worker

    assert not celery_app.conf.task_always_eager
    assert celery_app.conf.broker_url.startswith("redis://")
    make_sessions()
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        result = clear_expired_sessions.apply_async()
        deadline = timezone.now() + timedelta(seconds=20)
        while Session.objects.filter(session_key="expired").exists():
            assert timezone.now() < deadline, f"the worker did not run task {result.id}"
            time.sleep(0.1)
    assert list(Session.objects.values_list("session_key", flat=True)) == ["current"]


@pytest.fixture
def every_queue_afterwards():
    """A worker started with queues (`-Q`) narrows the app's own list of queues to consume for
    the rest of the process: a worker started after it by another test would take only those."""
    yield
    celery_app.amqp.queues.select(list(celery_app.amqp.queues))


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_worker_on_the_quick_queue_is_not_held_up_by_heavy_work(
    tree, media, every_queue_afterwards
):
    """Reminders and texts go to `quick`, QR codes (and imports, recounts) to `heavy`: a worker
    of each (docker-compose.yml), so a long import never delays this morning's reminders."""
    from celery.contrib.testing.worker import start_worker

    from stations.models import Station
    from stations.tasks import make_qr_codes
    from tests.factories import StationFactory

    station = StationFactory(area=tree.community_a)
    assert station.qr_token != station.token  # its codes are not made yet
    make_sessions()
    worker = {"pool": "solo", "perform_ping_check": False, "shutdown_timeout": 10}
    with start_worker(celery_app, queues=["quick"], **worker):
        make_qr_codes.delay(station.pk)
        clear_expired_sessions.delay()
        wait_for(
            lambda: not Session.objects.filter(session_key="expired").exists(),
            20,
            "the quick worker ran the quick task",
        )
        time.sleep(1)
        assert Station.objects.get(pk=station.pk).qr_token != station.token  # still waiting
    with start_worker(celery_app, queues=["heavy"], **worker):
        wait_for(
            lambda: Station.objects.get(pk=station.pk).qr_token == station.token,
            20,
            "the heavy worker made the QR codes",
        )


def test_every_task_goes_to_a_queue_a_worker_consumes():
    celery_app.loader.import_default_modules()
    ours = [name for name in celery_app.tasks if not name.startswith("celery.")]
    queues = {name: celery_app.amqp.router.route({}, name)["queue"].name for name in ours}
    assert set(queues.values()) == set(celery_app.amqp.queues) == {"quick", "heavy"}
    for reminder in (
        "registry.tasks.remind_care_visits",
        "points.tasks.remind_activities",
        "feedback.tasks.follow_up",
        "feedback.tasks.follow_up_desk",
        "feedback.tasks.send_rider_text",
        "feedback.tasks.sweep_rider_texts",
    ):
        assert queues[reminder] == "quick", reminder
    for heavy in (
        "registry.tasks.read_import",
        "registry.tasks.commit_import",
        "stations.tasks.make_qr_codes",
        "feedback.tasks.delete_expired_photos",
        "feedback.tasks.process_suggestion_photo",
        "feedback.tasks.process_task_photo",
        "portal.dashboard.tasks.refresh_dashboard",
        "portal.tasks.write_export",
    ):
        assert queues[heavy] == "heavy", heavy
