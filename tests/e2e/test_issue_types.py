"""Issue types in the browser: the rider's big buttons at 360 px (only the chosen category's, with
or without JavaScript), and staff accepting with a type, which proposes
the type's department for the first task."""

import pytest
from playwright.sync_api import expect

from feedback.models import IssueType, Suggestion
from tests.e2e.conftest import DESKTOP, PHONE, screenshot
from tests.e2e.test_staff_login import log_in
from tests.factories import PASSWORD, DepartmentFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def kinds(db):
    """The types these tests use, made here: a transactional test may find the seeded ones
    flushed by an earlier one."""
    IssueType.objects.all().delete()
    return {
        code: IssueType.objects.create(
            code=code, category=category, name=name, order=order, default_department=words
        )
        for order, (code, category, name, words) in enumerate(
            [
                ("hazard-wire-charging", "hazard", "飞线充电", "街道办事处"),
                ("hazard-manhole", "hazard", "井盖破损", "街道办事处"),
                ("need-rest", "need", "歇脚、喝水、充电", "总工会"),
            ]
        )
    }


def button(page, name):
    return page.locator("label.choice-button", has_text=name)


def test_a_rider_picks_a_kind_of_the_chosen_category_with_big_buttons(new_page, station_a, kinds):
    page = new_page(PHONE)
    page.goto(f"/s/{station_a.token}/suggest/")
    question = page.locator("#issue-types")
    expect(question).to_be_hidden()  # 建议, chosen at first, has no kinds here
    button(page, "随手拍/隐患").click()
    expect(question).to_be_visible()
    expect(button(page, "井盖破损")).to_be_visible()
    expect(button(page, "歇脚、喝水、充电")).to_be_hidden()
    button(page, "井盖破损").click()
    assert page.locator("#issue-types input:checked").get_attribute("value") == str(
        kinds["hazard-manhole"].pk
    )
    # Another category: its kinds instead, and the hidden choice is let go.
    button(page, "诉求/困难").click()
    expect(button(page, "歇脚、喝水、充电")).to_be_visible()
    expect(button(page, "井盖破损")).to_be_hidden()
    assert page.locator("#issue-types input:checked").get_attribute("value") == ""
    button(page, "随手拍/隐患").click()
    button(page, "井盖破损").click()
    page.get_by_label("发生了什么").fill("建设路口井盖缺了一块，晚上看不见")
    screenshot(page, "suggest-issue-types-360")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_text("随手拍/隐患 · 井盖破损")).to_be_visible()
    suggestion = Suggestion.objects.get()
    assert (suggestion.category, suggestion.issue_type.name) == ("hazard", "井盖破损")


def test_without_javascript_the_kinds_still_follow_the_chosen_category(
    browser, live_server, station_a, kinds
):
    """The showing and hiding is CSS (:has()), so it needs no script and moves nothing once the
    page is painted; the script only lets go of a kind that a change of category hides."""
    context = browser.new_context(
        viewport=PHONE, locale="zh-CN", base_url=live_server.url, java_script_enabled=False
    )
    page = context.new_page()
    page.goto(f"/s/{station_a.token}/suggest/")
    expect(page.locator("#issue-types")).to_be_hidden()
    button(page, "随手拍/隐患").click()
    expect(button(page, "飞线充电")).to_be_visible()
    expect(button(page, "歇脚、喝水、充电")).to_be_hidden()
    button(page, "飞线充电").click()
    page.get_by_label("发生了什么").fill("楼道里有人拉电线充电")
    screenshot(page, "suggest-issue-types-nojs-360")
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_text("随手拍/隐患 · 飞线充电")).to_be_visible()
    assert Suggestion.objects.get().category == "hazard"
    context.close()


def test_staff_accept_with_a_kind_and_the_task_proposes_its_department(
    new_page, tree, staff_a, kinds
):
    street = DepartmentFactory(name="平原街道办事处", area=tree.street)
    DepartmentFactory(name="梁园区总工会", area=tree.district)
    suggestion = Suggestion.objects.create(
        area=tree.community_a,
        category="suggestion",
        channel="online",
        text="楼道里拉线给电动车充电",
    )
    page = new_page(DESKTOP)
    log_in(page, "alice", PASSWORD)
    page.wait_for_url("**/staff/")
    page.goto(f"/staff/feedback/suggestions/{suggestion.pk}/")
    page.locator("#acceptform-issue_type").select_option(label="飞线充电")
    page.get_by_role("button", name="受理并分解任务").click()
    expect(page.get_by_text("随手拍/隐患 · 飞线充电").first).to_be_visible()
    expect(page.get_by_text("问题类型调整")).to_be_visible()
    assert page.locator("#id_department").input_value() == str(street.pk)
    expect(page.get_by_text("按问题类型“飞线充电”推荐：平原街道办事处。")).to_be_visible()
    screenshot(page, "suggestion-issue-type-1280")
