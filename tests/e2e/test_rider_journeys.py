"""From scan to checked-in at 360 px, counting taps (tests/e2e/taps.py): a brand-new rider, a
returning rider signed in on their phone, and a returning rider on a new phone."""

import pytest
from django.utils.translation import gettext as _
from playwright.sync_api import expect

from registry.models import Worker, WorkerStatus
from stations.models import StationVisit
from tests.e2e.conftest import PHONE, screenshot
from tests.e2e.riders import sign_in_rider_on
from tests.e2e.taps import Taps
from tests.factories import StationFactory, WorkerFactory
from tests.sms import last_code

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

MOBILE = "13812345678"


@pytest.fixture
def station(tree):
    return StationFactory(name="建设路暖心驿站", area=tree.community_a)


def fits_the_phone(page):
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def checked_in(page):
    return page.locator(".checked-in").get_by_role("heading", name=_("Checked in"))


def test_a_brand_new_rider_goes_from_scan_to_checked_in_typing_the_mobile_once(
    new_page, station, tree, texts
):
    page = new_page(PHONE)
    rider = Taps(page)
    rider.scan(f"/s/{station.token}/")
    rider.tap(page.get_by_role("link", name=_("Check in")))
    rider.type(page.get_by_label("您的手机号"), "138 1234 5678")
    assert fits_the_phone(page)
    screenshot(page, "journey-new-check-in-360")
    rider.tap(page.get_by_role("button", name="发送验证码"))
    rider.type(page.get_by_label("短信收到的6位验证码"), last_code(MOBILE))
    screenshot(page, "journey-new-code-360")
    rider.tap(page.get_by_role("button", name="继续"))

    # Registration, the number proven and the station's community chosen.
    expect(page.get_by_text("手机号已验证。完成登记即自动登录。")).to_be_visible()
    expect(page.get_by_text("您正在向建设路社区报到")).to_be_visible()
    assert page.get_by_label("手机号").input_value() == MOBILE
    rider.type(page.get_by_label("姓名"), "张三")
    rider.choose(page.get_by_label("职业"), "外卖骑手")
    rider.choose(page.locator("#id_platform"), "美团")
    rider.choose(page.get_by_label("政治面貌"), "群众")
    rider.tap(page.get_by_label("我已阅读上述说明"))
    screenshot(page, "journey-new-register-360")
    rider.tap(page.get_by_role("button", name="提交登记"))

    # Back on the station's page, checked in, with the way to 我的.
    expect(checked_in(page)).to_be_visible()
    expect(page.get_by_role("heading", name="建设路暖心驿站")).to_be_visible()
    assert fits_the_phone(page)
    screenshot(page, "journey-new-checked-in-360")
    worker = Worker.objects.get(mobile=MOBILE)
    assert worker.status == WorkerStatus.PENDING
    assert StationVisit.objects.get().worker == worker
    assert (rider.scans, rider.times_typed("138 1234 5678"), len(texts)) == (1, 1, 1)
    assert rider.taps == 14, rider.taps

    page.get_by_role("link", name="查看“我的”").click()
    expect(page.get_by_text("待社区确认")).to_be_visible()
    screenshot(page, "journey-new-me-360")
    # Updating later: their details are there, and no code is asked for their own number.
    page.get_by_role("link", name="修改我的信息").click()
    assert page.get_by_label("姓名").input_value() == "张三"
    page.get_by_label("姓名").fill("张三丰")
    page.get_by_label("我已阅读上述说明").check()
    screenshot(page, "journey-update-details-360")
    page.get_by_role("button", name="提交登记").click()
    expect(page.get_by_role("heading", name="谢谢，登记已提交")).to_be_visible()
    worker.refresh_from_db()
    assert worker.name == "张三丰" and len(texts) == 1


def test_a_returning_signed_in_rider_checks_in_with_one_tap(new_page, live_server, station, tree):
    worker = WorkerFactory(name="孙丽", area=tree.community_a, status="confirmed")
    page = sign_in_rider_on(new_page(PHONE), live_server, worker)
    rider = Taps(page)
    rider.scan(f"/s/{station.token}/")
    screenshot(page, "journey-signed-in-landing-360")
    rider.tap(page.get_by_role("button", name=_("Check in")))
    expect(checked_in(page)).to_be_visible()
    expect(page.get_by_text("以 孙丽 的身份报到")).to_be_visible()
    assert fits_the_phone(page)
    screenshot(page, "journey-signed-in-checked-in-360")
    assert rider.taps == 1 and rider.typed == []
    assert StationVisit.objects.get().worker == worker
    page.reload()  # a reload records nothing more
    assert StationVisit.objects.count() == 1


def test_a_returning_rider_on_a_new_phone_proves_the_number_and_is_checked_in(
    new_page, station, tree, texts
):
    worker = WorkerFactory(name="孙丽", mobile=MOBILE, area=tree.community_a, status="confirmed")
    page = new_page(PHONE)
    rider = Taps(page)
    rider.scan(f"/s/{station.token}/")
    rider.tap(page.get_by_role("link", name=_("Check in")))
    rider.type(page.get_by_label("您的手机号"), MOBILE)
    rider.tap(page.get_by_role("button", name="发送验证码"))
    rider.type(page.get_by_label("短信收到的6位验证码"), last_code(MOBILE))
    rider.tap(page.get_by_role("button", name="继续"))
    expect(checked_in(page)).to_be_visible()
    screenshot(page, "journey-new-phone-checked-in-360")
    assert StationVisit.objects.get().worker == worker
    assert rider.taps == 5, rider.taps
