"""Care visits (三必访) and the inbox in the browser, in English so the steps read the msgids."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation
from playwright.sync_api import expect

from registry import care
from registry.models import CareVisit
from tests.e2e.conftest import DESKTOP, PHONE, screenshot
from tests.e2e.staff import sign_in
from tests.factories import CareVisitFactory, WorkerFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def log_in_english(new_page, viewport, username):
    page = new_page(viewport, locale="en-GB")
    sign_in(page, username)
    return page


@pytest.fixture
def visits(tree, staff_a):
    today = timezone.localdate()
    due = [("王芳", -2, "life_change"), ("赵六", 1, "job_change"), ("欧阳娜娜", 6, "work_drop")]
    return [
        CareVisitFactory(
            worker=WorkerFactory(name=name, area=tree.community_a, party_member=True),
            due_on=today + timedelta(days=days),
            trigger=trigger,
            trigger_notes="最近接单明显减少，家里老人生病住院。",
            responsible=staff_a,
            recorded_by=staff_a,
        )
        for name, days, trigger in due
    ]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360px", "1280px"])
def test_staff_see_due_visits_and_record_one(new_page, tree, staff_a, visits, viewport):
    page = log_in_english(new_page, viewport, "alice")
    page.goto("/staff/registry/care/")
    rows = page.locator("tbody tr")
    expect(rows.first.get_by_text("Overdue by 2 days")).to_be_visible()
    expect(rows.nth(1).get_by_text("Due tomorrow")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    # The table fits too: nothing hides behind a sideways scroll.
    assert page.locator(".table-responsive").evaluate("e => e.scrollWidth <= e.clientWidth")
    screenshot(page, f"care-visits-{viewport['width']}")

    rows.first.get_by_role("link", name="Record visit").click()
    expect(page.get_by_text("最近接单明显减少")).to_be_visible()
    page.get_by_label("Notes").fill("上门看望，送去慰问品，约定下周再电话联系。")
    page.get_by_label("Follow-up needed").check()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    screenshot(page, f"care-visit-{viewport['width']}")
    page.get_by_role("button", name="Record the visit").click()
    expect(page.get_by_text("The visit to 王芳 is recorded.")).to_be_visible()
    assert page.locator("tbody tr").count() == 2
    visit = CareVisit.objects.get(worker__name="王芳")
    assert visit.closed_by == staff_a
    assert visit.follow_up_needed


def test_staff_record_a_reason_for_a_visit(new_page, tree, staff_a):
    member = WorkerFactory(name="王芳", area=tree.community_a, party_member=True)
    page = log_in_english(new_page, DESKTOP, "alice")
    page.goto(f"/staff/registry/workers/{member.pk}/care/new/")
    page.get_by_label("Job change").check()
    page.get_by_label("What happened").fill("从美团转到顺丰，搬到了新的住处。")
    screenshot(page, "care-new-1280")
    page.get_by_role("button", name="Record the reason").click()
    expect(page.get_by_text("A care visit to 王芳 is due by")).to_be_visible()
    assert CareVisit.objects.get().trigger == "job_change"


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360px", "1280px"])
def test_a_reminder_in_the_inbox_leads_to_the_visit(new_page, tree, staff_a, visits, viewport):
    with translation.override("en"):
        care.remind_due_visits(timezone.localdate())
    page = log_in_english(new_page, viewport, "alice")
    page.goto("/staff/inbox/")
    reminder = page.get_by_role("button", name="Care visit overdue by 2 days: 王芳")
    assert reminder.locator("strong").count() == 1  # unread
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    screenshot(page, f"inbox-{viewport['width']}")
    reminder.click()
    expect(page.get_by_role("heading", name="Care visit: 王芳")).to_be_visible()
    page.goto("/staff/inbox/")
    assert (
        page.get_by_role("button", name="Care visit overdue by 2 days: 王芳")
        .locator("strong")
        .count()
        == 0
    )
