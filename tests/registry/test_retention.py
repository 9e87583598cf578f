"""Retention: a worker who left or withdrew consent is anonymised REGISTRY_ANONYMISE_AFTER_DAYS
after leaving (registry.services.anonymise_departed, a nightly beat task)."""

import logging
from datetime import datetime, timedelta

import pytest
from django.utils import timezone, translation
from django_celery_beat.models import PeriodicTask

from portal.celery import app as celery_app
from registry import services
from registry.models import CheckIn, Worker, WorkerEvent, WorkerStatus
from registry.tasks import anonymise_departed_workers
from tests.factories import CareVisitFactory, WorkerFactory

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime(2027, 6, 1, 4, 15))


@pytest.fixture(autouse=True)
def a_year(settings):
    settings.REGISTRY_ANONYMISE_AFTER_DAYS = 365


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def days_ago(days: int) -> datetime:
    return NOW - timedelta(days=days)


def departed(area, days: int, **fields) -> Worker:
    return WorkerFactory(area=area, status=WorkerStatus.LEFT, left_at=days_ago(days), **fields)


def test_a_worker_who_left_longer_ago_than_the_period_is_anonymised_by_the_system(tree):
    worker = departed(
        tree.community_a,
        366,
        name="张三",
        mobile="13800000001",
        party_member=True,
        id_number="11010519491231002X",
    )
    worker.events.create(kind=WorkerEvent.Kind.UPDATED, changes={"name": ["张山", "张三"]})
    CheckIn.objects.create(
        worker=worker, area=tree.community_a, channel="self", created_at=days_ago(700)
    )
    visit = CareVisitFactory(worker=worker, trigger_notes="家里有老人生病")

    assert services.anonymise_departed(NOW) == 1

    worker.refresh_from_db()
    assert worker.anonymised_at
    assert (worker.name, worker.id_number, worker.party_branch) == ("", "", "")
    assert not worker.mobile.startswith("1")
    # The counts stay: the community, the party membership, the check-ins.
    assert (worker.area, worker.political_status) == (tree.community_a, "party_member")
    assert worker.check_ins.count() == 1
    visit.refresh_from_db()
    assert visit.trigger_notes == "" and visit.closed_at
    # The timeline says the system did it, and why; the old values are gone from it.
    event = worker.events.get(kind=WorkerEvent.Kind.ANONYMISED)
    assert event.actor is None
    assert event.readable_changes() == [
        ("Reason", "—", "Erased automatically 365 days after leaving")
    ]
    assert not worker.events.exclude(pk=event.pk).exclude(changes={}).exists()


def test_a_worker_who_withdrew_consent_long_ago_is_anonymised_too(tree):
    worker = WorkerFactory(area=tree.community_a)
    services.withdraw_consent(worker)
    Worker.objects.filter(pk=worker.pk).update(left_at=days_ago(400))
    assert services.anonymise_departed(NOW) == 1
    worker.refresh_from_db()
    assert worker.anonymised_at and worker.name == ""


def test_recent_leavers_and_current_workers_are_untouched(tree):
    recent = departed(tree.community_a, 364, name="李四")
    confirmed = WorkerFactory(
        area=tree.community_a, status=WorkerStatus.CONFIRMED, created_at=days_ago(2000)
    )
    pending = WorkerFactory(area=tree.community_a, created_at=days_ago(2000))

    assert services.anonymise_departed(NOW) == 0

    for worker in (recent, confirmed, pending):
        worker.refresh_from_db()
        assert worker.anonymised_at is None
        assert worker.name and worker.mobile.startswith("139")
        assert not worker.events.filter(kind=WorkerEvent.Kind.ANONYMISED).exists()


def test_a_leaver_who_checked_in_again_since_is_back_and_untouched(tree):
    worker = departed(tree.community_a, 500)
    CheckIn.objects.create(
        worker=worker, area=tree.community_a, channel="self", created_at=days_ago(20)
    )
    assert services.anonymise_departed(NOW) == 0
    worker.refresh_from_db()
    assert worker.anonymised_at is None


def test_a_leaver_without_a_leaving_date_is_untouched(tree):
    worker = WorkerFactory(area=tree.community_a, status=WorkerStatus.LEFT, left_at=None)
    assert services.anonymise_departed(NOW) == 0
    worker.refresh_from_db()
    assert worker.anonymised_at is None


def test_the_log_line_counts_and_names_nobody(tree, caplog):
    departed(tree.community_a, 400, name="欧阳娜娜", mobile="13800000009")
    departed(tree.community_c, 800, name="赵六", mobile="13800000008")
    departed(tree.community_a, 10, name="王五", mobile="13800000007")

    with caplog.at_level(logging.INFO, logger="registry.services"):
        services.anonymise_departed(NOW)

    assert [record.getMessage() for record in caplog.records] == [
        "retention: anonymised 2 departed workers who left more than 365 days ago"
    ]
    for personal in ("欧阳娜娜", "赵六", "王五", "1380000000", "0009", "0008"):
        assert personal not in caplog.text


def test_running_twice_anonymises_nobody_more(tree, caplog):
    worker = departed(tree.community_a, 400)
    assert services.anonymise_departed(NOW) == 1
    events = list(WorkerEvent.objects.values_list("pk", "kind", "changes"))
    erased = Worker.objects.values("mobile", "anonymised_at").get(pk=worker.pk)

    with caplog.at_level(logging.INFO, logger="registry.services"):
        assert services.anonymise_departed(NOW) == 0

    assert list(WorkerEvent.objects.values_list("pk", "kind", "changes")) == events
    assert Worker.objects.values("mobile", "anonymised_at").get(pk=worker.pk) == erased
    assert "retention: anonymised 0 departed workers" in caplog.text


def test_a_worker_anonymised_by_an_administrator_meanwhile_is_passed_over(
    tree, administrator, monkeypatch
):
    first, second = departed(tree.community_a, 400), departed(tree.community_a, 400)
    listed = services.departed_past_retention(NOW)
    monkeypatch.setattr(services, "departed_past_retention", lambda now: listed)
    services.anonymise(first, by=administrator)  # after the rule listed it, before it got there
    list(listed)  # the queryset's cache still holds both

    assert services.anonymise_departed(NOW) == 1
    assert first.events.filter(kind=WorkerEvent.Kind.ANONYMISED).count() == 1
    assert first.events.get(kind=WorkerEvent.Kind.ANONYMISED).actor == administrator
    assert second.events.get(kind=WorkerEvent.Kind.ANONYMISED).actor is None


def test_a_period_of_zero_keeps_every_departed_worker(tree, settings, caplog):
    settings.REGISTRY_ANONYMISE_AFTER_DAYS = 0
    worker = departed(tree.community_a, 3650)
    with caplog.at_level(logging.INFO, logger="registry.services"):
        assert services.anonymise_departed(NOW) == 0
    worker.refresh_from_db()
    assert worker.anonymised_at is None
    assert "departed workers are kept" in caplog.text


# The scheduled task


def test_the_anonymisation_is_scheduled_daily_at_a_quarter_past_four_with_celery_beat():
    task = PeriodicTask.objects.get(task="registry.tasks.anonymise_departed_workers")
    assert task.enabled
    crontab = task.crontab
    assert (crontab.hour, crontab.minute, crontab.day_of_week) == ("4", "15", "*")
    assert str(crontab.timezone) == "Asia/Shanghai"


def test_the_task_is_discovered_and_runs_eagerly_with_the_current_time(eager_tasks, tree):
    celery_app.loader.import_default_modules()
    assert "registry.tasks.anonymise_departed_workers" in celery_app.tasks
    worker = WorkerFactory(
        area=tree.community_a,
        status=WorkerStatus.LEFT,
        left_at=timezone.now() - timedelta(days=366),
    )
    assert anonymise_departed_workers.delay().get() == 1
    worker.refresh_from_db()
    assert worker.anonymised_at
