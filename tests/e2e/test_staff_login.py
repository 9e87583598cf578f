import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, PHONE, screenshot
from tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def log_in(page, username, password):
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360px", "1280px"])
def test_staff_member_logs_in_and_sees_who_they_are_and_their_area(
    new_page, tree, staff_a, viewport
):
    page = new_page(viewport)
    page.goto("/accounts/login/")
    expect(page.get_by_role("heading", name="工作人员登录")).to_be_visible()
    screenshot(page, f"login-{viewport['width']}")

    log_in(page, "alice", PASSWORD)
    page.wait_for_url("**/staff/")
    expect(page.get_by_role("heading", name="您好，张敏")).to_be_visible()
    expect(page.get_by_text("建设路社区").first).to_be_visible()
    # No horizontal scrolling on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    screenshot(page, f"home-{viewport['width']}")


def test_phone_menu_opens_and_logs_out(new_page, tree, official):
    page = new_page(PHONE)
    log_in(page, "olivia", PASSWORD)
    page.wait_for_url("**/staff/")
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
        log_in(page, "alice", "not the password")
    log_in(page, "alice", PASSWORD)
    expect(page.get_by_role("heading", name="登录失败次数过多")).to_be_visible()
    screenshot(page, "locked-out-1280")


def test_the_language_switch_turns_the_page_into_english(new_page, tree):
    page = new_page(DESKTOP)
    page.goto("/accounts/login/")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="Staff login")).to_be_visible()
