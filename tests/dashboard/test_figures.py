"""Every dashboard figure against the hand-counted data set of conftest.py."""

import random
from collections import Counter
from datetime import date, timedelta

import pytest
from django.utils import timezone

from dashboard import refresh
from dashboard.models import Span
from dashboard.sections import HEADLINE_NOW, HEADLINE_PERIOD, headline, tables
from dashboard.spans import next_month, spans
from dashboard.summary import Period, Summary, median_of_histogram
from tests.factories import EnterpriseFactory, SuggestionFactory, TaskFactory

pytestmark = pytest.mark.django_db


def recent(counted) -> Period:
    return Period(counted.today - timedelta(days=3), counted.today)


def figures_of(summary: Summary, slug: str) -> dict:
    """{row label: {column label: value}} of one section, with the total as "Total"."""
    [table] = [table for table in tables(summary) if table.section.slug == slug]
    labels = [str(column.label) for column in table.section.columns]
    rows = {
        (area.name if area else "itself"): dict(zip(labels, [v for v, _k in cells], strict=True))
        for area, cells in table.rows
    }
    rows["Total"] = dict(zip(labels, [v for v, _k in table.total], strict=True))
    return rows


def test_workers_by_child_area_of_the_district(counted, tree, english):
    workers = figures_of(Summary(tree.district, recent(counted)), "workers")
    assert workers["Total"] == {
        "Registered": 6,
        "New in the period": 6,
        "Waiting for confirmation": 1,
        "Left or moved away": 1,
    }
    # The district has one street; its row is the whole district.
    assert workers["平原街道"] == workers["Total"]


def test_the_street_breaks_down_by_community(counted, tree, english):
    summary = Summary(tree.street, recent(counted))
    workers = figures_of(summary, "workers")
    assert workers["建设路社区"]["Registered"] == 5
    assert workers["建设路社区"]["New in the period"] == 5  # 张四 registered today, then left
    assert workers["平原路社区"]["Registered"] == 1
    assert workers["Total"]["Registered"] == 6
    occupations = figures_of(summary, "occupations")
    assert occupations["建设路社区"]["Courier"] == 1
    assert occupations["建设路社区"]["Food-delivery rider"] == 4
    assert occupations["平原路社区"]["Courier"] == 1
    platforms = figures_of(summary, "platforms")
    assert platforms["Total"]["Meituan"] == 1
    assert platforms["Total"]["Ele.me"] == 4
    assert platforms["Total"]["SF Express"] == 1


def test_the_city_counts_both_districts(counted, tree, english):
    summary = Summary(tree.city, recent(counted))
    workers = figures_of(summary, "workers")
    assert workers["Total"]["Registered"] == 7
    assert workers["睢阳区"]["Waiting for confirmation"] == 1
    coverage = figures_of(summary, "coverage")
    assert coverage["Total"] == {
        "Enterprises": 3,
        "With a party organisation": 2,
        "Coverage rate": pytest.approx(2 / 3),
    }
    assert coverage["梁园区"]["Coverage rate"] == 0.5
    assert coverage["睢阳区"]["Coverage rate"] == 1.0


def test_party_members_care_visits_and_stations(counted, tree, english):
    summary = Summary(tree.street, recent(counted))
    assert figures_of(summary, "party")["建设路社区"] == {
        "Party members": 2,
        "Reported to the community": 1,
        "Share reported": 0.5,
        "Mobile party members": 1,
        "Mobile members reported": 1,
    }
    assert figures_of(summary, "care")["Total"] == {"Visits due": 2, "Of which overdue": 1}
    stations = figures_of(summary, "stations")["Total"]
    assert stations["Stations"] == 2
    assert stations["Check-ins in the period"] == 3
    assert stations["Check-ins per day"] == 3 / 4
    assert stations["Standard compliance"] == pytest.approx(2 / 18)  # 2 of 9 items, 2 stations
    kinds = figures_of(summary, "station_kinds")
    assert kinds["建设路社区"]["Warm-heart station"] == 1
    assert kinds["平原路社区"]["Friendly merchant"] == 1
    per_day = figures_of(summary, "kind_checkins")
    assert per_day["建设路社区"]["Warm-heart station"] == 3 / 4  # 3 check-ins in 4 days
    assert per_day["Total"]["Friendly merchant"] == 0


def test_the_suggestion_loop_in_a_recent_period(counted, tree, english):
    summary = Summary(tree.street, recent(counted))
    assert figures_of(summary, "funnel")["Total"] == {
        "Collected": 3,
        "Assessed": 2,
        "Tasks assigned": 1,
        "Tasks done": 0,
        "Resolved": 1,
        "Median days to resolve": 2,
        "Ratings": 1,
        "Satisfaction (1–5)": 4,
    }
    states = figures_of(summary, "states")["Total"]
    assert states["Waiting for assessment"] == 1
    assert states["Accepted, being worked on"] == 1
    assert states["Resolved"] == 2
    assert states["Overdue tasks"] == 1
    assert summary.departments == [("梁园区市场监管局", 1)]


def test_an_older_period_counts_only_what_happened_in_it(counted, tree, english):
    summary = Summary(tree.street, counted.old_period)
    assert figures_of(summary, "workers")["Total"]["New in the period"] == 1
    assert figures_of(summary, "stations")["Total"]["Check-ins in the period"] == 1
    funnel = figures_of(summary, "funnel")["Total"]
    assert funnel["Collected"] == 0  # submitted 45 days ago, before the period
    assert funnel["Resolved"] == 1
    assert funnel["Median days to resolve"] == 5
    assert funnel["Satisfaction (1–5)"] == 2
    points = figures_of(summary, "points")["Total"]
    assert points["Points earned in the period"] == 5
    assert points["Points redeemed in the period"] == 0
    # Figures of how things stand now do not depend on the period.
    assert figures_of(summary, "workers")["Total"]["Registered"] == 6


def test_points_and_volunteers(counted, tree, english):
    points = figures_of(Summary(tree.community_a, recent(counted)), "points")["Total"]
    assert points == {
        "Points earned in the period": 10,
        "Points redeemed in the period": 6,
        "Volunteer team members": 1,
        "Active volunteers": 1,
    }


def test_a_community_has_no_child_rows_only_its_total(counted, tree, english):
    summary = Summary(tree.community_b, recent(counted))
    assert summary.rows == []
    assert figures_of(summary, "workers") == {
        "Total": {
            "Registered": 1,
            "New in the period": 1,
            "Waiting for confirmation": 0,
            "Left or moved away": 0,
        }
    }


def test_headline_figures_of_the_period_and_of_now(counted, tree, english):
    summary = Summary(tree.city, recent(counted))
    assert {str(label): value for label, value, _kind in headline(summary, HEADLINE_PERIOD)} == {
        "New registrations": 7,
        "Station check-ins": 3,
        "Suggestions collected": 3,
        "Suggestions resolved": 1,
    }
    assert {str(label): value for label, value, _kind in headline(summary, HEADLINE_NOW)} == {
        "Registered workers": 7,
        "Party members": 2,
        "Enterprise coverage": pytest.approx(2 / 3),
        "Open suggestions": 2,
        "Overdue tasks": 1,
    }
    # An old period: what happened in it; how things stand now does not change.
    old = Summary(tree.city, counted.old_period)
    assert [value for _label, value, _kind in headline(old, HEADLINE_PERIOD)] == [1, 1, 0, 1]
    assert headline(old, HEADLINE_NOW)[0][1] == 7


def test_what_belongs_to_an_area_itself_gets_its_own_row(counted, tree, english):
    EnterpriseFactory(area=tree.district, party_organisation="own_branch")
    refresh.refresh_recent(1)
    coverage = figures_of(Summary(tree.district, recent(counted)), "coverage")
    assert coverage["itself"]["Enterprises"] == 1
    assert coverage["平原街道"]["Enterprises"] == 2
    assert coverage["Total"]["Enterprises"] == 3


def test_the_trends_of_a_short_period_have_a_bar_a_day(counted, tree):
    summary = Summary(tree.street, recent(counted))
    assert not summary.by_week
    assert summary.bars == [counted.today - timedelta(days=n) for n in (3, 2, 1, 0)]
    assert summary.trends["registered"] == [0, 0, 0, 6]
    assert summary.trends["checkins"] == [0, 0, 0, 3]
    assert summary.trends["resolved"] == [0, 0, 0, 1]


@pytest.mark.parametrize("weeks_back", [52, 60])
def test_the_trends_of_a_long_period_put_each_day_in_its_week(counted, tree, weeks_back):
    today = counted.today
    start = today - timedelta(weeks=weeks_back, days=3)  # not a Monday unless today is Thursday
    summary = Summary(tree.street, Period(start, today))
    assert summary.by_week
    assert summary.bars[0] == start
    assert all(day.weekday() == 0 for day in summary.bars[1:])
    assert summary.bars[-1] == today - timedelta(days=today.weekday()) or today.weekday() == 0
    registered = summary.trends["registered"]
    assert sum(registered) == 7
    assert registered[-1] == 6
    old_day = today - timedelta(days=40)
    assert registered[summary.bars.index(old_day - timedelta(days=old_day.weekday()))] == 1
    assert sum(summary.trends["checkins"]) == 4
    assert sum(summary.trends["resolved"]) == 2


def test_the_trends_of_a_period_ending_mid_week_leave_out_the_days_after_it(counted, tree):
    old_day = counted.today - timedelta(days=40)
    # A long period ending the day before the old registration, then one ending on it.
    for end, registered in [(old_day - timedelta(days=1), 0), (old_day, 1)]:
        summary = Summary(tree.street, Period(end - timedelta(days=100), end))
        assert sum(summary.trends["registered"]) == registered
        assert sum(summary.trends["checkins"]) == registered


@pytest.mark.parametrize(
    ("histogram", "median"),
    [
        ({}, None),
        ({"3": 1}, 3),
        ({"1": 1, "5": 1}, 3),
        ({"0": 2, "7": 1}, 0),
        ({"2": 1, "4": 2, "9": 1}, 4),
        ({"1": 3, "2": 3}, 1.5),
    ],
)
def test_median_of_a_histogram(histogram, median):
    assert median_of_histogram(Counter(histogram)) == median


def covered_days(covered):
    days = set(covered[Span.DAY])
    for monday in covered[Span.WEEK]:
        days.update(monday + timedelta(days=n) for n in range(7))
    for first in covered[Span.MONTH]:
        days.update(first + timedelta(days=n) for n in range((next_month(first) - first).days))
    return days


@pytest.mark.parametrize("seed", range(20))
def test_a_period_is_covered_by_whole_months_then_weeks_then_days(seed):
    rng = random.Random(seed)
    start = date(2025, 1, 1) + timedelta(days=rng.randint(0, 700))
    end = start + timedelta(days=rng.randint(0, 3 * 366))
    covered = spans(start, end)
    assert covered_days(covered) == {
        start + timedelta(days=n) for n in range((end - start).days + 1)
    }
    assert sum(len(firsts) for firsts in covered.values()) <= 36 + 2 * (4 + 6)


def test_a_year_reads_two_dozen_rows_per_figure_not_365():
    covered = spans(date(2025, 12, 3), date(2026, 12, 2))
    assert covered[Span.MONTH] == [date(2026, month, 1) for month in range(1, 12)]
    assert covered[Span.WEEK] == [date(2025, 12, 8), date(2025, 12, 15), date(2025, 12, 22)]
    assert len(covered[Span.DAY]) == 10  # 3–7 and 29–31 December 2025, 1–2 December 2026


def test_a_task_counts_as_overdue_from_the_minute_its_deadline_passes(tree, department_x, english):
    """An urgent task is due within hours: past that moment it is overdue, the same day."""
    now = timezone.now()
    accepted = SuggestionFactory(area=tree.community_a, state="accepted")
    TaskFactory(suggestion=accepted, department=department_x, due_at=now - timedelta(minutes=5))
    TaskFactory(suggestion=accepted, department=department_x, due_at=now + timedelta(minutes=5))
    refresh.refresh_recent(1)
    summary = Summary(tree.street, Period(timezone.localdate(), timezone.localdate()))
    assert figures_of(summary, "states")["Total"]["Overdue tasks"] == 1
