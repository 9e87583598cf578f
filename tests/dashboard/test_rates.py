"""The rates officials are judged by, against a small data set counted by hand.

Departments: X and Y of 梁园区 (district), Z of 平原街道 (street), W of 商丘市 (city).
Days are counted back from today; "recent" is the last 7 days.

task  area         department  due          done         to acknowledge by / acknowledged
t1    community A  X           3 days ago   4 days ago   6 days ago / 7 days ago: in time
t2    community A  X           2 days ago   yesterday    5 days ago / 4 days ago: late
t3    community A  X           yesterday    open         3 days ago / not: late
t4    community A  Y           tonight      open         tonight / not: not counted yet
t5    community A  Y           tonight      today        – (assigned before 签收: not asked)
t6    community A  Z           40 days ago  41 days ago  –
t7    community B  Z           5 days ago   6 days ago   –
t8    community C  W           yesterday    2 days ago   –
t9    community A  Y           yesterday    returned by Y yesterday, 2 days ago / not

On time in "recent": t1, t5, t7 of t1, t2, t3, t5, t7 (t4 is not due yet, t6 is older, t8 is in
another district, t9 was returned). Acknowledged in time: t1 of t1, t2, t3.
X asked for more time on t3 (approved) and on t2 (refused) 3 days ago; t3 had a supervision
notice yesterday.

suggestion  area  tasks   what became of it
s1          A     t1      closed 2 days ago, rated 5, never reopened
s2          A     t2      reopened once, then closed yesterday unrated
s3          B     t7      closed today, rated 3
s4          A     –       not taken up (rejected: closed_at set, not a closed one)
s5          A     t3      accepted, open
"""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from dashboard import rates, refresh, views
from dashboard.models import DEPARTMENT, Figure
from dashboard.ranking import by_department, department_figures
from dashboard.sections import RATE_COLUMNS, tables
from dashboard.summary import Period, Rate, Summary
from feedback.calendar import end_of_day
from feedback.models import Event, State, Task, TaskExtension, TaskSupervision
from portal.dates import local_midnight
from tests.dashboard.conftest import days_ago
from tests.factories import DepartmentFactory, SuggestionFactory, TaskFactory

pytestmark = pytest.mark.django_db


@dataclass
class Loop:
    today: object
    recent: Period
    old: Period
    x: object
    y: object
    z: object
    w: object


def closed(area, *, days, rating=None, reopened=False):
    suggestion = SuggestionFactory(area=area, state=State.CLOSED)
    type(suggestion).objects.filter(pk=suggestion.pk).update(
        submitted_at=days_ago(days + 20),
        resolved_at=days_ago(days + 1),
        closed_at=days_ago(days, hour=9),
        rating=rating,
        rated_at=days_ago(days, hour=9) if rating else None,
    )
    if reopened:
        Event.objects.create(suggestion=suggestion, kind=Event.Kind.REOPENED)
    return suggestion


def task(suggestion, department, *, due, done=None, acknowledge=None, returned=None):
    """A task due at the end of the day `due` days ago (0: tonight), done `done` days ago; to be
    acknowledged by the end of the day `acknowledge[0]` days ago, and acknowledged
    `acknowledge[1]` days ago (None: not); returned `returned` days ago."""
    today = timezone.localdate()
    made = TaskFactory(suggestion=suggestion, department=department, due_on=today)
    # Filed and assigned before the task was due (and before the suggestion closed).
    assigned = min(days_ago(due + 5), suggestion.submitted_at)
    type(suggestion).objects.filter(pk=suggestion.pk).update(submitted_at=assigned)
    by, at = acknowledge or (None, None)
    Task.objects.filter(pk=made.pk).update(
        created_at=assigned,
        due_on=today - timedelta(days=due),
        due_at=end_of_day(today - timedelta(days=due)),
        state=Task.State.OPEN if done is None else Task.State.DONE,
        done_at=None if done is None else days_ago(done, hour=8),
        acknowledge_by=None if by is None else end_of_day(today - timedelta(days=by)),
        acknowledged_at=None if at is None else days_ago(at, hour=8),
    )
    if returned is not None:
        Task.objects.filter(pk=made.pk).update(
            state=Task.State.RETURNED, returned_at=days_ago(returned), return_reason="不归我们管"
        )
    made.refresh_from_db()
    return made


@pytest.fixture
def loop(tree, department_x, department_y):
    a, b, c = tree.community_a, tree.community_b, tree.community_c
    x, y = department_x, department_y
    z = DepartmentFactory(name="平原街道办事处", area=tree.street)
    w = DepartmentFactory(name="商丘市城管局", area=tree.city)
    s1 = closed(a, days=2, rating=5)
    s2 = closed(a, days=1, reopened=True)
    s3 = closed(b, days=0, rating=3)
    s4 = SuggestionFactory(area=a, state=State.REJECTED, closed_at=days_ago(1))
    s5 = SuggestionFactory(area=a, state=State.ACCEPTED)
    task(s1, x, due=3, done=4, acknowledge=(6, 7))
    t2 = task(s2, x, due=2, done=1, acknowledge=(5, 4))
    t3 = task(s5, x, due=1, acknowledge=(3, None))
    task(SuggestionFactory(area=a, state=State.ACCEPTED), y, due=0, acknowledge=(0, None))
    task(SuggestionFactory(area=a, state=State.ACCEPTED), y, due=0, done=0)
    task(SuggestionFactory(area=a, state=State.ACCEPTED), z, due=40, done=41)
    task(s3, z, due=5, done=6)
    task(SuggestionFactory(area=c, state=State.ACCEPTED), w, due=1, done=2)
    task(
        SuggestionFactory(area=a, state=State.ACCEPTED), y, due=1, acknowledge=(2, None), returned=1
    )
    for extended, approved in [(t3, True), (t2, False)]:
        TaskExtension.objects.create(
            task=extended,
            reason="要协调",
            requested_at=days_ago(3),
            previous_due_at=extended.due_at,
            requested_due_at=extended.due_at,
            decided_at=days_ago(3, hour=15),
            approved=approved,
            new_due_at=extended.due_at if approved else None,
        )
    TaskSupervision.objects.create(task=t3, text="抓紧", created_at=days_ago(1))
    assert s4.state == State.REJECTED
    refresh.rebuild()
    today = timezone.localdate()
    return Loop(
        today,
        Period(today - timedelta(days=6), today),
        Period(today - timedelta(days=43), today - timedelta(days=37)),
        x,
        y,
        z,
        w,
    )


def rates_of(figures) -> dict:
    labels = [str(column.label) for column in RATE_COLUMNS]
    values = [column.value(figures, None) for column in RATE_COLUMNS]
    return {
        label: (value.part, value.whole) if isinstance(value, Rate) else value
        for label, value in zip(labels, values, strict=True)
    }


def test_on_time_counts_each_task_on_its_deadlines_day_once_it_has_passed(loop, tree, english):
    district = rates_of(Summary(tree.district, loop.recent).total)
    assert district["On-time rate"] == (3, 5)  # t1, t5, t7 of t1, t2, t3, t5, t7
    assert rates_of(Summary(tree.community_a, loop.recent).total)["On-time rate"] == (2, 4)
    assert rates_of(Summary(tree.community_b, loop.recent).total)["On-time rate"] == (1, 1)
    assert rates_of(Summary(tree.city, loop.recent).total)["On-time rate"] == (4, 6)  # with t8
    assert rates_of(Summary(tree.district, loop.old).total)["On-time rate"] == (1, 1)  # t6


def test_response_counts_tasks_whose_time_to_acknowledge_ended(loop, tree, english):
    district = rates_of(Summary(tree.district, loop.recent).total)
    # t1 in time; t2 late; t3 not acknowledged; t4's time ends tonight; t9 was returned.
    assert district["Response rate"] == (1, 3)
    x = rates_of(department_figures(tree.district, loop.recent)[loop.x.pk])
    assert x["Response rate"] == (1, 3)
    assert rates_of(department_figures(tree.district, loop.recent)[loop.y.pk])["Response rate"] == (
        0,
        0,
    )


def test_returns_extensions_and_supervisions_are_counted_on_their_days(loop, tree, english):
    district = rates_of(Summary(tree.district, loop.recent).total)
    assert district["Returns"] == 1
    assert district["Extensions asked"] == 2
    assert district["Extensions approved"] == 1
    assert district["Supervision notices"] == 1
    departments = department_figures(tree.district, loop.recent)
    y, x = rates_of(departments[loop.y.pk]), rates_of(departments[loop.x.pk])
    # The returned task is Y's return, and in none of Y's rates.
    assert (y["Returns"], y["On-time rate"], y["Response rate"]) == (1, (1, 1), (0, 0))
    assert (x["Extensions asked"], x["Extensions approved"], x["Supervision notices"]) == (2, 1, 1)
    assert x["Returns"] == 0
    assert rates_of(Summary(tree.community_b, loop.recent).total)["Returns"] == 0


def test_a_task_returned_after_its_deadline_leaves_that_days_figures(loop, tree, handler):
    """Returned today, three days after it was due: the next count forgets it on that day."""
    t3 = Task.objects.get(due_on=loop.today - timedelta(days=1), department=loop.x)
    old = Task.objects.filter(department=loop.x, due_on=loop.today - timedelta(days=3))
    assert old.count() == 1
    week = Period(loop.today - timedelta(days=6), loop.today - timedelta(days=3))
    assert Summary(tree.community_a, week).total.rate(rates.ON_TIME) == Rate(1, 1)
    old.update(state=Task.State.RETURNED, returned_at=timezone.now(), return_reason="不归我们管")
    Event.objects.create(
        suggestion_id=old.get().suggestion_id, task=old.get(), kind=Event.Kind.TASK_RETURNED
    )
    refresh.refresh_recent(2)  # yesterday and today, and the days the return changed
    assert Summary(tree.community_a, week).total.rate(rates.ON_TIME) == Rate(0, 0)
    assert (
        Summary(tree.community_a, loop.recent).total.total(
            Summary(tree.community_a, loop.recent).total.period, rates.RETURNS
        )
        == 2
    )
    assert t3.state == Task.State.OPEN


def test_an_extension_approved_after_the_deadline_moves_the_task_to_its_new_one(loop, tree):
    """t3 was due yesterday, late; given three more days today, it is not due yet: the next
    count takes it out of yesterday's figures."""
    t3 = Task.objects.get(due_on=loop.today - timedelta(days=1), department=loop.x)
    assert Summary(tree.community_a, loop.recent).total.rate(rates.ON_TIME) == Rate(2, 4)
    new_deadline = end_of_day(loop.today + timedelta(days=3))
    TaskExtension.objects.create(
        task=t3,
        reason="要协调",
        previous_due_at=t3.due_at,
        requested_due_at=new_deadline,
        decided_at=timezone.now(),
        approved=True,
        new_due_at=new_deadline,
    )
    Task.objects.filter(pk=t3.pk).update(due_at=new_deadline, due_on=new_deadline.date())
    Event.objects.create(suggestion_id=t3.suggestion_id, task=t3, kind=Event.Kind.EXTENSION_DECIDED)
    refresh.refresh_recent(1)  # today only, and the days the extension changed
    figures = Summary(tree.community_a, loop.recent).total
    assert figures.rate(rates.ON_TIME) == Rate(2, 3)
    assert figures.total(figures.period, rates.EXTENSIONS_APPROVED) == 2


def test_resolution_counts_closed_suggestions_never_reopened(loop, tree, english):
    district = rates_of(Summary(tree.district, loop.recent).total)
    # s1, s2 and s3 closed; s2 had been reopened; the rejected s4 is not a closed one.
    assert district["Resolution rate"] == (2, 3)
    assert district["Satisfaction, online"] == (1, 2)  # s1 rated 5, s3 rated 3
    assert rates_of(Summary(tree.community_b, loop.recent).total)["Resolution rate"] == (1, 1)


def test_a_suggestion_closed_because_no_department_took_it_is_not_resolved(
    loop, tree, handler, english
):
    from feedback.services import desk

    s8 = SuggestionFactory(area=tree.community_b, state=State.ACCEPTED)
    returned = task(s8, loop.z, due=-3)
    desk.return_task(returned, reason="不归街道管", version=None, by=handler)
    desk.close_with_reply(s8, reply="已转12345热线", version=None, by=handler)
    refresh.refresh_recent(1)
    street = rates_of(Summary(tree.street, loop.recent).total)
    assert street["Resolution rate"] == (2, 4)  # s1 and s3 of s1, s2, s3 and s8
    z = rates_of(department_figures(tree.street, loop.recent)[loop.z.pk])
    assert z["Resolution rate"] == (1, 1)  # s8 was returned by Z: not Z's
    assert z["Returns"] == 1


def test_a_department_counts_its_own_tasks_in_its_area_and_above(loop, tree, english):
    district = department_figures(tree.district, loop.recent)
    assert set(district) == {loop.x.pk, loop.y.pk, loop.z.pk}  # not W, the city's
    x, y, z = (rates_of(district[d.pk]) for d in (loop.x, loop.y, loop.z))
    assert x["On-time rate"] == (1, 3)
    assert x["Resolution rate"] == (1, 2)  # s1 and s2, which was reopened
    assert x["Satisfaction, online"] == (1, 1)
    assert y["On-time rate"] == (1, 1)  # t4 is due at the end of today
    assert z["On-time rate"] == (1, 1)
    assert z["Resolution rate"] == (1, 1)
    assert z["Satisfaction, online"] == (0, 1)
    # The street sees its own department only; the city sees all four.
    assert set(department_figures(tree.street, loop.recent)) == {loop.z.pk}
    city = department_figures(tree.city, loop.recent)
    assert rates_of(city[loop.w.pk])["On-time rate"] == (1, 1)
    assert rates_of(city[loop.x.pk]) == x


def test_a_department_moved_to_another_district_takes_its_counted_figures_along(
    loop, tree, english
):
    z = rates_of(department_figures(tree.district, loop.recent)[loop.z.pk])
    loop.z.area = tree.other_street
    loop.z.save()
    assert loop.z.pk not in department_figures(tree.district, loop.recent)
    assert rates_of(department_figures(tree.other_district, loop.recent)[loop.z.pk]) == z
    # Stored once, under the area the department had when they were counted.
    stored = Figure.objects.filter(name__startswith=DEPARTMENT, key=str(loop.z.pk))
    assert set(stored.values_list("area_id", flat=True)) == {tree.street.pk}


def test_the_department_table_lists_those_counted_from_the_top_area_down(loop, tree, english):
    rows = by_department(tree.city, loop.recent)
    assert [row.subject.name for row in rows] == [
        "商丘市城管局",
        "梁园区交警大队",
        "梁园区市场监管局",
        "平原街道办事处",
    ]


def test_the_summary_has_the_rates_section_by_child_area(loop, tree, english):
    [table] = tables(Summary(tree.street, loop.recent), slugs=["rates"])
    rows = {area.name: cells for area, cells in table.rows}
    on_time = RATE_COLUMNS.index(rates_column("On-time rate"))
    assert rows["建设路社区"][on_time][0] == Rate(2, 4)
    assert rows["平原路社区"][on_time][0] == Rate(1, 1)
    assert table.total[on_time][0] == Rate(3, 5)
    assert table.total[on_time][0].value == 0.6


def rates_column(label):
    return next(column for column in RATE_COLUMNS if str(column.label) == label)


def test_a_task_due_later_today_is_counted_once_its_deadline_passes(loop, tree):
    figures = Summary(tree.community_a, loop.recent).total
    assert figures.rate(rates.ON_TIME) == Rate(2, 4)
    # t4's deadline is tonight: brought forward to a minute ago, it is due, and late.
    Task.objects.filter(due_on=loop.today, state=Task.State.OPEN).update(
        due_at=max(timezone.now() - timedelta(minutes=1), local_midnight(loop.today))
    )
    refresh.refresh_recent(2)
    assert Summary(tree.community_a, loop.recent).total.rate(rates.ON_TIME) == Rate(2, 5)


# The pages: who sees what, drilling down, the ranking.

RATES = "/staff/dashboard/rates/"
RANKING = "/staff/dashboard/ranking/"


def test_an_official_reads_the_rates_of_their_district_by_street_and_department(
    english, loop, tree, official
):
    english.force_login(official)
    response = english.get(RATES, {"start": loop.recent.start, "end": loop.recent.end})
    assert response.status_code == 200
    text = response.text
    assert "梁园区: rates" in text
    assert [area.name for area, _cells in response.context["table"].rows] == ["平原街道"]
    departments = [row.subject.name for row in response.context["departments"]]
    assert departments == ["梁园区交警大队", "梁园区市场监管局", "平原街道办事处"]  # not the city's
    # 60.0% with its counts, and each rate's definition under the table.
    assert '60.0% <span class="rate-parts">3/5</span>' in text
    for term in ["Response rate (响应率)", "On-time rate (按时办结率)", "Resolution rate (解决率)"]:
        assert f"<dt>{term}</dt>" in text
    assert "After an approved extension (延期) the new deadline is the one that counts." in text
    assert "A returned task counts in none of the returning department&#x27;s rates" in text
    # A street links one level down, keeping the period.
    assert f"?area={tree.street.code}&amp;start={loop.recent.start}" in text


def test_drilling_down_the_rates_to_the_street_shows_its_communities(english, loop, tree, official):
    english.force_login(official)
    params = {"area": tree.street.code, "start": loop.recent.start, "end": loop.recent.end}
    response = english.get(RATES, params)
    rows = {area.name: cells for area, cells in response.context["table"].rows}
    assert list(rows) == ["建设路社区", "平原路社区"]
    assert [row.subject.name for row in response.context["departments"]] == ["平原街道办事处"]
    assert [crumb.name for crumb, _query in response.context["trail"]] == ["梁园区", "平原街道"]


def test_suggestions_are_counted_by_category_and_sub_type(english, tree, official):
    from feedback.models import IssueType

    wires, manholes = IssueType.objects.filter(category="hazard").order_by("order", "id")[:2]
    for category, issue_type in [
        ("hazard", wires),
        ("hazard", wires),
        ("hazard", manholes),
        ("hazard", None),
        ("complaint", None),
    ]:
        SuggestionFactory(area=tree.community_a, category=category, issue_type=issue_type)
    SuggestionFactory(area=tree.community_c, category="hazard", issue_type=wires)  # elsewhere
    refresh.refresh_recent(1)
    english.force_login(official)
    response = english.get(RATES)
    categories = response.context["categories"]
    counts = {str(label): (n, share, types) for label, n, share, types in categories}
    assert str(categories[0][0]) == "Hazard snapshot"  # most first
    assert counts["Hazard snapshot"][:2] == (4, 4 / 5)
    assert [(str(name), n) for name, n, _share in counts["Hazard snapshot"][2]] == [
        (wires.name, 2),
        (manholes.name, 1),
        ("No sub-type", 1),
    ]
    assert counts["Complaint"] == (1, 1 / 5, [])
    assert counts["Suggestion"] == (0, 0, [])
    assert wires.name in response.text


@pytest.mark.parametrize("url", [RATES, RANKING])
def test_rates_outside_the_scope_are_not_found(client, loop, tree, official, staff_a, url):
    client.force_login(official)
    assert client.get(url, {"area": tree.city.code}).status_code == 404
    assert client.get(url, {"area": tree.other_street.code}).status_code == 404
    assert client.get(url, {"area": "\x00"}).status_code == 404
    client.force_login(staff_a)
    assert client.get(url, {"area": tree.community_b.code}).status_code == 404
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("url", [RATES, RANKING])
def test_handlers_and_strangers_do_not_see_the_rates(client, loop, handler, url):
    assert client.get(url).status_code == 302
    client.force_login(handler)
    assert client.get(url).status_code == 403


@pytest.fixture
def last_month(tree, department_x, department_y):
    """Last month: X 2 of 3 on time, Y 2 of 2, Z 1 of 1; a street of the other district 1 of 2;
    department V only closed a suggestion (nothing due): not ranked by the on-time rate."""
    today = timezone.localdate()
    month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)

    def ago(day):
        return (today - (month + timedelta(days=day - 1))).days

    z = DepartmentFactory(name="平原街道办事处", area=tree.street)
    v = DepartmentFactory(name="梁园区人社局", area=tree.district)
    a, c = tree.community_a, tree.community_c
    for department, done in [(department_x, [9, 9, 12]), (department_y, [9, 9]), (z, [9])]:
        for n, done_on in enumerate(done):
            late = department == department_x and n == 2
            task(
                SuggestionFactory(area=a),
                department,
                due=ago(10),
                done=ago(done_on if not late else 12),
            )
    other = DepartmentFactory(name="睢阳区交警大队", area=tree.other_district)
    task(SuggestionFactory(area=c), other, due=ago(10), done=ago(9))
    task(SuggestionFactory(area=c), other, due=ago(10), done=ago(11))
    task(closed(a, days=ago(20), rating=5), v, due=ago(40), done=ago(40))
    refresh.rebuild()
    return month


def test_the_ranking_places_departments_and_streets_by_the_rate_chosen(
    english, tree, official, administrator, last_month
):
    english.force_login(official)
    response = english.get(RANKING, {"month": f"{last_month:%Y-%m}"})
    assert response.status_code == 200
    ranking = response.context["ranking"]
    places = [(row.rank, row.subject.name) for row in ranking.departments]
    # Equal rates share a place, the one with more tasks first; V had nothing due.
    assert places == [
        (1, "梁园区交警大队"),
        (1, "平原街道办事处"),
        (3, "梁园区市场监管局"),
        (None, "梁园区人社局"),
    ]
    assert [(row.rank, row.subject.name) for row in ranking.streets] == [(1, "平原街道")]
    assert f"{tree.street.name}" in response.text
    assert "<dt>On-time rate (按时办结率)</dt>" in response.text
    # By the resolution rate, V is the only one with anything to rank.
    response = english.get(RANKING, {"month": f"{last_month:%Y-%m}", "by": "resolution"})
    places = [(row.rank, row.subject.name) for row in response.context["ranking"].departments]
    assert places[0] == (1, "梁园区人社局")
    assert all(rank is None for rank, _name in places[1:])
    # The administrator ranks every street.
    english.force_login(administrator)
    ranking = english.get(RANKING, {"month": f"{last_month:%Y-%m}"}).context["ranking"]
    assert [(row.rank, row.subject.name) for row in ranking.streets] == [
        (1, "平原街道"),
        (2, "文化街道"),
    ]


@pytest.mark.parametrize(
    "page, shown",
    # past either end: the nearest page; not a number: the first
    [("2", 2), ("9", 2), ("-1", 2), ("0" * 500, 2), ("x", 1), ("", 1)],
)
def test_a_long_street_ranking_is_shown_a_page_at_a_time(
    english, tree, administrator, last_month, monkeypatch, page, shown
):
    monkeypatch.setattr(views, "STREETS_PER_PAGE", 1)
    english.force_login(administrator)
    params = {"month": f"{last_month:%Y-%m}", "by": "on_time", "page": page}
    response = english.get(RANKING, params)
    assert response.status_code == 200
    street = {1: (1, "平原街道"), 2: (2, "文化街道")}[shown]
    assert [(row.rank, row.subject.name) for row in response.context["streets"]] == [street]
    assert f"Places {shown}–{shown} of 2." in response.text
    other = 3 - shown
    assert f"?month={last_month:%Y-%m}&amp;by=on_time&amp;page={other}" in response.text


@pytest.mark.parametrize(
    "params",
    [{"month": "2019-01"}, {"month": "<b>x</b>"}, {"by": "speed"}, {"month": "x" * 3000}],
)
def test_a_month_or_rate_not_on_the_lists_shows_this_month(english, tree, official, params):
    english.force_login(official)
    response = english.get(RANKING, params)
    assert response.status_code == 200
    assert "Choose a month and a rate from the lists." in response.text
    assert response.context["month"] == timezone.localdate().replace(day=1)
    assert "<b>x</b>" not in response.text


def test_the_rates_pages_read_a_fixed_number_of_queries(
    client, loop, tree, official, django_assert_max_num_queries
):
    client.force_login(official)
    bounds = {}
    for url in [RATES, RANKING]:
        with django_assert_max_num_queries(16) as counted:
            assert client.get(url, {"area": tree.street.code}).status_code == 200
        bounds[url] = len(counted.captured_queries)
    for n in range(12):
        department = DepartmentFactory(area=tree.district if n % 2 else tree.street)
        task(SuggestionFactory(area=tree.community_b), department, due=1, done=n % 3)
        closed(tree.community_a, days=1, rating=n % 5 + 1)
    refresh.refresh_recent(3)
    for url in [RATES, RANKING]:
        with django_assert_max_num_queries(bounds[url]):
            response = client.get(url, {"area": tree.street.code})
        assert response.status_code == 200
    assert len(response.context["ranking"].departments) == 1 + 6  # Z and the new street ones


def test_callbacks_that_reached_the_rider_count_apart_from_online_ratings(loop, tree):
    from feedback.models import Callback

    s6 = closed(tree.community_a, days=1)
    task(s6, loop.x, due=3, done=3)
    task(s6, loop.x, due=3, done=3)  # two tasks of X: X counts the suggestion once
    task(s6, loop.z, due=3, done=3)
    s7 = closed(tree.community_b, days=1)
    task(s7, loop.z, due=3, done=3)
    Callback.objects.create(suggestion=s6, reached=False, created_at=days_ago(2))
    Callback.objects.create(suggestion=s6, reached=True, satisfaction=5, created_at=days_ago(1))
    Callback.objects.create(suggestion=s7, reached=True, satisfaction=2, created_at=days_ago(1))
    Callback.objects.create(suggestion=s7, reached=True, satisfaction=4, created_at=days_ago(30))
    refresh.rebuild()
    street = Summary(tree.street, loop.recent).total
    assert street.rate(rates.SATISFACTION_CALLBACK) == Rate(1, 2)
    assert street.rate(rates.SATISFACTION_ONLINE) == Rate(1, 2)  # s1 and s3, as before
    departments = department_figures(tree.district, loop.recent)
    assert departments[loop.x.pk].rate(rates.SATISFACTION_CALLBACK) == Rate(1, 1)
    assert departments[loop.z.pk].rate(rates.SATISFACTION_CALLBACK) == Rate(1, 2)


def test_the_export_has_the_rates_with_their_counts_and_definitions(english, loop, tree, official):
    from io import BytesIO

    from openpyxl import load_workbook

    english.force_login(official)
    params = {"start": loop.recent.start, "end": loop.recent.end}
    response = english.get("/staff/dashboard/export.xlsx", params)
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content)))["Rates"]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    header = rows[1]
    assert header[:7] == [
        "Area",
        "Response rate",
        "Response rate: counted",
        "Response rate: out of",
        "On-time rate",
        "On-time rate: counted",
        "On-time rate: out of",
    ]
    total = next(row for row in rows if row[0] == "Total")
    on_time = header.index("On-time rate")
    assert total[on_time : on_time + 3] == [0.6, 3, 5]
    assert sheet.cell(rows.index(total) + 1, on_time + 1).number_format == "0.0%"
    terms = [row[0] for row in rows[rows.index(total) + 1 :] if row and row[0]]
    assert "On-time rate (按时办结率)" in terms
