"""An official reads the dashboard in the browser: figures, drill-down and back, the period,
the export and the printed A4 report, on a desktop and on a phone."""

import re
from datetime import timedelta
from io import BytesIO

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from dashboard import refresh
from tests.dashboard.conftest import (
    counted,  # noqa: F401  (the hand-counted data set)
    make_worker,
)
from tests.e2e.conftest import DESKTOP, PHONE, SCREENSHOTS, screenshot
from tests.e2e.staff import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def log_in(new_page, viewport, username="olivia"):
    page = new_page(viewport)
    sign_in(page, username)
    return page


def headline(page, label):
    card = page.locator(".dashboard-headline .card").filter(has_text=label)
    return card.locator(".stat-figure").inner_text()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360px", "1280px"])
def test_an_official_reads_drills_down_and_comes_back(new_page, counted, official, viewport):  # noqa: F811
    page = log_in(new_page, viewport)
    page.goto("/staff/dashboard/")
    expect(page.get_by_role("heading", name="梁园区数据概览")).to_be_visible()
    assert headline(page, "登记人数") == "6"
    assert headline(page, "新增登记") == "6"  # this month; 张二 registered 40 days ago
    assert headline(page, "企业党组织覆盖率") == "50.0%"
    assert page.locator("svg.dashboard-svg").count() == 4
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    screenshot(page, f"dashboard-district-{viewport['width']}")

    # One level down: the street, by community.
    page.locator("#workers").get_by_role("link", name="平原街道").click()
    expect(page.get_by_role("heading", name="平原街道数据概览")).to_be_visible()
    workers = page.locator("#workers tbody tr")
    assert workers.count() == 2
    assert re.sub(r"\s+", " ", workers.first.inner_text()).startswith("建设路社区 5 5 1 1")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    screenshot(page, f"dashboard-street-{viewport['width']}")

    # The data table of a chart opens under it.
    chart = page.locator(".dashboard-chart").first
    chart.get_by_text("数据表", exact=True).click()
    assert chart.locator("tbody tr").count() == counted.today.day  # a row a day this month

    # And back up by the trail.
    page.get_by_role("navigation", name="逐级查看").get_by_role("link", name="梁园区").click()
    expect(page.get_by_role("heading", name="梁园区数据概览")).to_be_visible()


def test_last_month_shows_last_months_figures(new_page, counted, tree, official):  # noqa: F811
    last_month_end = counted.today.replace(day=1) - timedelta(days=1)
    fifteenth = last_month_end.replace(day=15)
    make_worker(tree.community_b, "上月新", created=(counted.today - fifteenth).days)
    refresh.rebuild()
    page = log_in(new_page, DESKTOP)
    page.goto("/staff/dashboard/")
    screenshot(page, "dashboard-this-month-1280")
    page.get_by_role("link", name="上月", exact=True).click()
    start, end = f"{last_month_end:%Y-%m}-01", f"{last_month_end:%Y-%m-%d}"
    page.get_by_role("heading", name=f"统计期内（{start} 至 {end}）").wait_for()
    assert page.get_by_role("link", name="上月", exact=True).get_attribute("aria-current")
    old_day = counted.today - timedelta(days=40)
    expected = "2" if old_day.month == last_month_end.month else "1"
    assert headline(page, "新增登记") == expected
    assert headline(page, "登记人数") == "7"  # now, whatever the period
    expect(page.get_by_text("不随统计期变化")).to_be_visible()
    chart = page.locator(".dashboard-chart").first
    chart.get_by_text("数据表", exact=True).click()
    assert chart.locator("tbody tr").count() == last_month_end.day
    assert chart.locator("tbody tr").first.inner_text().startswith(start)
    screenshot(page, "dashboard-last-month-1280")


def test_the_period_picker_and_the_export_agree(new_page, counted, official):  # noqa: F811
    page = log_in(new_page, DESKTOP)
    page.goto("/staff/dashboard/")
    old = counted.old_period
    page.get_by_label("起").fill(old.start.isoformat())
    page.get_by_label("止").fill(old.end.isoformat())
    page.get_by_role("button", name="显示").click()
    expect(page.get_by_text(f"统计期 {old.start:%Y-%m-%d} 至 {old.end:%Y-%m-%d}")).to_be_visible()
    resolved = page.locator("#funnel tfoot td").nth(4).inner_text()
    median = page.locator("#funnel tfoot td").nth(5).inner_text()
    assert (resolved, median) == ("1", "5.0")

    with page.expect_download() as download:
        page.get_by_role("link", name="导出 Excel").click()
    book = load_workbook(BytesIO(open(download.value.path(), "rb").read()))  # noqa: SIM115
    loop = [list(row) for row in book["建议办理流程"].iter_rows(values_only=True)]
    assert loop[-1][0] == "合计" or loop[-3][0] == "合计"
    total = next(row for row in loop if row[0] == "合计")
    assert total[5:7] == [1, 5]

    # A period that ends before it starts is refused in words, and this month is shown.
    page.get_by_label("起").fill(old.end.isoformat())
    page.get_by_label("止").fill(old.start.isoformat())
    page.get_by_role("button", name="显示").click()
    page.get_by_text("统计期的开始日期不能晚于结束日期。").wait_for()
    assert page.get_by_role("link", name="本月").get_attribute("aria-current") == "true"


def test_the_dashboard_prints_as_a_clean_a4_report(new_page, counted, official):  # noqa: F811
    page = log_in(new_page, DESKTOP)
    page.goto("/staff/dashboard/?area=411402001")
    page.emulate_media(media="print")
    assert not page.locator(".portal-navbar").is_visible()
    assert not page.locator("form.dashboard-period").is_visible()
    expect(page.get_by_role("heading", name="平原街道数据概览")).to_be_visible()
    screenshot(page, "dashboard-print")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    pdf = page.pdf(format="A4", path=str(SCREENSHOTS / "dashboard.pdf"))
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert 2 <= pages <= 6
