"""Shown where riders scan: a station's landing page and the friendly map show what was done near
the station and what is reported there and still open, from the public summaries staff approve;
a rider adds 我也遇到了 to an open one instead of filing it again."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from feedback import services
from feedback.models import Event, State, Suggestion, Support, Task, TaskPhoto
from feedback.selectors import METRES_PER_DEGREE, NEAR_METRES
from registry.services import merge_duplicate
from stations import landing_cache
from stations.models import Amenity, StationAmenity
from tests.factories import (
    DepartmentFactory,
    StationFactory,
    SuggestionFactory,
    TaskFactory,
    WorkerFactory,
)
from tests.riders import sign_in_rider
from tests.sms import last_code

pytestmark = pytest.mark.django_db

LAT, LNG = Decimal("34.414000"), Decimal("115.656000")  # StationFactory's place


@pytest.fixture(autouse=True)
def fresh_landing_pages():
    """Each test renders the landing page afresh (it is kept 10 s per process)."""
    landing_cache.pages.clear()


@pytest.fixture
def station(tree):
    return StationFactory(name="建设路暖心驿站", area=tree.community_a)


def published(station, summary, *, state=State.RESOLVED, days_ago=1, **fields):
    """A suggestion filed at `station` whose public summary staff approved."""
    at = timezone.now() - timedelta(days=days_ago)
    fields.setdefault("area", station.area)
    fields.setdefault("station", station)
    return SuggestionFactory(
        state=state,
        public_summary=summary,
        summary_approved_at=at,
        submitted_at=at - timedelta(days=3),
        resolved_at=at if state in (State.RESOLVED, State.CLOSED) else None,
        **fields,
    )


def result_photo(suggestion, **fields):
    """A result photo of the suggestion's (done) task, published unless told otherwise."""
    task = TaskFactory(
        suggestion=suggestion,
        state=Task.State.DONE,
        department=DepartmentFactory(area=suggestion.area),
    )
    fields.setdefault("published", True)
    return TaskPhoto.objects.create(
        task=task,
        image=ContentFile(b"photo", name="result.jpg"),
        thumbnail=ContentFile(b"thumbnail", name="result-thumbnail.jpg"),
        state="ready",
        **fields,
    )


def photo_url(photo, which="thumbnail_file"):
    return reverse("feedback:done_photo", args=[getattr(photo, which)])


def landing(client, station):
    return client.get(reverse("stations:landing", args=[station.token]))


def support_url(station, suggestion):
    return reverse("feedback:support", args=[station.token, suggestion.public_id])


def metres_north(metres):
    return LAT + Decimal(metres / METRES_PER_DEGREE).quantize(Decimal("0.000001"))


# What the landing page shows


def test_the_landing_page_shows_what_was_done_here_with_category_summary_and_date(client, station):
    done = published(station, "路口加装了两盏路灯", category="hazard", days_ago=2)
    text = landing(client, station).text
    assert _("What was done here") in text
    assert "路口加装了两盏路灯" in text
    assert _("Hazard snapshot") in text
    assert timezone.localtime(done.resolved_at).strftime("%Y-%m-%d") in text


def test_an_open_report_near_shows_with_its_me_too_button_and_count(client, station, tree):
    report = published(station, "3号楼门口井盖松动", state=State.ACCEPTED, category="hazard")
    for worker in WorkerFactory.create_batch(2, area=tree.community_a):
        Support.objects.create(suggestion=report, worker=worker)
    text = landing(client, station).text
    assert _("Already reported here") in text
    assert "3号楼门口井盖松动" in text
    assert f'href="{support_url(station, report)}"' in text
    assert "2 位骑手也遇到了" in text


def test_nothing_unpublished_rejected_duplicate_or_personal_appears(client, station):
    secret = {"name": "王小明", "mobile": "13912345678", "text": "我家楼道里有人飞线充电"}
    unpublished = SuggestionFactory(
        area=station.area, station=station, state=State.RESOLVED, **secret
    )
    rejected = published(station, "驳回的摘要", state=State.REJECTED)
    original = published(station, "原件摘要", state=State.ACCEPTED)
    duplicate = published(station, "重复的摘要", state=State.DUPLICATE, original=original)
    shown = published(station, "已处理：楼道电线已拆除", **secret)
    text = landing(client, station).text
    assert "楼道电线已拆除" in text and "原件摘要" in text
    for hidden in ["驳回的摘要", "重复的摘要", *secret.values()]:
        assert hidden not in text
    # The tracking code lets whoever holds it rate or reopen: never on a public page.
    for suggestion in (unpublished, rejected, duplicate, shown, original):
        assert suggestion.tracking_code not in text


def test_near_means_at_the_station_or_within_300_metres_of_it(client, station, tree):
    other = StationFactory(area=tree.community_b, latitude="34.500000", longitude="115.700000")
    published(station, "本站：饮水机修好了", latitude=None, longitude=None)
    published(other, "隔壁：路口护栏修好了", latitude=metres_north(250), longitude=LNG)
    published(other, "远处：别的街道的事", latitude=metres_north(NEAR_METRES * 2), longitude=LNG)
    published(other, "另一驿站：没有位置", latitude=None, longitude=None)
    text = landing(client, station).text
    assert "本站：饮水机修好了" in text
    assert "隔壁：路口护栏修好了" in text
    assert text.count(_("nearby")) == 1  # the one filed at another station
    assert "远处" not in text and "另一驿站" not in text


def test_a_station_without_a_place_shows_only_what_was_filed_at_it(client, tree):
    station = StationFactory(area=tree.community_a, latitude=None, longitude=None)
    published(station, "本站的事")
    published(StationFactory(area=tree.community_a), "坐标附近的事", latitude=LAT, longitude=LNG)
    text = landing(client, station).text
    assert "本站的事" in text and "坐标附近的事" not in text


def test_the_last_three_done_and_the_last_three_open_show_newest_first(client, station):
    for day in range(1, 6):
        published(station, f"办结第{day}天", days_ago=day)
        published(station, f"未结第{day}天", days_ago=day, state=State.SUBMITTED)
    text = landing(client, station).text
    shown = re.findall(r"(办结|未结)第(\d)天", text)
    assert shown == [("办结", "1"), ("办结", "2"), ("办结", "3")] + [
        ("未结", "1"),
        ("未结", "2"),
        ("未结", "3"),
    ]


def test_a_station_with_nothing_published_near_shows_no_section(client, station):
    SuggestionFactory(area=station.area, station=station, state=State.RESOLVED)
    text = landing(client, station).text
    assert _("What was done here") not in text and _("Already reported here") not in text


# The result photo staff published


@pytest.fixture(autouse=True)
def _media(media):
    """Result photos go to the test's own folder."""


def test_a_published_result_photo_shows_with_what_was_done_and_anyone_may_open_it(client, station):
    photo = result_photo(published(station, "路灯修好了"))
    text = landing(client, station).text
    assert f'src="{photo_url(photo)}"' in text
    assert photo.image.name not in text  # never a /media/ address
    assert client.get(photo_url(photo)).status_code == 200
    assert client.get(photo_url(photo, "image_file")).status_code == 200


@pytest.mark.parametrize(
    ("photo_fields", "suggestion_fields"),
    [
        ({"published": False}, {}),  # staff did not publish the photo
        ({"hidden": True}, {}),  # a moderator hid it
        ({}, {"summary_approved_at": None, "public_summary": ""}),  # the suggestion is not shown
        ({}, {"state": State.ACCEPTED, "resolved_at": None}),  # not done (reopened)
        ({}, {"state": State.REJECTED}),
    ],
)
def test_a_photo_not_published_or_of_a_suggestion_not_shown_as_done_is_nowhere(
    client, station, photo_fields, suggestion_fields
):
    suggestion = published(station, "路灯修好了")
    photo = result_photo(suggestion, **photo_fields)
    Suggestion.objects.filter(pk=suggestion.pk).update(**suggestion_fields)
    assert photo.thumbnail_file not in landing(client, station).text
    assert photo.thumbnail_file not in client.get(reverse("stations:map")).text
    assert client.get(photo_url(photo)).status_code == 404


def test_the_map_shows_the_published_result_photo(client, station):
    photo = result_photo(published(station, "路灯修好了"))
    assert f'src="{photo_url(photo)}"' in client.get(reverse("stations:map")).text


# The landing page's budget with a full section


@pytest.fixture
def full_station(station, tree):
    """All twelve amenities, three resolved and three open reports with the longest summaries,
    each open one with supporters."""
    StationAmenity.objects.bulk_create(
        StationAmenity(station=station, amenity=amenity) for amenity in Amenity.values
    )
    summary = "路口积水严重，" * 20
    for day in range(3):
        result_photo(published(station, summary[:140], days_ago=day + 1))
        report = published(station, summary[:140], days_ago=day + 1, state=State.ACCEPTED)
        Support.objects.create(suggestion=report, worker=WorkerFactory(area=tree.community_a))
    return station


def test_with_a_full_section_the_landing_page_takes_at_most_four_queries(
    client, full_station, django_assert_max_num_queries
):
    # The station with its amenities, then points' leaderboard, what was done here and the open
    # recruitment calls (stations/views/landing.py).
    with django_assert_max_num_queries(4):
        text = landing(client, full_station).text
    assert text.count('class="tag') == 6


def test_with_a_full_section_the_page_has_no_script_and_weighs_under_30_kb(client, full_station):
    html = landing(client, full_station).content
    assert b"<script" not in html.lower()
    total = len(html)
    for href in re.findall(rb'<link rel="stylesheet" href="([^"]+)"', html):
        path = finders.find(href.decode().removeprefix("/" + settings.STATIC_URL.lstrip("/")))
        with open(path, "rb") as file:
            total += len(file.read())
    assert total < 30 * 1024


def test_a_signed_in_riders_page_with_a_full_section_stays_within_its_queries(
    full_station, worker_a, django_assert_max_num_queries
):
    rider = sign_in_rider(Client(), worker_a)
    with django_assert_max_num_queries(8):
        assert landing(rider, full_station).status_code == 200


def test_an_approved_summary_shows_on_the_landing_page_at_once(
    client, station, staff_a, django_capture_on_commit_callbacks
):
    report = SuggestionFactory(area=station.area, station=station, state=State.ACCEPTED)
    assert "充电桩已报修" not in landing(client, station).text  # now kept for a few seconds
    with django_capture_on_commit_callbacks(execute=True):
        services.publish_summary(report, "充电桩已报修", version=None, by=staff_a)
    assert "充电桩已报修" in landing(client, station).text
    with django_capture_on_commit_callbacks(execute=True):
        services.withdraw_summary(report, version=None, by=staff_a)
    assert "充电桩已报修" not in landing(client, station).text


# The friendly map


def test_the_map_shows_what_was_done_near_its_stations_with_a_link_to_the_station(
    client, station, tree
):
    published(station, "驿站门口的坑填平了", category="hazard")
    published(station, "还在处理的事", state=State.ACCEPTED)
    SuggestionFactory(area=station.area, station=station, state=State.RESOLVED, text="没公开的")
    text = client.get(reverse("stations:map")).text
    assert _("Done lately near these stations") in text
    assert "驿站门口的坑填平了" in text
    assert f'href="{reverse("stations:landing", args=[station.token])}">建设路暖心驿站' in text
    assert "还在处理的事" not in text and "没公开的" not in text


def test_the_map_shows_nothing_of_stations_not_on_its_page(client, station, tree):
    far = StationFactory(area=tree.community_c, kind="merchant", latitude="34.000000")
    published(far, "别处的事", area=tree.community_c)
    text = client.get(reverse("stations:map"), {"kind": "warm_station"}).text
    assert "别处的事" not in text


# 我也遇到了


@pytest.fixture
def report(station):
    return published(station, "3号楼门口井盖松动", state=State.ACCEPTED, category="hazard")


def test_a_signed_in_rider_adds_me_too_once_and_no_suggestion_is_filed(
    client, station, report, worker_a
):
    rider = sign_in_rider(client, worker_a)
    page = rider.get(support_url(station, report)).text
    assert "3号楼门口井盖松动" in page
    response = rider.post(support_url(station, report))
    assert response["Location"] == reverse("stations:landing", args=[station.token])
    again = rider.post(support_url(station, report), follow=True)
    assert _("You said so before: each rider counts once.") in again.text
    assert Support.objects.get().worker == worker_a
    assert Suggestion.objects.count() == 1
    event = report.events.get(kind=Event.Kind.SUPPORTED)
    assert (event.actor, event.public, event.text) == (None, False, "")
    assert (
        _("You said so already: you are counted.") in rider.get(support_url(station, report)).text
    )


def test_an_anonymous_post_counts_nothing_however_often(client, station, report, texts):
    for _attempt in range(3):
        response = client.post(support_url(station, report))
        assert response.status_code == 200  # the mobile is asked for
    client.post(support_url(station, report), {"mobile": "138 0000 0001"})  # code never given
    assert not Support.objects.exists()


def test_a_rider_proves_the_mobile_with_a_code_and_is_counted_without_another_tap(
    client, station, report, worker_a, texts
):
    code_step = client.post(support_url(station, report), {"mobile": worker_a.mobile})
    assert code_step["Location"].startswith(reverse("registry:sign_in_code"))
    assert not Support.objects.exists()
    back = client.post(code_step["Location"], {"code": last_code(worker_a.mobile)})
    assert back["Location"] == support_url(station, report)
    arrived = client.get(back["Location"])
    assert arrived["Location"] == reverse("stations:landing", args=[station.token])
    assert Support.objects.get().worker == worker_a
    assert "1 位骑手也遇到了" in client.get(arrived["Location"]).text


def test_a_new_rider_is_sent_to_registration_with_the_stations_community(
    client, station, report, tree, texts
):
    mobile = "13912345678"
    code_step = client.post(support_url(station, report), {"mobile": mobile})["Location"]
    to_register = client.post(code_step, {"code": last_code(mobile)})["Location"]
    assert to_register.startswith(reverse("registry:register"))
    assert f"community={tree.community_a.code}" in to_register
    assert not Support.objects.exists()


def test_the_submitter_cannot_support_their_own_report(client, station, worker_a):
    own = published(station, "自己的报告", state=State.ACCEPTED, worker=worker_a)
    response = sign_in_rider(client, worker_a).post(support_url(station, own), follow=True)
    assert _("This is your own report: it already counts you.") in response.text
    assert not Support.objects.exists()


@pytest.mark.parametrize(
    "fields",
    [
        {"summary_approved_at": None, "public_summary": ""},  # not published
        {"state": State.RESOLVED},  # no longer open
        {"state": State.REJECTED},
    ],
)
def test_only_an_open_published_report_near_the_station_takes_me_too(
    client, station, report, worker_a, fields
):
    Suggestion.objects.filter(pk=report.pk).update(**fields)
    rider = sign_in_rider(client, worker_a)
    assert rider.get(support_url(station, report)).status_code == 404
    assert rider.post(support_url(station, report)).status_code == 404
    assert not Support.objects.exists()


def test_a_report_far_from_the_station_in_the_address_is_not_found(client, report, tree, worker_a):
    far = StationFactory(area=tree.community_c, latitude="34.000000", longitude="115.000000")
    rider = sign_in_rider(client, worker_a)
    assert rider.post(support_url(far, report)).status_code == 404
    assert not Support.objects.exists()


def test_two_riders_count_two_and_staff_see_it_on_the_page_and_in_the_queue(
    client, station, tree, worker_a, staff_a
):
    waiting = published(station, "等待研判的报告", state=State.SUBMITTED)
    for worker in (worker_a, WorkerFactory(area=tree.community_a)):
        services.support(waiting, worker)
    client.force_login(staff_a)
    page = client.get(reverse("feedback:suggestion", args=[waiting.pk])).text
    assert "2 位骑手也遇到了" in page
    assert worker_a.name not in page  # how many, not who
    queue = client.get(reverse("feedback:queue")).text
    assert "+2 位骑手" in queue


def test_the_queue_counts_support_without_a_query_per_row(
    client, station, tree, staff_a, django_assert_max_num_queries
):
    client.force_login(staff_a)
    for _row in range(3):
        report = published(station, "等待", state=State.SUBMITTED)
        Support.objects.create(suggestion=report, worker=WorkerFactory(area=tree.community_a))
    client.get(reverse("feedback:queue"))
    with django_assert_max_num_queries(12) as first:
        client.get(reverse("feedback:queue"))
    for _row in range(10):
        report = published(station, "等待", state=State.SUBMITTED)
        Support.objects.create(suggestion=report, worker=WorkerFactory(area=tree.community_a))
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(reverse("feedback:queue"))


def test_a_merged_registration_keeps_one_support_per_suggestion(station, tree, worker_a, staff_a):
    duplicate = WorkerFactory(area=tree.community_a)
    both = published(station, "两人都说了", state=State.ACCEPTED)
    only_duplicate = published(station, "只有重复的说了", state=State.ACCEPTED)
    services.support(both, worker_a)
    services.support(both, duplicate)
    services.support(only_duplicate, duplicate)
    merge_duplicate(duplicate, kept=worker_a, by=staff_a)
    assert set(Support.objects.filter(worker=worker_a).values_list("suggestion", flat=True)) == {
        both.pk,
        only_duplicate.pk,
    }


# The public summary: staff write or approve it on the suggestion's page


def summary_url(suggestion):
    return reverse("feedback:publish_summary", args=[suggestion.pk])


def test_staff_approve_a_summary_and_the_timeline_says_who_and_what(client, station, staff_a):
    report = SuggestionFactory(area=station.area, station=station, state=State.ACCEPTED)
    client.force_login(staff_a)
    page = client.get(reverse("feedback:suggestion", args=[report.pk])).text
    assert "未向骑手公开" in page
    response = client.post(
        summary_url(report), {"version": report.version, "summary": "  井盖已报修  "}
    )
    assert response["Location"] == reverse("feedback:suggestion", args=[report.pk])
    report.refresh_from_db()
    assert report.public_summary == "井盖已报修"
    assert report.summary_approved_by == staff_a and report.summary_approved_at
    event = report.events.get(kind=Event.Kind.SUMMARY_PUBLISHED)
    assert (event.actor, event.text, event.public) == (staff_a, "井盖已报修", False)
    page = client.get(response["Location"]).text
    assert f"{staff_a} 于" in page  # approved by whom, shown to staff


def test_a_resolved_suggestions_summary_starts_from_the_reply(client, station, staff_a):
    report = SuggestionFactory(
        area=station.area, station=station, state=State.RESOLVED, reply="已联系物业修好路灯。"
    )
    client.force_login(staff_a)
    page = client.get(reverse("feedback:suggestion", args=[report.pk]))
    assert page.context["summary_form"].initial["summary"] == "已联系物业修好路灯。"
    assert not Suggestion.objects.get(pk=report.pk).is_published  # only a click approves it


@pytest.mark.parametrize(
    "summary",
    ["联系 13912345678 了解进展", "身份证 41140219900101123X 的骑手", "王小明反映的问题已解决"],
)
def test_a_summary_with_a_phone_or_id_number_or_the_submitters_name_is_refused(
    client, station, staff_a, summary
):
    report = SuggestionFactory(
        area=station.area, station=station, state=State.ACCEPTED, name="王小明"
    )
    client.force_login(staff_a)
    response = client.post(
        summary_url(report), {"version": report.version, "summary": summary}, follow=True
    )
    assert (
        _(
            "The public summary must not carry the submitter's name, a phone number or an ID "
            "number: riders at the station read it."
        )
        in response.text
    )
    assert not Suggestion.objects.get(pk=report.pk).is_published


@pytest.mark.parametrize("summary", ["", "   ", "长" * 141])
def test_an_empty_or_too_long_summary_is_shown_again_with_its_error(
    client, station, staff_a, summary
):
    report = SuggestionFactory(area=station.area, station=station, state=State.ACCEPTED)
    client.force_login(staff_a)
    response = client.post(summary_url(report), {"version": report.version, "summary": summary})
    assert response.status_code == 200
    assert response.context["summary_form"].errors["summary"]
    assert not Suggestion.objects.get(pk=report.pk).is_published


def test_a_rejected_suggestion_cannot_be_published(client, station, staff_a):
    report = SuggestionFactory(area=station.area, station=station, state=State.REJECTED)
    with pytest.raises(services.FeedbackError) as refused:
        services.publish_summary(report, "摘要", version=None, by=staff_a)
    assert refused.value.code == "state"
    client.force_login(staff_a)
    page = client.get(reverse("feedback:suggestion", args=[report.pk]))
    assert "summary_form" not in page.context


def test_a_summary_from_an_older_page_is_refused(station, staff_a):
    report = SuggestionFactory(area=station.area, station=station, state=State.ACCEPTED)
    services.publish_summary(report, "第一版", version=report.version, by=staff_a)
    with pytest.raises(services.FeedbackError) as refused:
        services.publish_summary(report, "第二版", version=report.version - 1, by=staff_a)
    assert refused.value.code == "conflict"
    assert Suggestion.objects.get(pk=report.pk).public_summary == "第一版"


def test_staff_stop_showing_a_summary_and_the_timeline_says_so(client, station, staff_a):
    report = published(station, "已公开", state=State.ACCEPTED)
    client.force_login(staff_a)
    client.post(reverse("feedback:withdraw_summary", args=[report.pk]))
    report.refresh_from_db()
    assert (report.public_summary, report.summary_approved_at) == ("", None)
    assert report.events.get(kind=Event.Kind.SUMMARY_WITHDRAWN).actor == staff_a
    again = client.post(reverse("feedback:withdraw_summary", args=[report.pk]), follow=True)
    assert _("This suggestion is not published.") in again.text


def test_staff_of_another_community_cannot_publish(client, station, staff_b):
    report = SuggestionFactory(area=station.area, station=station, state=State.ACCEPTED)
    client.force_login(staff_b)
    response = client.post(summary_url(report), {"version": report.version, "summary": "摘要"})
    assert response.status_code == 404
    assert not Suggestion.objects.get(pk=report.pk).is_published


def test_an_official_reads_the_summary_but_has_no_form(client, station, official):
    report = published(station, "公开的摘要", state=State.ACCEPTED)
    client.force_login(official)
    page = client.get(reverse("feedback:suggestion", args=[report.pk]))
    assert "公开的摘要" in page.text
    assert "summary_form" not in page.context
    assert reverse("feedback:withdraw_summary", args=[report.pk]) not in page.text
