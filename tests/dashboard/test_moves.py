"""A worker who moves community: their past registration stays counted where it happened, and
every recount (the one every 10 minutes, the nightly one, `refresh_dashboard --all`) stores the
same figures, so a past period's figures never depend on which recount ran last."""

import importlib
from datetime import timedelta
from io import StringIO
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from dashboard import refresh, tasks
from dashboard.summary import Period, Summary
from feedback import services as feedback
from feedback.models import Event, State, Suggestion
from points.models import EntryKind
from points.services.ledger import award
from registry import services
from registry.models import Worker, WorkerEvent
from stations.checkin import check_in
from stations.models import Station
from tests.dashboard.conftest import OLD, days_ago
from tests.dashboard.test_agreement import all_figures
from tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db


def new_in(area, period):
    figures = Summary(area, period).total
    return figures.total(figures.period, "registered")


def earned_in(area, period):
    figures = Summary(area, period).total
    return figures.total(figures.period, "points_earned")


def test_a_worker_who_moves_stays_counted_where_they_registered(counted, tree, staff_a):
    a, b, old = tree.community_a, tree.community_b, counted.old_period
    assert (new_in(a, old), new_in(b, old)) == (1, 0)
    zhang2 = Worker.objects.get(name="张二")  # registered 40 days ago with community A
    services.update_worker(zhang2, {"area": b}, [], sensitive_consent=False, by=staff_a)
    zhang2.refresh_from_db()
    assert (zhang2.area, zhang2.registered_area) == (b, a)

    tasks.refresh_dashboard()  # the recount every 10 minutes: today and yesterday
    after_the_short_recount = all_figures()
    assert (new_in(a, old), new_in(b, old)) == (1, 0)
    # How things stand now follows the move at once.
    assert Summary(a, old).total.registered() == 4
    assert Summary(b, old).total.registered() == 2

    tasks.settle_dashboard()  # the nightly recount of the last weeks
    assert all_figures() == after_the_short_recount
    call_command("refresh_dashboard", "--all", stdout=StringIO())
    assert all_figures() == after_the_short_recount
    assert (new_in(a, old), new_in(b, old)) == (1, 0)


def test_points_stay_counted_where_they_were_earned(counted, tree, staff_a):
    a, b, old = tree.community_a, tree.community_b, counted.old_period
    today = Period(counted.today, counted.today)
    assert (earned_in(a, old), earned_in(a, today), earned_in(b, today)) == (5, 10, 0)
    zhang1 = Worker.objects.get(name="张一")
    services.update_worker(zhang1, {"area": b}, [], sensitive_consent=False, by=staff_a)
    zhang1.refresh_from_db()
    award(zhang1, 3, EntryKind.GRID_DUTY)  # after the move: with B

    tasks.refresh_dashboard()
    after_the_short_recount = all_figures()
    assert (earned_in(a, old), earned_in(a, today), earned_in(b, today)) == (5, 10, 3)
    call_command("refresh_dashboard", "--all", stdout=StringIO())
    assert all_figures() == after_the_short_recount


def test_check_ins_stay_counted_where_the_station_was(counted, tree):
    a, b, old = tree.community_a, tree.community_b, counted.old_period
    station = Station.objects.get(area=a)
    Station.objects.filter(pk=station.pk).update(area=b)  # 驿站 handed to the next community
    check_in(Station.objects.get(pk=station.pk), WorkerFactory(area=b))

    tasks.refresh_dashboard()
    after_the_short_recount = all_figures()
    today = Period(counted.today, counted.today)
    checkins = [
        figures.total(figures.period, "checkins")
        for figures in (Summary(area, period).total for area in (a, b) for period in (old, today))
    ]
    assert checkins == [1, 3, 0, 1]  # A: 40 days ago, today; B: today, after the move
    call_command("refresh_dashboard", "--all", stdout=StringIO())
    assert all_figures() == after_the_short_recount


def test_a_suggestion_passed_on_or_reopened_is_recounted_on_its_past_days(counted, tree, staff_a):
    a, b = tree.community_a, tree.community_b
    waiting = Suggestion.objects.get(area=a, state=State.SUBMITTED)
    Suggestion.objects.filter(pk=waiting.pk).update(submitted_at=days_ago(10))
    old_resolved = Suggestion.objects.get(area=a, state=State.RESOLVED, rating=2)
    # What resolving it 40 days ago wrote on its timeline.
    Event.objects.create(suggestion=old_resolved, kind=Event.Kind.RESOLVED)
    Event.objects.filter(suggestion=old_resolved).update(created_at=days_ago(OLD))
    refresh.rebuild()
    before = all_figures()

    feedback.transfer(Suggestion.objects.get(pk=waiting.pk), b, version=None, by=staff_a)
    feedback.reopen(Suggestion.objects.get(pk=old_resolved.pk))
    tasks.refresh_dashboard()
    after_the_short_recount = all_figures()
    assert after_the_short_recount != before
    ten_days_ago = Period(counted.today - timedelta(days=10), counted.today - timedelta(days=10))
    collected = Summary(b, ten_days_ago).total
    assert collected.total(collected.period, "submitted") == 1
    resolved = Summary(a, counted.old_period).total
    assert resolved.total(resolved.period, "resolved") == 0
    call_command("refresh_dashboard", "--all", stdout=StringIO())
    assert all_figures() == after_the_short_recount


def test_the_migration_fills_the_community_registered_with_from_the_timeline(tree, staff_a):
    a, b, c = tree.community_a, tree.community_b, tree.community_c
    moved = make_registered(a, "13900000001")
    stayed = make_registered(c, "13900000002")
    services.update_worker(moved, {"area": b}, [], sensitive_consent=False, by=staff_a)
    Worker.objects.update(registered_area=tree.city)  # as if the column were new
    migration = importlib.import_module("registry.migrations.0010_worker_registered_area")
    migration.fill(
        apps, SimpleNamespace(connection=connection, execute=connection.cursor().execute)
    )
    assert WorkerEvent.objects.filter(worker=moved, changes__has_key="area").exists()
    assert Worker.objects.get(pk=moved.pk).registered_area == a
    assert Worker.objects.get(pk=stayed.pk).registered_area == c


def make_registered(area, mobile):
    return Worker.objects.create(
        name="迁移",
        mobile=mobile,
        occupation="courier",
        platform="sf",
        area=area,
        political_status="masses",
        consent_version="test",
        consented_at=timezone.now(),
    )
