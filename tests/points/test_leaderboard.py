"""The monthly points leaderboard of a community: earned points this calendar month in
Shanghai time, the top ten, names masked; for staff in scope and on a station's page."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from points import leaderboard
from points.models import Entry, EntryKind
from points.services.ledger import award
from tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=SHANGHAI)


def entry(worker, amount, at, kind=EntryKind.ACTIVITY):
    return Entry.objects.create(worker=worker, amount=amount, kind=kind, created_at=at)


def test_it_counts_points_earned_this_month_in_shanghai_time(tree):
    sun = WorkerFactory(name="孙悟空", area=tree.community_a)
    zhu = WorkerFactory(name="猪八戒", area=tree.community_a)
    # 00:30 on 1 November in Shanghai is still 31 October in UTC: it counts.
    entry(sun, 10, datetime(2026, 11, 1, 0, 30, tzinfo=SHANGHAI))
    entry(sun, 5, datetime(2026, 11, 20, tzinfo=SHANGHAI), EntryKind.HAZARD_ACCEPTED)
    entry(zhu, 50, datetime(2026, 10, 31, 23, 30, tzinfo=SHANGHAI))  # last month
    entry(zhu, 8, datetime(2026, 11, 2, tzinfo=SHANGHAI))
    entry(zhu, -8, datetime(2026, 11, 3, tzinfo=SHANGHAI), EntryKind.REDEMPTION)
    entry(zhu, 8, datetime(2026, 11, 4, tzinfo=SHANGHAI), EntryKind.REFUND)  # not earned
    places = leaderboard.monthly(tree.community_a, now=NOW)
    assert [(p.rank, p.name, p.points) for p in places] == [(1, "孙*", 15), (2, "猪*", 8)]


def test_it_shows_the_top_ten_of_the_community_only(tree):
    for points in range(1, 13):
        award(WorkerFactory(name=f"王{points}", area=tree.community_a), points, EntryKind.GRID_DUTY)
    award(WorkerFactory(name="李四", area=tree.community_b), 100, EntryKind.GRID_DUTY)
    places = leaderboard.monthly(tree.community_a)
    assert [p.points for p in places] == list(range(12, 2, -1))
    assert {p.name for p in places} == {"王*"}


def test_riders_who_withdrew_their_consent_are_not_shown(tree):
    gone = WorkerFactory(name="孙悟空", area=tree.community_a)
    award(gone, 10, EntryKind.GRID_DUTY)
    gone.consent_withdrawn_at = NOW
    gone.save()
    assert leaderboard.monthly(tree.community_a) == []


def test_staff_see_the_board_of_their_community(client, tree, staff_a):
    award(WorkerFactory(name="孙悟空", area=tree.community_a), 10, EntryKind.GRID_DUTY)
    client.force_login(staff_a)
    response = client.get(reverse("points:leaderboard"))
    assert [p.name for p in response.context["places"]] == ["孙*"]
    assert "孙悟空" not in response.text


def test_officials_choose_down_to_a_community(client, tree, official):
    client.force_login(official)
    district = client.get(reverse("points:leaderboard"))
    assert district.context["places"] is None
    assert [a.name for a in district.context["choices"]] == ["平原街道"]
    board = client.get(reverse("points:leaderboard"), {"area": tree.community_b.code})
    assert board.context["places"] == [] and board.context["area"] == tree.community_b


def test_a_community_outside_the_scope_is_not_found(client, tree, staff_b, official):
    client.force_login(staff_b)
    assert (
        client.get(reverse("points:leaderboard"), {"area": tree.community_a.code}).status_code
        == 404
    )
    client.force_login(official)
    assert (
        client.get(reverse("points:leaderboard"), {"area": tree.community_c.code}).status_code
        == 404
    )


def test_the_station_page_shows_its_communitys_board(
    client, tree, station_a, django_assert_max_num_queries
):
    award(WorkerFactory(name="孙悟空", area=tree.community_a), 10, EntryKind.GRID_DUTY)
    award(WorkerFactory(name="李四", area=tree.community_b), 99, EntryKind.GRID_DUTY)
    landing = client.get(reverse("stations:landing", args=[station_a.token]))
    url = reverse("points:station_leaderboard", args=[station_a.token])
    assert f'href="{url}"' in landing.text
    response = client.get(url)
    assert "孙*" in response.text and "孙悟空" not in response.text and "李" not in response.text
    with django_assert_max_num_queries(1):  # the station; the board is cached for a few minutes
        client.get(url)


def test_an_unknown_station_is_not_found(client, tree):
    assert client.get(reverse("points:station_leaderboard", args=["nonsense"])).status_code == 404


@pytest.mark.parametrize("rows", [5, 50])
def test_the_board_is_one_query_however_many_riders(
    client, tree, staff_a, rows, django_assert_max_num_queries
):
    for _number in range(rows):
        award(WorkerFactory(area=tree.community_a), 3, EntryKind.GRID_DUTY)
    client.force_login(staff_a)
    with django_assert_max_num_queries(10):
        client.get(reverse("points:leaderboard"))


def test_the_station_landing_page_shows_the_top_three_of_its_community(client, tree, station_a):
    for name, points in [("孙悟空", 40), ("猪八戒", 30), ("沙和尚", 20), ("白龙马", 10)]:
        award(WorkerFactory(name=name, area=tree.community_a), points, EntryKind.GRID_DUTY)
    award(WorkerFactory(name="李四", area=tree.community_b), 99, EntryKind.GRID_DUTY)
    text = client.get(reverse("stations:landing", args=[station_a.token])).text
    assert text.index("孙*") < text.index("猪*") < text.index("沙*")
    assert "白*" not in text and "李*" not in text and "孙悟空" not in text
