import base64
import re
import time

import pytest
from axe_playwright_python.sync_playwright import Axe
from django_otp.oath import TOTP
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, PHONE, screenshot
from tests.e2e.staff import enter_password, sign_in
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def log_in(page, username, password):
    sign_in(page, username, password)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360px", "1280px"])
def test_staff_member_logs_in_and_sees_who_they_are_and_their_area(
    new_page, tree, staff_a, viewport
):
    page = new_page(viewport)
    page.goto("/accounts/login/")
    expect(page.get_by_role("heading", name="工作人员登录")).to_be_visible()
    screenshot(page, f"login-{viewport['width']}")

    log_in(page, "alice", PASSWORD)
    expect(page.get_by_role("heading", name="您好，张敏")).to_be_visible()
    expect(page.get_by_text("建设路社区").first).to_be_visible()
    # No horizontal scrolling on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    screenshot(page, f"home-{viewport['width']}")


def test_phone_menu_opens_and_logs_out(new_page, tree, official):
    page = new_page(PHONE)
    log_in(page, "olivia", PASSWORD)
    page.get_by_role("button", name="显示菜单").click()
    page.get_by_role("navigation").get_by_role("link", name="辖区").click()
    page.wait_for_url("**/staff/areas/")
    expect(page.get_by_role("link", name="平原街道")).to_be_visible()
    screenshot(page, "areas-360")
    page.get_by_role("button", name="显示菜单").click()
    page.get_by_role("button", name="退出登录").click()
    expect(page.get_by_role("heading", name="您已退出登录")).to_be_visible()


def test_wrong_passwords_are_throttled_with_a_clear_message(new_page, tree, staff_a, settings):
    page = new_page(DESKTOP)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        enter_password(page, "alice", "not the password")
    enter_password(page, "alice", PASSWORD)
    expect(page.get_by_role("heading", name="登录失败次数过多")).to_be_visible()
    screenshot(page, "locked-out-1280")


def test_the_language_switch_turns_the_page_into_english(new_page, tree):
    page = new_page(DESKTOP)
    page.goto("/accounts/login/")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="Staff login")).to_be_visible()


def assert_accessible(page):
    """No serious or critical axe violation (the pages of a sign-in halfway through are not in
    the permission matrix's accessibility pass, whose sessions have finished signing in)."""
    serious = [
        f"{rule['id']}: {rule['help']}"
        for rule in Axe().run(page).response["violations"]
        if rule["impact"] in ("critical", "serious")
    ]
    assert not serious, serious


def app_code(secret: str) -> str:
    """What the staff member's authenticator app shows for the key typed into it."""
    key = base64.b32decode(secret.replace(" ", ""))
    return f"{TOTP(key, step=30).token():06d}"


def next_window():
    """Wait for the app's next code: one code signs in once."""
    time.sleep(30 - time.time() % 30 + 1)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360px", "1280px"])
def test_a_new_staff_member_sets_a_password_enrols_an_app_and_signs_in_again_with_it(
    new_page, tree, viewport
):
    UserFactory(username="xiaowang", name="王小", area=tree.community_a, password_changed_at=None)
    page = new_page(viewport)
    enter_password(page, "xiaowang", PASSWORD)

    expect(page.get_by_role("heading", name="设置新密码")).to_be_visible()
    expect(page.get_by_text("您的密码是管理员设置的")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("旧密码").fill(PASSWORD)
    page.locator("#id_new_password1").fill("123456789012")
    page.locator("#id_new_password2").fill("123456789012")
    page.get_by_role("button", name="保存新密码").click()
    expect(page.get_by_text("密码只包含数字")).to_be_visible()
    new_password = "Jianshe-road-station-7"
    page.get_by_label("旧密码").fill(PASSWORD)
    page.locator("#id_new_password1").fill(new_password)
    page.locator("#id_new_password2").fill(new_password)
    page.get_by_role("button", name="保存新密码").click()

    expect(page.get_by_role("heading", name="设置身份验证器应用")).to_be_visible()
    expect(page.get_by_role("img", name="身份验证器应用的二维码")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    screenshot(page, f"enrol-authenticator-{viewport['width']}")
    assert_accessible(page)
    secret = page.locator("#totp-secret").inner_text()
    page.get_by_label("应用显示的 6 位验证码").fill(
        "000000" if app_code(secret) != "000000" else "1"
    )
    page.get_by_role("button", name="确认").click()
    expect(page.get_by_text("验证码不正确")).to_be_visible()
    time.sleep(2)  # the wait after a wrong code
    page.get_by_label("应用显示的 6 位验证码").fill(app_code(secret))
    page.get_by_role("button", name="确认").click()

    expect(page.get_by_role("heading", name="您的恢复码")).to_be_visible()
    expect(page.get_by_text("它们只显示这一次")).to_be_visible()
    codes = page.get_by_role("list", name="恢复码").get_by_role("listitem").all_inner_texts()
    assert len(codes) == 10 and all(re.fullmatch(r"[a-z2-7]{8}", c) for c in codes)
    screenshot(page, f"recovery-codes-{viewport['width']}")
    assert_accessible(page)
    page.get_by_role("link", name="我已保存好，继续").click()
    expect(page.get_by_role("heading", name="您好，王小")).to_be_visible()

    if viewport == PHONE:
        page.get_by_role("button", name="显示菜单").click()
    page.get_by_role("button", name="退出登录").click()
    expect(page.get_by_role("heading", name="您已退出登录")).to_be_visible()

    next_window()
    enter_password(page, "xiaowang", new_password)
    expect(page.get_by_role("heading", name="登录验证码")).to_be_visible()
    screenshot(page, f"sign-in-code-{viewport['width']}")
    assert_accessible(page)
    page.get_by_label("验证码").fill(app_code(secret))
    page.get_by_role("button", name="继续").click()
    expect(page.get_by_role("heading", name="您好，王小")).to_be_visible()
    expect(page.get_by_text("已登录：王小。")).to_be_visible()
