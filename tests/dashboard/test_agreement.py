"""The stored figures agree with counting the apps' tables directly, for random data, every level
of the tree and several periods; and a refresh run twice, or twice at once, stores them once."""

import random
import statistics
from collections import Counter, defaultdict
from datetime import timedelta

import pytest
from django.db.models import Count, Sum
from django.utils import timezone

from dashboard import rates, refresh
from dashboard.models import Figure
from dashboard.ranking import department_figures
from dashboard.summary import Period, Summary
from feedback.models import (
    Callback,
    Category,
    Event,
    IssueType,
    State,
    Suggestion,
    Task,
    TaskExtension,
    TaskSupervision,
)
from points.models import Entry, EntryKind
from portal.dates import local_midnight
from registry.models import Enterprise, Worker, WorkerStatus
from stations.models import Station, StationVisit
from tests.factories import (
    DepartmentFactory,
    EnterpriseFactory,
    StationFactory,
    SuggestionFactory,
    TaskFactory,
    WorkerFactory,
)
from tests.races import race

pytestmark = pytest.mark.django_db

RATE_NAMES = rates.NAMES


@pytest.fixture
def random_data(tree):
    rng = random.Random(20261202)
    now = timezone.now()
    communities = [tree.community_a, tree.community_b, tree.community_c]

    def moment():
        return now - timedelta(days=rng.uniform(0, 400))

    workers = []
    for _ in range(80):
        status = rng.choice(["pending", "confirmed", "confirmed", "left"])
        worker = WorkerFactory(
            area=rng.choice(communities),
            status=status,
            occupation=rng.choice(["courier", "food_delivery", "truck"]),
            platform=rng.choice(["meituan", "eleme", "sf"]),
        )
        Worker.objects.filter(pk=worker.pk).update(created_at=moment())
        if rng.random() < 0.15:  # moved since: registered with one community, living in another
            Worker.objects.filter(pk=worker.pk).update(area=rng.choice(communities))
        workers.append(worker)
    for _ in range(12):
        EnterpriseFactory(
            area=rng.choice(communities), party_organisation=rng.choice(["none", "own_branch"])
        )
    stations = [StationFactory(area=rng.choice(communities)) for _ in range(4)]
    for _ in range(150):
        StationVisit.objects.create(
            station=rng.choice(stations),
            worker=rng.choice(workers),
            day=timezone.localdate(moment()),
        )
    department = DepartmentFactory(area=tree.city)
    for _ in range(60):
        submitted = moment()
        state = rng.choice([State.SUBMITTED, State.ACCEPTED, State.RESOLVED, State.CLOSED])
        resolved = submitted + timedelta(hours=rng.uniform(1, 24 * 30))
        resolved = resolved if state in (State.RESOLVED, State.CLOSED) and resolved < now else None
        suggestion = SuggestionFactory(area=rng.choice(communities), state=state)
        Suggestion.objects.filter(pk=suggestion.pk).update(
            submitted_at=submitted,
            assessed_at=None if state == State.SUBMITTED else submitted + timedelta(hours=5),
            resolved_at=resolved,
            rating=rng.choice([None, 1, 3, 5]) if resolved else None,
            rated_at=resolved,
        )
        if state == State.ACCEPTED:
            TaskFactory(
                suggestion=suggestion,
                department=department,
                due_on=timezone.localdate() - timedelta(days=rng.randint(-5, 5)),
            )
    for _ in range(200):
        worker = rng.choice(workers)
        amount = rng.randint(1, 20)
        kind = rng.choice([EntryKind.ACTIVITY, EntryKind.HAZARD_ACCEPTED])
        Entry.objects.create(worker=worker, amount=amount, kind=kind, created_at=moment())
        if rng.random() < 0.3:
            Entry.objects.create(
                worker=worker, amount=-1, kind=EntryKind.REDEMPTION, created_at=moment()
            )
    add_the_loops_rates(tree, random.Random(20261204), now)
    refresh.rebuild()
    return tree


def add_the_loops_rates(tree, rng, now):
    """Tasks of departments at every level, due and done around now; closed suggestions, some
    reopened first, rated online or called back."""
    departments = [
        DepartmentFactory(area=area)
        for area in [tree.city, tree.district, tree.street, tree.other_district, tree.community_b]
    ]
    communities = [tree.community_a, tree.community_b, tree.community_c]
    for _ in range(70):
        state = rng.choice([State.ACCEPTED, State.RESOLVED, State.CLOSED, State.CLOSED])
        submitted = now - timedelta(days=rng.uniform(20, 400))
        category = rng.choice(list(Category))
        types = list(IssueType.objects.filter(category=category)) + [None]
        suggestion = SuggestionFactory(
            area=rng.choice(communities),
            state=state,
            category=category,
            issue_type=rng.choice(types),
        )
        closed_at = submitted + timedelta(days=rng.uniform(5, 19))
        rated = state == State.CLOSED and rng.random() < 0.5
        Suggestion.objects.filter(pk=suggestion.pk).update(
            submitted_at=submitted,
            # a tenth of the closed ones staff closed with a reply: no department took them
            resolved_at=closed_at - timedelta(days=1)
            if state != State.ACCEPTED and rng.random() < 0.9
            else None,
            closed_at=closed_at if state == State.CLOSED else None,
            rating=rng.randint(1, 5) if rated else None,
            rated_at=closed_at if rated else None,
        )
        if state == State.CLOSED and rng.random() < 0.3:
            Event.objects.create(suggestion=suggestion, kind=Event.Kind.REOPENED)
        if state == State.CLOSED and not rated and rng.random() < 0.7:
            reached = rng.random() < 0.8
            Callback.objects.create(
                suggestion=suggestion,
                reached=reached,
                satisfaction=rng.randint(1, 5) if reached else None,
                created_at=closed_at + timedelta(hours=rng.uniform(1, 48)),
            )
        for _task in range(rng.choice([1, 1, 2, 3])):
            assigned = submitted + timedelta(hours=rng.uniform(1, 48))
            due_at = assigned + timedelta(hours=rng.uniform(2, 24 * 12))
            if rng.random() < 0.1:
                # around now, but not so near that it passes while the test runs
                due_at = now + timedelta(minutes=rng.choice([-1, 1]) * rng.uniform(20, 600))
            done = state != State.ACCEPTED or rng.random() < 0.5
            done_at = assigned + timedelta(days=rng.uniform(0.1, 14)) if done else None
            acknowledge_by = assigned + timedelta(hours=rng.choice([2, 24, 30]))
            acknowledged_at = assigned + timedelta(hours=rng.uniform(0.1, 40))
            task = TaskFactory(suggestion=suggestion, department=rng.choice(departments))
            Task.objects.filter(pk=task.pk).update(
                state=Task.State.DONE if done else Task.State.OPEN,
                done_at=min(done_at, now) if done_at else None,
                created_at=assigned,
                due_at=due_at,
                due_on=timezone.localdate(due_at),
                acknowledge_by=acknowledge_by if rng.random() < 0.9 else None,
                acknowledged_at=acknowledged_at if acknowledged_at < now else None,
            )
            if rng.random() < 0.1:  # returned by a department that was not the right one
                returned = TaskFactory(suggestion=suggestion, department=rng.choice(departments))
                Task.objects.filter(pk=returned.pk).update(
                    state=Task.State.RETURNED,
                    created_at=assigned - timedelta(hours=5),
                    due_at=due_at,
                    due_on=timezone.localdate(due_at),
                    acknowledge_by=assigned,
                    returned_at=assigned - timedelta(hours=rng.uniform(0.5, 4)),
                    return_reason="不归我们管",
                )
            if rng.random() < 0.2:
                asked_at = assigned + (due_at - assigned) / 2
                TaskExtension.objects.create(
                    task=task,
                    reason="要协调",
                    requested_at=asked_at,
                    previous_due_at=due_at - timedelta(days=3),
                    requested_due_at=due_at,
                    decided_at=asked_at + timedelta(hours=3),
                    approved=rng.random() < 0.7,
                    new_due_at=due_at,
                )
            if rng.random() < 0.15:
                TaskSupervision.objects.create(
                    task=task,
                    text="抓紧",
                    created_at=assigned + timedelta(hours=rng.uniform(1, 90)),
                )


def direct_rates(area, period):
    """The rates' counts of an area, or of each department in it, from every row, in Python."""
    start, end = local_midnight(period.start), local_midnight(period.end + timedelta(days=1))

    def in_area(suggestion):
        return suggestion.area.path.startswith(area.path)

    now = timezone.now()

    def count(names, department, suggestion, good=None):
        counters = (
            [by_department[department.pk]] if department.area.path.startswith(area.path) else []
        )
        counters += [area_counts] if in_area(suggestion) else []
        for counter in counters:
            counter[names[1]] += 1
            counter[names[0]] += bool(good)

    area_counts, by_department = Counter(), defaultdict(Counter)
    for task in Task.objects.select_related("suggestion__area", "department__area"):
        if task.state == Task.State.RETURNED:
            if start <= task.returned_at < end:
                count(("", "returned"), task.department, task.suggestion)
            continue
        if start <= task.due_at < end and (task.due_at <= now or task.done_at):
            on_time = task.done_at is not None and task.done_at <= task.due_at
            count(("on_time", "due"), task.department, task.suggestion, on_time)
        by = task.acknowledge_by
        if by and start <= by < end and (by <= now or task.acknowledged_at):
            in_time = task.acknowledged_at is not None and task.acknowledged_at <= by
            count(("ack_in_time", "ack_due"), task.department, task.suggestion, in_time)
    for extension in TaskExtension.objects.select_related(
        "task__suggestion__area", "task__department__area"
    ):
        task = extension.task
        if start <= extension.requested_at < end:
            count(("", "ext_asked"), task.department, task.suggestion)
        if extension.approved and start <= extension.decided_at < end:
            count(("", "ext_approved"), task.department, task.suggestion)
    for supervision in TaskSupervision.objects.select_related(
        "task__suggestion__area", "task__department__area"
    ):
        if start <= supervision.created_at < end:
            count(("", "supervised"), supervision.task.department, supervision.task.suggestion)
    reopened = set(
        Event.objects.filter(kind=Event.Kind.REOPENED).values_list("suggestion", flat=True)
    )
    for suggestion in Suggestion.objects.select_related("area").prefetch_related(
        "tasks__department__area", "callbacks"
    ):
        departments = {
            task.department_id
            for task in suggestion.tasks.all()
            if task.state == Task.State.DONE and task.department.area.path.startswith(area.path)
        }
        counters = [by_department[pk] for pk in departments]
        counters += [area_counts] if in_area(suggestion) else []
        opinions = []
        if suggestion.state == State.CLOSED and start <= (suggestion.closed_at or end) < end:
            solved = suggestion.resolved_at is not None and suggestion.pk not in reopened
            opinions.append(("closed", solved))
        if suggestion.rating and start <= suggestion.rated_at < end:
            opinions.append(("rated", suggestion.rating >= 4))
        for callback in suggestion.callbacks.all():
            if callback.satisfaction and start <= callback.created_at < end:
                opinions.append(("callbacks", callback.satisfaction >= 4))
        for counter in counters:
            for whole, good in opinions:
                counter[whole] += 1
                counter[{"closed": "closed_first"}.get(whole, f"{whole}_good")] += good
    area_counts.pop("", None)
    for counts in by_department.values():
        counts.pop("", None)
    return +area_counts, {pk: +counts for pk, counts in by_department.items() if +counts}


def stored_rates(area, period):
    def counts(figures):
        return +Counter({name: figures.total(figures.period, name) for name in RATE_NAMES})

    departments = department_figures(area, period)
    return counts(Summary(area, period).total), {
        pk: counts(figures) for pk, figures in departments.items() if counts(figures)
    }


def direct(area, period):
    """The figures counted from the apps' tables, the long way round."""
    start, end = local_midnight(period.start), local_midnight(period.end + timedelta(days=1))
    workers = Worker.objects.within(area)
    suggestions = Suggestion.objects.within(area)
    resolved = list(
        suggestions.filter(resolved_at__gte=start, resolved_at__lt=end).values_list(
            "submitted_at", "resolved_at"
        )
    )
    ratings = suggestions.filter(rated_at__gte=start, rated_at__lt=end, rating__isnull=False)
    entries = Entry.objects.filter(
        area__path__startswith=area.path, created_at__gte=start, created_at__lt=end
    )
    enterprises = Enterprise.objects.within(area)
    return {
        "registered": workers.exclude(status=WorkerStatus.LEFT).count(),
        "pending": workers.filter(status=WorkerStatus.PENDING).count(),
        "couriers": workers.exclude(status=WorkerStatus.LEFT).filter(occupation="courier").count(),
        "new": Worker.objects.filter(
            registered_area__path__startswith=area.path, created_at__gte=start, created_at__lt=end
        ).count(),
        "enterprises": enterprises.count(),
        "covered": enterprises.exclude(party_organisation="none").count(),
        "stations": Station.objects.within(area).count(),
        "checkins": StationVisit.objects.filter(
            station__area__path__startswith=area.path,
            day__gte=period.start,
            day__lte=period.end,
        ).count(),
        "submitted": suggestions.filter(submitted_at__gte=start, submitted_at__lt=end).count(),
        "assessed": suggestions.filter(assessed_at__gte=start, assessed_at__lt=end).count(),
        "by_state": dict(suggestions.values_list("state").annotate(n=Count("id")).order_by()),
        "resolved": len(resolved),
        "median_days": statistics.median([(r - s).days for s, r in resolved]) if resolved else None,
        "satisfaction": ratings.aggregate(Sum("rating"))["rating__sum"] / ratings.count()
        if ratings.exists()
        else None,
        "overdue_tasks": Task.objects.within(area).overdue(timezone.now()).count(),
        "earned": entries.filter(amount__gt=0).aggregate(n=Sum("amount"))["n"] or 0,
        "spent": -(entries.filter(kind=EntryKind.REDEMPTION).aggregate(n=Sum("amount"))["n"] or 0),
        "categories": {
            rates.type_key(category, issue_type): n
            for category, issue_type, n in suggestions.filter(
                submitted_at__gte=start, submitted_at__lt=end
            )
            .values_list("category", "issue_type")
            .annotate(n=Count("id"))
            .order_by()
        },
    }


def stored(area, period):
    figures = Summary(area, period).total
    return {
        "registered": figures.registered(),
        "pending": figures.total(figures.now, "workers", "pending"),
        "couriers": figures.total(figures.now, "occupation", "courier"),
        "new": figures.total(figures.period, "registered"),
        "enterprises": figures.total(figures.now, "enterprises", "total"),
        "covered": figures.total(figures.now, "enterprises", "covered"),
        "stations": figures.total(figures.now, "stations"),
        "checkins": figures.total(figures.period, "checkins"),
        "submitted": figures.total(figures.period, "submitted"),
        "assessed": figures.total(figures.period, "assessed"),
        "by_state": {state: n for state, n in figures.now["suggestions"].items() if n},
        "resolved": figures.total(figures.period, "resolved"),
        "median_days": figures.median_days_to_close(),
        "satisfaction": figures.satisfaction(),
        "overdue_tasks": figures.total(figures.now, "overdue_tasks"),
        "earned": figures.total(figures.period, "points_earned"),
        "spent": figures.total(figures.period, "points_spent"),
        "categories": +figures.period[rates.BY_TYPE],
    }


@pytest.mark.parametrize("level", ["city", "district", "street", "community_a", "community_c"])
@pytest.mark.parametrize("days_back", [(0, 0), (30, 0), (120, 60), (364, 0)])
def test_stored_figures_agree_with_a_direct_count(random_data, level, days_back):
    today = timezone.localdate()
    period = Period(today - timedelta(days=days_back[0]), today - timedelta(days=days_back[1]))
    area = getattr(random_data, level)
    expected = direct(area, period)
    assert stored(area, period) == expected
    assert expected["registered"] > 0
    assert stored_rates(area, period) == direct_rates(area, period)


def test_the_rates_are_counted_from_enough_data_to_mean_something(random_data):
    year = Period(timezone.localdate() - timedelta(days=364), timezone.localdate())
    in_the_city, departments = direct_rates(random_data.city, year)
    assert len(departments) == 6  # the five above and the existing one of the city
    for name in [*rates.ON_TIME, *rates.RESPONSE, *rates.RESOLUTION, *rates.SATISFACTION_ONLINE]:
        assert in_the_city[name] > 3, name
    for name in [rates.RETURNS, rates.EXTENSIONS, rates.EXTENSIONS_APPROVED, rates.SUPERVISIONS]:
        assert in_the_city[name] > 1, name
    assert 0 < in_the_city["ack_in_time"] < in_the_city["ack_due"]
    for name in rates.SATISFACTION_CALLBACK:
        assert in_the_city[name] > 1, name
    assert 0 < in_the_city["on_time"] < in_the_city["due"]
    assert 0 < in_the_city["closed_first"] < in_the_city["closed"]


def all_figures():
    rows = Figure.objects.values_list("area_id", "span", "day", "name", "key", "value")
    return sorted(rows, key=str)


def test_refreshing_again_stores_the_same_rows_once(random_data):
    rows = all_figures()
    refresh.refresh_recent(30)
    refresh.rebuild()
    assert all_figures() == rows


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_refreshes_at_once_store_each_figure_once(random_data):
    before = Figure.objects.count()
    race([lambda: refresh.refresh_recent(400)] * 3)
    assert Figure.objects.count() == before
    duplicates = (
        Figure.objects.values("area_id", "span", "day", "name", "key")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    assert not duplicates.exists()


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_full_recount_leaves_the_figures_vacuumed_for_index_only_reads(tree, staff_a):
    """Right after a full recount the province's long periods read from the covering index alone
    only once the table is vacuumed (docs/BENCHMARKS.md): the recount does it itself."""
    from django.db import connection

    WorkerFactory(area=tree.community_a)
    refresh.rebuild()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT last_vacuum FROM pg_stat_user_tables WHERE relname = %s",
            [Figure._meta.db_table],
        )
        (last_vacuum,) = cursor.fetchone()
    assert last_vacuum is not None
