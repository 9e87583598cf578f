"""A community staff member's day in the ledger: find a rider by pinyin, correct the record,
see the change in its history, add someone who registered on paper."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, PHONE, screenshot
from tests.e2e.test_staff_login import log_in
from tests.factories import PASSWORD, WorkerFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360px", "1280px"])
def test_staff_find_a_worker_by_pinyin_edit_the_record_and_see_the_history(
    new_page, tree, staff_a, viewport
):
    WorkerFactory(name="张三", mobile="13800001234", area=tree.community_a)
    WorkerFactory(name="李四", mobile="13800005678", area=tree.community_a)
    page = new_page(viewport)
    log_in(page, "alice", PASSWORD)
    page.wait_for_url("**/staff/")
    page.goto("/staff/registry/workers/")
    expect(page.get_by_text("共 2 人")).to_be_visible()
    expect(page.get_by_text("138****1234")).to_be_visible()
    screenshot(page, f"roster-{viewport['width']}")

    # The search box is in view without opening the filter panel (issue 15, point 10).
    page.get_by_label("搜索").fill("zs")
    page.get_by_role("button", name="搜索", exact=True).click()
    expect(page.get_by_text("共 1 人")).to_be_visible()
    screenshot(page, f"roster-search-{viewport['width']}")
    page.get_by_role("link", name="张三").click()

    expect(page.get_by_text("13800001234")).to_be_visible()  # the full record shows it in full
    page.get_by_role("link", name="修改").click()
    page.get_by_label("职业").select_option(label="快递员")
    page.get_by_label("志愿者").check()
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("已保存修改。")).to_be_visible()
    history = page.locator(".worker-history")
    expect(history.get_by_text("外卖骑手")).to_be_visible()
    expect(history.get_by_text("张敏")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    screenshot(page, f"worker-record-{viewport['width']}")


def test_staff_add_a_worker_who_registered_on_paper(new_page, tree, staff_a):
    page = new_page(DESKTOP)
    log_in(page, "alice", PASSWORD)
    page.wait_for_url("**/staff/")
    page.goto("/staff/registry/workers/")
    page.get_by_role("link", name="新增人员").click()
    page.get_by_label("姓名").fill("王小明")
    page.get_by_label("手机号").fill("139 0370 8888")
    page.get_by_label("职业").select_option(label="快递员")
    page.locator("#id_platform").select_option(label="顺丰")
    page.get_by_label("报到社区").select_option(label="建设路社区")
    page.get_by_label("政治面貌").select_option(label="群众")
    page.get_by_label("网格员").check()
    screenshot(page, "worker-add-1280")
    page.get_by_label("本人已同意上述告知内容").check()
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("已将 王小明 加入名册。")).to_be_visible()
    expect(page.get_by_text("13903708888")).to_be_visible()
