"""The roster's search box at 1280 px: visible without opening the filters, it finds a worker by a
full mobile number typed full-width; an area outside the user's scope says so."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, screenshot
from tests.e2e.staff import sign_in
from tests.factories import WorkerFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_roster_finds_a_full_width_mobile_and_refuses_an_area_outside_scope(
    new_page, tree, staff_a
):
    WorkerFactory(name="张三", mobile="13800000001", area=tree.community_a)
    WorkerFactory(name="李四", mobile="13800000002", area=tree.community_a)
    page = new_page(DESKTOP)
    sign_in(page, "alice")
    page.goto("/staff/registry/workers/")
    search = page.get_by_label("搜索")
    expect(search).to_be_visible()
    assert "手机号" in search.get_attribute("placeholder")
    assert not page.locator("#id_occupation").is_visible()  # the other filters stay folded
    screenshot(page, "registry-roster-1280")
    search.fill("１３８ ００００ ０００１")
    page.get_by_role("button", name="搜索").click()
    page.wait_for_url("**/staff/registry/workers/?q=*")
    assert page.locator("tbody tr").count() == 1
    expect(page.get_by_role("link", name="张三")).to_be_visible()
    screenshot(page, "registry-roster-search-1280")
    page.goto(f"/staff/registry/workers/?area={tree.community_c.id}")
    expect(page.get_by_role("alert").get_by_text("该区域不在你的辖区内")).to_be_visible()
    screenshot(page, "registry-roster-out-of-scope-1280")
