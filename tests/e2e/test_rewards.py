"""积分超市 in a real browser: a rider signs in with the texted code, redeems a reward on a phone
after a confirmation page (a double tap on it redeems once) and gets a pickup code; staff type
the code at their desk and hand the reward over. A rider cancels a redemption after a question,
and gives an activity place back after one too."""

from io import BytesIO

import pytest
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image
from playwright.sync_api import expect

from points.models import EntryKind, Redemption, Reward, SignUp
from points.services.activities import sign_up
from points.services.ledger import award, balance
from points.services.rewards import redeem
from tests import sms
from tests.e2e.conftest import PHONE, screenshot
from tests.e2e.riders import sign_in_rider_on
from tests.e2e.staff import sign_in
from tests.factories import ActivityFactory, StationFactory, WorkerFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def photo() -> ContentFile:
    content = BytesIO()
    Image.new("RGB", (200, 200), (30, 110, 180)).save(content, "JPEG")
    return ContentFile(content.getvalue(), name="umbrella.jpg")


def fits_the_phone(page):
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_rider_redeems_a_reward_and_staff_hand_it_over(new_page, tree, staff_a, settings, media):
    settings.SMS_BACKEND = "tests.sms.RecordingBackend"
    sms.outbox.clear()
    rider = WorkerFactory(
        name="孙丽", mobile="13800000009", area=tree.community_a, status="confirmed"
    )
    award(rider, 80, EntryKind.ACTIVITY, note="夏送清凉志愿服务")
    umbrella = Reward.objects.create(
        area=tree.community_a,
        name="晴雨伞",
        description="社区党群服务中心一楼领取，9:00–17:00",
        price=50,
        stock=8,
        picture=photo(),
    )
    Reward.objects.create(area=tree.community_a, name="保温杯", price=120, stock=3)
    Reward.objects.create(area=tree.community_a, name="防晒袖套", price=20, stock=0)

    page = new_page(PHONE)
    page.goto("/shop/")
    page.get_by_role("link", name="梁园区").click()
    page.get_by_role("link", name="建设路社区").click()
    page.get_by_role("link", name=_("Sign in to redeem")).click()
    page.get_by_label(_("Your mobile number")).fill("13800000009")
    page.get_by_role("button", name=_("Text me a code")).click()
    page.get_by_label(_("The 6-digit code we texted you")).fill(sms.last_code(rider.mobile))
    page.get_by_role("button", name=_("Continue"), exact=True).click()
    page.wait_for_url("**/shop/**")
    assert page.get_by_role("button", name=_("Redeem")).count() == 1
    assert fits_the_phone(page)
    screenshot(page, "rewards-shop-360")

    page.get_by_role("button", name=_("Redeem")).click()
    expect(page.get_by_role("heading", name=_("Redeem this reward?"))).to_be_visible()
    assert page.get_by_test_id("balance-after").inner_text() == "30 积分"
    assert not Redemption.objects.exists()
    assert fits_the_phone(page)
    screenshot(page, "rewards-confirm-360")

    page.get_by_role("button", name=_("Confirm redemption")).dblclick()  # a double tap
    code = page.get_by_test_id("pickup-code").inner_text()
    redemption = Redemption.objects.get()
    assert code == redemption.pickup_code and balance(rider) == 30
    assert fits_the_phone(page)
    screenshot(page, "rewards-pickup-code-360")

    station = StationFactory(name="建设路暖心驿站", area=tree.community_a)
    page.goto(f"/s/{station.token}/leaderboard/")
    expect(page.get_by_text("孙*")).to_be_visible()
    assert page.get_by_text("孙丽").count() == 0
    assert fits_the_phone(page)
    screenshot(page, "rewards-station-leaderboard-360")

    desk = new_page()
    sign_in(desk, "alice")
    desk.goto("/staff/points/handover/")
    desk.get_by_label(_("Pickup code")).fill(code.lower())
    desk.get_by_role("button", name=_("Look up")).click()
    expect(desk.get_by_role("heading", name="晴雨伞")).to_be_visible()
    screenshot(desk, "rewards-handover-1280")
    desk.get_by_role("button", name=_("Hand it over")).click()
    expect(
        desk.get_by_text(
            _("Handed over %(reward)s to %(name)s.") % {"reward": "晴雨伞", "name": "孙丽"}
        )
    ).to_be_visible()
    redemption.refresh_from_db()
    assert redemption.state == "fulfilled" and redemption.fulfilled_by == staff_a
    umbrella.refresh_from_db()
    assert umbrella.stock == 7


def test_a_rider_cancels_a_redemption_and_gets_the_points_back(new_page, live_server, tree):
    rider = WorkerFactory(name="孙丽", area=tree.community_a, status="confirmed")
    award(rider, 80, EntryKind.ACTIVITY, note="夏送清凉志愿服务")
    umbrella = Reward.objects.create(area=tree.community_a, name="晴雨伞", price=50, stock=8)
    redemption = redeem(umbrella, rider)

    page = sign_in_rider_on(new_page(PHONE), live_server, rider)
    page.goto("/me/")
    page.get_by_role("link", name=redemption.pickup_code).click()
    page.get_by_role("link", name=_("Changed your mind? Cancel and get the points back")).click()
    heading = _("Cancel your %(reward)s?") % {"reward": "晴雨伞"}
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    assert page.get_by_test_id("balance-after").inner_text() == "80 积分"
    assert fits_the_phone(page)
    screenshot(page, "rewards-cancel-confirm-360")

    page.get_by_role("button", name=_("Yes, cancel it")).click()
    message = _("Cancelled: %(points)s points went back to you, you now have %(balance)s.")
    expect(page.get_by_text(message % {"points": 50, "balance": 80})).to_be_visible()
    assert fits_the_phone(page)
    screenshot(page, "rewards-cancelled-360")
    umbrella.refresh_from_db()
    assert (balance(rider), umbrella.stock) == (80, 8)


def test_a_rider_gives_an_activity_place_back_after_a_question(new_page, live_server, tree):
    rider = WorkerFactory(name="孙丽", area=tree.community_a, status="confirmed")
    activity = ActivityFactory(area=tree.community_a, title="夏送清凉志愿服务")
    sign_up(activity, rider)

    page = sign_in_rider_on(new_page(PHONE), live_server, rider)
    page.goto(f"/activities/{activity.pk}/")
    page.get_by_role("link", name=_("I cannot come: give my place back")).click()
    expect(page.get_by_role("heading", name=_("Give your place back?"))).to_be_visible()
    assert fits_the_phone(page)
    screenshot(page, "activity-cancel-confirm-360")
    page.get_by_role("button", name=_("Yes, give my place back")).click()
    expect(page.get_by_text(_("You gave your place back."))).to_be_visible()
    assert not SignUp.objects.active().exists()
