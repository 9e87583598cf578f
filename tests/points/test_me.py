"""The rider's page (我的): balance, history newest first, and the sections other apps add."""

import pytest
from django.urls import reverse
from django.utils.translation import gettext as _

from points.models import EntryKind
from points.services.ledger import award
from portal import slots
from tests.factories import SuggestionFactory, WorkerFactory
from tests.riders import sign_in_rider

pytestmark = pytest.mark.django_db


def test_the_page_needs_a_signed_in_rider(client, tree):
    response = client.get(reverse("points:me"))
    assert response["Location"] == reverse("registry:sign_in") + "?next=%2Fme%2F"


def test_it_shows_the_balance_and_the_history_newest_first(rider_client, rider, staff_a):
    award(rider, 30, EntryKind.ACTIVITY, note="夏送清凉志愿服务")
    award(rider, 10, EntryKind.HAZARD_ACCEPTED, note="随手拍 井盖缺失")
    award(rider, -15, EntryKind.REDEMPTION, note="兑换 雨衣")
    text = rider_client.get(reverse("points:me")).text
    assert '<div class="stat-figure">25</div>' in text
    assert text.index("兑换 雨衣") < text.index("随手拍 井盖缺失") < text.index("夏送清凉志愿服务")
    assert "-15" in text and "+10" in text and "+30" in text
    assert reverse("points:card") in text


def test_another_riders_points_are_not_shown(rider_client, tree):
    other = WorkerFactory(area=tree.community_a)
    award(other, 50, EntryKind.ACTIVITY, note="别人的活动")
    text = rider_client.get(reverse("points:me")).text
    assert "别人的活动" not in text
    assert '<div class="stat-figure">0</div>' in text
    assert (
        _("No points yet. Volunteer service, grid duties and accepted hazard reports earn points.")
        in text
    )


def test_a_long_history_comes_in_pages_of_20(rider_client, rider):
    for n in range(25):
        award(rider, 1, EntryKind.GRID_DUTY, note=f"网格巡查 第{n}次")
    first = rider_client.get(reverse("points:me")).text
    assert "网格巡查 第24次" in first and "网格巡查 第5次" in first
    assert "网格巡查 第4次" not in first
    second = rider_client.get(reverse("points:me"), {"page": 2}).text
    assert "网格巡查 第4次" in second and "网格巡查 第5次" not in second


@pytest.mark.parametrize("rows", [5, 50])
def test_the_page_takes_the_same_queries_for_5_or_50_entries_and_suggestions(
    rider_client, rider, django_assert_max_num_queries, rows
):
    for n in range(rows):
        award(rider, 1, EntryKind.GRID_DUTY, note=f"网格巡查 {n}")
        SuggestionFactory(area=rider.area, worker=rider)
    # Session, rider, balance, a page of entries with its count, the suggestions; room for the
    # sections of activities and redemptions (two queries each), of recruitment calls (two), the
    # volunteer record (its hours by year, the star levels, and its activities when it has hours)
    # and the certificates.
    with django_assert_max_num_queries(16):
        assert rider_client.get(reverse("points:me")).status_code == 200


def test_my_suggestions_lists_the_riders_own_with_their_state_and_tracking_page(
    rider_client, rider, tree
):
    mine = SuggestionFactory(area=rider.area, worker=rider, category="hazard", state="accepted")
    someone_elses = SuggestionFactory(area=rider.area, worker=WorkerFactory(area=tree.community_a))
    anonymous = SuggestionFactory(area=rider.area)
    text = rider_client.get(reverse("points:me")).text
    assert _("My suggestions") in text
    assert reverse("feedback:track", args=[mine.tracking_code]) in text
    assert mine.get_category_display() in text and mine.get_state_display() in text
    assert someone_elses.tracking_code not in text
    assert anonymous.tracking_code not in text


def test_sections_show_in_their_order(rider_client, monkeypatch, tmp_path, settings):
    monkeypatch.setitem(slots.SLOTS, slots.RIDER_PAGE, [])
    (tmp_path / "second.html").write_text("<p>SECOND {{ name }}</p>")
    (tmp_path / "first.html").write_text("<p>FIRST {{ name }}</p>")
    template_settings = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**template_settings, "DIRS": [*template_settings["DIRS"], tmp_path]}]
    slots.add(slots.RIDER_PAGE, "second.html", lambda worker: {"name": worker.name}, order=20)
    slots.add(slots.RIDER_PAGE, "first.html", lambda worker: {"name": worker.name}, order=10)
    text = rider_client.get(reverse("points:me")).text
    assert text.index("FIRST 孙丽") < text.index("SECOND 孙丽")


def test_a_pending_rider_sees_their_registration_waits_for_the_community(client, tree):
    worker = WorkerFactory(area=tree.community_a, status="pending")
    page = sign_in_rider(client, worker).get(reverse("points:me")).text
    assert "待社区确认" in page
    assert reverse("registry:withdraw") in page


def test_a_confirmed_rider_sees_their_community_and_how_to_update(rider_client, rider):
    page = rider_client.get(reverse("points:me")).text
    assert "待社区确认" not in page
    assert f"?community={rider.area.code}" in page  # update my details
