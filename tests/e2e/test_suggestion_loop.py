"""The whole loop in real browsers: a rider on a phone reports a hazard with a photo from a
station's QR code; staff accept it and split it into a task; the department's handler finishes
the task; staff reply; the rider reads the reply and rates it."""

from io import BytesIO

import pytest
from django.utils.translation import gettext as _
from PIL import Image
from playwright.sync_api import expect

from feedback.models import State, Suggestion
from points.services.ledger import balance
from tests.e2e.conftest import DESKTOP, PHONE, screenshot
from tests.e2e.riders import sign_in_rider_on
from tests.e2e.staff import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def photo_with_gps(path):
    image = Image.new("RGB", (1200, 900), (200, 90, 40))
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (34.0, 25.0, 0.0), 3: "E", 4: (115.0, 39.0, 0.0)}  # GPS
    buffer = BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    path.write_bytes(buffer.getvalue())
    return path


def photo_loaded(page) -> bool:
    """The page's first photo thumbnail arrived and decoded (not a broken image)."""
    thumbnail = page.locator("img[src*='/photos/']").first
    thumbnail.scroll_into_view_if_needed()
    return thumbnail.evaluate("img => img.decode().then(() => img.naturalWidth > 0)")


def log_in(page, username):
    sign_in(page, username)


def test_a_hazard_goes_round_the_loop(
    new_page, live_server, tree, station_a, worker_a, staff_a, handler, department_x, tmp_path
):
    # The signed-in rider scans the station's code and reports a hazard with a photo.
    rider = sign_in_rider_on(new_page(PHONE), live_server, worker_a)
    rider.goto(f"/s/{station_a.token}/")
    rider.get_by_role("link", name=_("Report a hazard")).click()
    rider.get_by_label(_("What happened, or what do you need?")).fill(
        "建设路口井盖缺失，晚上送餐看不见<script>alert(1)</script>"
    )
    rider.get_by_label(_("Photos (up to 3)")).set_input_files(photo_with_gps(tmp_path / "p.jpg"))
    # Their name and mobile are filled in: the hazard points come to them without typing.
    assert rider.get_by_label(_("Mobile")).input_value() == worker_a.mobile
    assert rider.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(rider, "loop-1-rider-reports-360")
    rider.get_by_role("button", name=_("Send")).click()
    suggestion = Suggestion.objects.get()
    expect(rider.get_by_text(suggestion.tracking_code).first).to_be_visible()
    assert suggestion.category == "hazard" and suggestion.station == station_a
    with Image.open(suggestion.photos.get().image.path) as stored:
        assert not stored.getexif()
    assert photo_loaded(rider)  # through the tracking code's photo view, DEBUG off
    screenshot(rider, "loop-2-rider-tracking-code-360")

    # Staff of the community accept it and give the market-regulation bureau a task.
    staff = new_page(DESKTOP)
    log_in(staff, "alice")
    staff.goto("/staff/feedback/")
    staff.get_by_role("link", name=suggestion.tracking_code).click()
    expect(staff.get_by_text("<script>alert(1)</script>", exact=False).first).to_be_visible()
    assert photo_loaded(staff)
    staff.get_by_role("button", name=_("Accept and split into tasks")).click()
    staff.locator("select[name=department]").select_option(value=str(department_x.pk))
    staff.get_by_label(_("Instructions")).fill("请现场核实并补装井盖")
    staff.get_by_role("button", name=_("Add the task")).click()
    expect(staff.get_by_text("请现场核实并补装井盖").first).to_be_visible()
    screenshot(staff, "loop-3-staff-split-1280")

    # The bureau's handler finishes the task.
    desk = new_page(DESKTOP)
    log_in(desk, "hank")
    desk.goto("/staff/feedback/tasks/")
    desk.get_by_role("link", name="请现场核实并补装井盖").click()
    assert photo_loaded(desk)
    desk.locator("textarea[name=result]").fill("已补装井盖并设置警示牌")
    screenshot(desk, "loop-4-handler-task-1280")
    desk.get_by_role("button", name=_("Mark as done (办结)")).click()
    expect(desk.get_by_text("已补装井盖并设置警示牌").first).to_be_visible()

    # Staff write the reply in their own words and resolve it; the result stays internal.
    staff.reload()
    assert staff.get_by_label(_("Reply to the submitter")).input_value() == ""
    assert not staff.get_by_label(
        _("Also show the departments' results on the tracking page")
    ).is_checked()
    staff.get_by_label(_("Reply to the submitter")).fill("井盖已补装，感谢您当好隐患哨兵！")
    staff.locator("#resolve").scroll_into_view_if_needed()
    screenshot(staff, "loop-5a-staff-resolve-1280")
    staff.get_by_role("button", name=_("Send the reply and resolve")).click()
    suggestion.refresh_from_db()
    assert suggestion.state == State.RESOLVED
    screenshot(staff, "loop-5-staff-resolved-1280")

    # The rider reads the reply and rates it.
    rider.goto(f"/track/{suggestion.tracking_code}/")
    expect(
        rider.locator(".track-reply").get_by_text("井盖已补装，感谢您当好隐患哨兵！")
    ).to_be_visible()
    assert rider.get_by_text("张敏").count() == 0 and rider.get_by_text("王强").count() == 0
    assert rider.get_by_text("已补装井盖并设置警示牌").count() == 0  # not published
    rider.get_by_text(_("★★★★★ Very satisfied")).click()
    screenshot(rider, "loop-6-rider-rates-360")
    rider.get_by_role("button", name=_("Send my rating")).click()
    suggestion.refresh_from_db()
    assert (suggestion.state, suggestion.rating) == (State.CLOSED, 5)
    assert balance(worker_a) == 10
    screenshot(rider, "loop-7-rider-rated-360")
