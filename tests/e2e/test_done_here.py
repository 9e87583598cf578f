"""Where riders scan, in the browser: a station's page shows what was done near it and what is
open there; a signed-in rider taps 我也遇到了; staff publish the summary and see the support on
their workbench."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from feedback.models import State, Support, TaskPhoto
from stations.models import Amenity, StationAmenity
from tests.e2e.conftest import DESKTOP, PHONE, screenshot
from tests.e2e.riders import sign_in_rider_on
from tests.e2e.staff import sign_in
from tests.factories import (
    DepartmentFactory,
    StationFactory,
    SuggestionFactory,
    TaskFactory,
    WorkerFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def station(tree):
    station = StationFactory(name="建设路暖心驿站", area=tree.community_a, offer="小哥套餐 7折")
    StationAmenity.objects.bulk_create(
        StationAmenity(station=station, amenity=amenity)
        for amenity in (Amenity.DRINKING_WATER, Amenity.PHONE_CHARGING, Amenity.TOILET)
    )
    return station


def published(station, summary, state, days_ago, **fields):
    at = timezone.now() - timedelta(days=days_ago)
    return SuggestionFactory(
        area=station.area,
        station=station,
        state=state,
        public_summary=summary,
        summary_approved_at=at,
        resolved_at=at if state == State.RESOLVED else None,
        **fields,
    )


def jpeg(width, height) -> ContentFile:
    image = Image.new("RGB", (width, height), (30, 125, 58))
    ImageDraw.Draw(image).rectangle(
        [width // 4, height // 3, width * 3 // 4, height], (240, 240, 240)
    )
    out = BytesIO()
    image.save(out, "JPEG")
    return ContentFile(out.getvalue(), name="result.jpg")


@pytest.fixture
def near(station, tree, media):
    fixed = published(station, "驿站门口的饮水机修好了，热水全天供应。", State.RESOLVED, 2)
    TaskPhoto.objects.create(
        task=TaskFactory(
            suggestion=fixed, department=DepartmentFactory(area=tree.district), state="done"
        ),
        image=jpeg(640, 480),
        thumbnail=jpeg(320, 240),
        state="ready",
        published=True,
    )
    published(
        station,
        "建设路与平原路口加装两盏路灯，夜间送餐不再摸黑。",
        State.RESOLVED,
        9,
        category="hazard",
    )
    report = published(
        station, "3号楼门口井盖松动，电动车经过容易翻车。", State.ACCEPTED, 1, category="hazard"
    )
    Support.objects.create(suggestion=report, worker=WorkerFactory(area=tree.community_a))
    return report


def test_a_rider_sees_what_was_done_and_says_they_met_the_open_one_too(
    new_page, live_server, station, near, worker_a
):
    page = new_page(PHONE)
    page.goto(f"/s/{station.token}/")
    expect(page.get_by_role("heading", name="这里办成的事")).to_be_visible()
    expect(page.get_by_text("驿站门口的饮水机修好了")).to_be_visible()
    photo = page.get_by_role("img", name="办理结果照片")
    expect(photo).to_be_visible()
    assert photo.evaluate("img => img.naturalWidth") == 320  # the published thumbnail loads
    expect(page.get_by_role("heading", name="这里已有人反映")).to_be_visible()
    expect(page.get_by_text("1 位骑手也遇到了")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.locator("script").count() == 0
    screenshot(page, "station-landing-done-here-360")

    sign_in_rider_on(page, live_server, worker_a)
    page.goto(f"/s/{station.token}/")
    page.get_by_role("link", name="我也遇到了").click()
    expect(page.get_by_text("3号楼门口井盖松动")).to_be_visible()
    screenshot(page, "station-me-too-360")
    page.get_by_role("button", name="我也遇到了").click()
    expect(page.get_by_text("谢谢，已记上您。")).to_be_visible()
    expect(page.get_by_text("2 位骑手也遇到了")).to_be_visible()
    assert Support.objects.filter(suggestion=near).count() == 2


def test_staff_publish_a_summary_and_see_support_on_the_workbench(
    new_page, station, near, staff_a, tree
):
    waiting = SuggestionFactory(
        area=tree.community_a, station=station, text="王师傅说驿站充电柜坏了，电话13900001111"
    )
    WorkerFactory.create_batch(2, area=tree.community_a)  # registrations to confirm
    TaskFactory(
        suggestion__area=tree.community_a,
        department=DepartmentFactory(area=tree.district, name="梁园区市场监管局"),
        due_on=timezone.localdate() - timedelta(days=2),
    )
    page = new_page(DESKTOP)
    sign_in(page, "alice")
    expect(page.get_by_role("heading", name="建议诉求")).to_be_visible()
    expect(page.get_by_role("link", name="逾期的部门任务 1")).to_be_visible()
    screenshot(page, "staff-workbench-1280")

    page.goto(f"/staff/feedback/suggestions/{waiting.pk}/")
    page.get_by_label("公开摘要").fill("驿站充电柜故障，已报修。")
    page.get_by_role("button", name="审定并公开").click()
    expect(page.get_by_text("将以这段摘要显示在驿站页面和友好地图上")).to_be_visible()
    screenshot(page, "staff-suggestion-public-summary-1280")

    phone = new_page(PHONE)
    phone.goto(f"/s/{station.token}/")
    expect(phone.get_by_text("驿站充电柜故障，已报修。")).to_be_visible()
    expect(phone.get_by_text("王师傅")).to_have_count(0)

    page.set_viewport_size(PHONE)
    page.goto("/staff/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "staff-workbench-360")
