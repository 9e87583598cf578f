"""Assessing a suggestion in the browser, in English so the steps read the msgids."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from feedback.models import ResponseTemplate, State
from tests.e2e.conftest import DESKTOP, screenshot
from tests.e2e.staff import sign_in
from tests.factories import SuggestionFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_staff_reject_the_overdue_suggestion_with_a_reply_template(new_page, tree, staff_a):
    template = ResponseTemplate.objects.create(
        state=State.REJECTED, title="请补充照片", text="信息不足，欢迎补充地点和照片后重新提交。"
    )
    old = SuggestionFactory(
        area=tree.community_a,
        text="建设路口晚上没有路灯，送餐不安全",
        queued_at=timezone.now() - timedelta(days=30),
    )
    SuggestionFactory(area=tree.community_a, text="建设路口路灯坏了，晚上很黑")
    page = new_page(DESKTOP, locale="en-GB")
    sign_in(page, "alice")

    page.goto("/staff/feedback/")
    row = page.get_by_role("row").filter(has_text="没有路灯")
    expect(row.locator("td").last.get_by_text("Overdue")).to_be_visible()
    screenshot(page, "triage-queue-1280")
    row.get_by_role("link", name=old.tracking_code).click()
    expect(page.get_by_text("建设路口路灯坏了")).to_be_visible()  # a similar one nearby
    # 受理 is the open, primary action; 不予受理 stays folded, its reply empty, until chosen.
    expect(page.get_by_role("button", name="Accept and split into tasks")).to_be_visible()
    assert not page.locator("#reject textarea").is_visible()
    screenshot(page, "suggestion-assess-1280")
    page.locator("#reject summary").click()
    assert page.locator("#reject textarea").input_value() == ""
    page.locator("#reject").get_by_role("link", name="请补充照片").click()
    assert page.locator("#reject textarea").input_value() == template.text
    screenshot(page, "suggestion-reject-template-1280")
    page.get_by_role("button", name="Not take up and reply").click()
    expect(page.get_by_text(f"{old.tracking_code} is not taken up")).to_be_visible()
    old.refresh_from_db()
    assert (old.state, old.reply) == (State.REJECTED, template.text)
