"""An official reads the rates and the monthly ranking in the browser, on a desktop and a
phone: the rates with their counts and definitions, a street's communities one level down, the
departments ranked."""

import re

import pytest
from playwright.sync_api import expect

from tests.dashboard.test_rates import loop  # noqa: F401  (the hand-counted data set)
from tests.e2e.conftest import DESKTOP, PHONE, screenshot
from tests.e2e.test_dashboard import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360px", "1280px"])
def test_an_official_reads_the_rates_and_the_ranking(new_page, loop, official, viewport):  # noqa: F811
    page = log_in(new_page, viewport)
    page.goto(f"/staff/dashboard/rates/?start={loop.recent.start}&end={loop.recent.end}")
    expect(page.get_by_role("heading", name="梁园区考核指标")).to_be_visible()
    by_area = page.locator("#rates-by-area")
    # 3 of 5 tasks done on time, 2 of 3 closed suggestions never reopened.
    expect(by_area.locator("tfoot")).to_contain_text("60.0%")
    expect(by_area.locator("tfoot")).to_contain_text("3/5")
    expect(by_area.locator("tfoot")).to_contain_text("2/3")
    expect(by_area.locator("dt", has_text="按时办结率")).to_be_visible()
    departments = page.locator("#rates-by-department tbody tr")
    expect(departments).to_have_count(3)
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    screenshot(page, f"rates-district-{viewport['width']}")

    by_area.get_by_role("link", name="平原街道").click()
    expect(page.get_by_role("heading", name="平原街道考核指标")).to_be_visible()
    rows = page.locator("#rates-by-area tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("建设路社区")

    page.get_by_role("link", name="月度排名").click()
    expect(page.get_by_role("heading", name=re.compile("平原街道 .* 排名"))).to_be_visible()
    ranked = page.locator("#ranking-departments tbody tr")
    expect(ranked.first).to_contain_text("平原街道办事处")
    page.goto("/staff/dashboard/ranking/")
    expect(page.get_by_role("heading", name=re.compile("梁园区 .* 排名"))).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    screenshot(page, f"ranking-district-{viewport['width']}")
