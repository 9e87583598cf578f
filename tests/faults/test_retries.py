"""Tasks that fail for a moment are retried with backoff, and a retry after a partial run, or a
second run of the same task, never applies its effect twice: no second text or inbox message, no
state changed twice, no worker or ledger entry saved twice.

Tasks run in this process (eager), where Celery makes each retry at once instead of after its
countdown; the countdowns are checked separately."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.db import OperationalError
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnreachable
from redis.exceptions import ConnectionError as RedisConnectionError

from feedback import followup
from feedback.models import Event, State, Suggestion
from feedback.tasks import follow_up
from points.models import Entry, EntryKind
from points.services import activities
from points.services.ledger import award, balance
from points.tasks import remind_activities
from portal import qr
from portal.celery import app as celery_app
from portal.models import Notification
from registry import care
from registry.imports import checking, jobs, saving
from registry.models import ImportJob, ImportRow, Worker
from registry.tasks import commit_import, read_import, remind_care_visits
from stations.tasks import make_qr_codes
from tests import sms
from tests.factories import (
    ActivityFactory,
    CareVisitFactory,
    StationFactory,
    SuggestionFactory,
    WorkerFactory,
)
from tests.registry.test_import import person, xlsx

pytestmark = pytest.mark.django_db

APPS = ("portal.", "registry.", "stations.", "points.", "feedback.")


@pytest.fixture(autouse=True)
def in_process(eager_tasks, monkeypatch):
    """Also on CI's pass with a Redis broker; a failure is the result's, raised by .get(), as a
    worker would record it, so that Celery makes the retries instead of raising the first."""
    monkeypatch.setitem(celery_app.conf, "task_eager_propagates", False)


def failing_once(figure, function, error, *, on_call=1):
    """`function`, except that its `on_call`-th call raises `error` (a transient fault)."""
    calls = []

    def wrapped(*args, **kwargs):
        calls.append(args)
        if len(calls) == on_call:
            figure.fault(f"task failure ({type(error).__name__})")
            raise error
        return function(*args, **kwargs)

    wrapped.calls = calls
    return wrapped


def project_tasks():
    celery_app.loader.import_default_modules()
    return {name: task for name, task in celery_app.tasks.items() if name.startswith(APPS)}


def test_every_task_of_the_portal_retries_transient_failures_with_backoff():
    tasks = project_tasks()
    assert "stations.tasks.sweep_qr_codes" in tasks and "registry.tasks.sweep_imports" in tasks
    for name, task in tasks.items():
        for error in (OperationalError, RedisConnectionError, BrokerUnreachable, OSError):
            assert issubclass(error, task.autoretry_for), (name, error)
        assert (task.retry_backoff, task.retry_backoff_max, task.max_retries) == (5, 600, 6), name
        assert task.retry_jitter, name


def test_a_retry_waits_longer_each_time_within_the_backoff(monkeypatch, tree, figure):
    countdowns = []
    retry = celery_app.Task.retry

    def recording(self, *args, **kwargs):
        countdowns.append(kwargs["countdown"])
        return retry(self, *args, **kwargs)

    monkeypatch.setattr(celery_app.Task, "retry", recording)
    failing = failing_once(figure, care.remind_due_visits, OperationalError("gone"))
    failing_twice = failing_once(figure, failing, OperationalError("gone"))
    monkeypatch.setattr("registry.tasks.remind_due_visits", failing_twice)
    remind_care_visits.apply().get()
    assert len(countdowns) == 2
    assert 0 <= countdowns[0] <= 5 and 0 <= countdowns[1] <= 10


def test_a_task_failing_every_time_stops_after_six_retries(monkeypatch, figure):
    attempts = []

    def down(today):
        attempts.append(today)
        raise OperationalError("the database is down")

    monkeypatch.setattr("registry.tasks.remind_due_visits", down)
    figure.fault("task failure (OperationalError)", 7)
    with pytest.raises(OperationalError):
        remind_care_visits.apply().get()
    assert len(attempts) == 7


def test_activity_reminders_retried_after_a_failed_text_reach_each_rider_once(
    tree, staff_a, settings, monkeypatch, figure
):
    settings.SMS_BACKEND = "tests.sms.RecordingBackend"
    sms.outbox.clear()
    activity = ActivityFactory(area=tree.community_a, created_by=staff_a)
    riders = [
        WorkerFactory(mobile=f"1390000100{n}", status="confirmed", area=tree.community_a)
        for n in range(3)
    ]
    for rider in riders:
        activities.sign_up(activity, rider)
    # The provider's network fails on the second text: the first rider's is sent and recorded.
    send = failing_once(figure, activities.send_sms, OSError("provider unreachable"), on_call=2)
    monkeypatch.setattr(activities, "send_sms", send)
    assert remind_activities.apply().get() == 2  # the retry reminds the two left
    assert remind_activities.apply().get() == 0
    assert sorted(mobile for mobile, _text in sms.outbox) == [rider.mobile for rider in riders]


def test_care_reminders_retried_after_a_lost_connection_reach_each_visit_once(
    tree, staff_a, monkeypatch, figure
):
    today = timezone.localdate()
    visits = [
        CareVisitFactory(
            worker=WorkerFactory(area=tree.community_a, party_member=True),
            due_on=today,
            responsible=staff_a,
        )
        for _ in range(3)
    ]
    lost = OperationalError("server closed the connection unexpectedly")
    monkeypatch.setattr(care, "notify", failing_once(figure, care.notify, lost, on_call=2))
    remind_care_visits.apply().get()
    remind_care_visits.apply().get()
    assert Notification.objects.filter(user=staff_a).count() == len(visits)


def test_the_follow_up_retried_part_way_closes_each_unrated_suggestion_once(
    tree, monkeypatch, figure
):
    resolved = timezone.now() - timedelta(days=30)
    suggestions = [
        SuggestionFactory(area=tree.community_a, state=State.RESOLVED, resolved_at=resolved)
        for _ in range(3)
    ]
    close = followup.services.close_unrated
    monkeypatch.setattr(
        followup.services,
        "close_unrated",
        failing_once(figure, close, OperationalError("deadlock detected"), on_call=2),
    )
    follow_up.apply().get()
    follow_up.apply().get()
    for suggestion in suggestions:
        suggestion.refresh_from_db()
        assert suggestion.state == State.CLOSED
        assert suggestion.events.filter(kind=Event.Kind.CLOSED).count() == 1
    assert Suggestion.objects.filter(state=State.CLOSED).count() == 3


def test_qr_codes_retried_after_a_failed_write_are_made_once(tree, media, monkeypatch, figure):
    station = StationFactory(area=tree.community_a)
    svg = failing_once(figure, qr.svg, OSError("No space left on device"))
    monkeypatch.setattr(qr, "svg", svg)
    make_qr_codes.apply(args=[station.pk]).get()
    station.refresh_from_db()
    assert station.qr_token == station.token
    made = (station.qr_png.name, station.qr_svg.name)
    storage = station.qr_png.storage
    assert all(storage.exists(name) for name in made)
    assert sorted(storage.listdir("qr")[1]) == sorted(name.split("/")[1] for name in made)
    make_qr_codes.apply(args=[station.pk]).get()
    station.refresh_from_db()
    assert (station.qr_png.name, station.qr_svg.name) == made


def survey_job(staff_a, tree, rows: int) -> ImportJob:
    job = ImportJob.objects.create(
        uploaded_by=staff_a, area=tree.community_a, original_name="list.xlsx"
    )
    people = (person(mobile=f"1390000{n:04d}") for n in range(rows))
    job.file.save("list.xlsx", ContentFile(xlsx(*people)))
    return job


@pytest.fixture
def small_chunks(monkeypatch, media):
    monkeypatch.setattr(jobs, "CHUNK", 2)


def test_reading_retried_after_a_lost_connection_reads_each_row_once(
    tree, staff_a, small_chunks, monkeypatch, figure
):
    job = survey_job(staff_a, tree, 5)
    bulk_create = ImportRow.objects.bulk_create
    monkeypatch.setattr(
        ImportRow.objects,
        "bulk_create",
        failing_once(figure, bulk_create, OperationalError("terminating connection"), on_call=2),
    )
    read_import.apply(args=[job.pk]).get()
    job.refresh_from_db()
    assert (job.status, job.total_rows, job.valid_rows) == (ImportJob.Status.READ, 5, 5)
    assert sorted(job.rows.values_list("number", flat=True)) == [2, 3, 4, 5, 6]


def test_two_reads_of_one_list_at_once_read_each_row_once(tree, staff_a, small_chunks, monkeypatch):
    job = survey_job(staff_a, tree, 5)
    check = checking.RowChecker.check
    second_run = []

    def check_and_meanwhile_run_again(self, chunk):
        if not second_run:  # a redelivery, or the sweep, runs the same job in between
            second_run.append(True)
            jobs.read(job.pk)
        return check(self, chunk)

    monkeypatch.setattr(checking.RowChecker, "check", check_and_meanwhile_run_again)
    jobs.read(job.pk)
    job.refresh_from_db()
    assert (job.status, job.total_rows, job.processed_rows) == (ImportJob.Status.READ, 5, 5)
    assert job.rows.count() == 5


def read_and_start_saving(staff_a, tree, rows: int) -> ImportJob:
    job = survey_job(staff_a, tree, rows)
    jobs.read(job.pk)
    jobs.start_commit(job)
    return job


def test_saving_retried_after_a_lost_connection_saves_each_worker_once(
    tree, staff_a, small_chunks, monkeypatch, figure
):
    job = read_and_start_saving(staff_a, tree, 5)
    save = failing_once(figure, saving.save_workers, OperationalError("gone"), on_call=2)
    monkeypatch.setattr(saving, "save_workers", save)
    commit_import.apply(args=[job.pk]).get()
    commit_import.apply(args=[job.pk]).get()
    job.refresh_from_db()
    assert (job.status, job.created_count, job.updated_count) == (ImportJob.Status.DONE, 5, 0)
    assert Worker.objects.count() == 5


def test_two_saves_of_one_list_at_once_save_each_worker_once(
    tree, staff_a, small_chunks, monkeypatch
):
    job = read_and_start_saving(staff_a, tree, 5)
    next_chunk = jobs._commit_next_chunk
    second_run = []

    def chunk_and_meanwhile_run_again(job):
        more = next_chunk(job)
        if not second_run:  # between two chunks of the first run, a second run does it all
            second_run.append(True)
            jobs.commit(job.pk)
        return more

    monkeypatch.setattr(jobs, "_commit_next_chunk", chunk_and_meanwhile_run_again)
    jobs.commit(job.pk)
    job.refresh_from_db()
    finished = job.finished_at
    assert (job.status, job.created_count, job.error) == (ImportJob.Status.DONE, 5, "")
    assert Worker.objects.count() == 5
    jobs.commit(job.pk)
    job.refresh_from_db()
    assert job.finished_at == finished  # finished once


def test_points_for_one_cause_are_awarded_once_however_often_it_is_asked(tree):
    worker = WorkerFactory(area=tree.community_a, status="confirmed")
    for _ in range(3):
        award(worker, 10, EntryKind.HAZARD_ACCEPTED, cause="feedback.suggestion:42")
    assert balance(worker) == 10
    assert Entry.objects.filter(worker=worker).count() == 1
