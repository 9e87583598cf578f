"""A refused rider form at 360 px: it opens at the summary of its problems, each a link to its
field; the party members' block shows only for a party status, without JavaScript."""

import pytest
from playwright.sync_api import expect

from registry.models import Worker
from tests.e2e.conftest import PHONE, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("javascript", [True, False])
def test_the_party_block_shows_only_for_a_party_status(browser, live_server, tree, javascript):
    context = browser.new_context(
        viewport=PHONE, locale="zh-CN", base_url=live_server.url, java_script_enabled=javascript
    )
    page = context.new_page()
    page.goto(f"/register/?community={tree.community_a.code}")
    block = page.locator('[data-revealed-by="party"]')
    assert page.locator("#id_political_status").input_value() == ""
    assert page.locator("#id_occupation option").first.inner_text() == "请选择"
    assert block.is_hidden()
    page.get_by_label("政治面貌").select_option(label="群众")
    assert block.is_hidden()
    page.get_by_label("政治面貌").select_option(label="中共预备党员")
    expect(block).to_be_visible()
    for field in ["party_branch", "membership_held_at", "id_number", "sensitive_consent"]:
        assert page.locator(f"#id_{field}").is_visible(), field
    page.get_by_label("政治面貌").select_option(label="共青团员")
    assert block.is_hidden()
    # Other platform: its name only when 其他 is chosen.
    assert page.locator("#id_platform_other").is_hidden()
    page.locator("#id_platform").select_option(value="other")
    expect(page.locator("#id_platform_other")).to_be_visible()
    context.close()


def test_a_refused_registration_opens_at_its_problems(new_page, tree):
    page = new_page(PHONE)
    page.goto(f"/register/?community={tree.community_a.code}")
    page.get_by_label("手机号").fill("12345")
    page.get_by_label("政治面貌").select_option(label="中共党员")
    page.get_by_role("button", name="提交登记").click()
    summary = page.locator("#error-summary")
    page.wait_for_function("document.activeElement.id === 'error-summary'")
    page.wait_for_timeout(800)  # Bootstrap's smooth scrolling
    box = summary.bounding_box()
    assert 0 <= box["y"] < PHONE["height"] / 2  # the page opened at it, not at the top
    screenshot(page, "register-refused-360")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # The party member's block stays open, its problems listed with the others.
    expect(page.locator('[data-revealed-by="party"]')).to_be_visible()
    summary.get_by_role("link", name="党员请填写所在党支部。").click()
    assert page.evaluate("location.hash") == "#id_party_branch"
    expect(page.locator("#id_party_branch")).to_be_visible()
    assert not Worker.objects.exists()
