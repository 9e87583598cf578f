"""The confirmation queue in the browser at 1280 px: open a registration, merge it into the worker
it repeats; refuse another with a reason, which its rider reads on 我的 at 360 px."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from points.models import EntryKind
from points.services.ledger import award
from registry.models import WorkerStatus
from tests.e2e.conftest import DESKTOP, PHONE, screenshot
from tests.e2e.riders import sign_in_rider_on
from tests.e2e.staff import sign_in
from tests.factories import WorkerFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def log_in(new_page, username):
    page = new_page(DESKTOP)
    sign_in(page, username)
    return page


def test_staff_open_a_registration_and_merge_it_into_the_worker_it_repeats(new_page, tree, staff_a):
    kept = WorkerFactory(
        name="张三",
        mobile="13900000009",
        area=tree.community_a,
        status=WorkerStatus.CONFIRMED,
        confirmed_at=timezone.now(),
    )
    duplicate = WorkerFactory(name="张三", mobile="13800000001", area=tree.community_a)
    award(duplicate, 5, EntryKind.GRID_DUTY)
    page = log_in(new_page, "alice")
    page.goto("/staff/registry/pending/")
    page.get_by_role("link", name="张三").click()
    page.wait_for_url(f"**/staff/registry/pending/{duplicate.id}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"]
    screenshot(page, "registry-review-1280")
    page.locator(f"#id_kept_{kept.id}").check()
    page.get_by_role("button", name="合并到该人员").click()
    page.wait_for_url("**/staff/registry/pending/")
    expect(page.get_by_text("历史记录随之转入")).to_be_visible()
    page.goto(f"/staff/registry/workers/{kept.id}/")
    expect(page.get_by_text("重复登记已合并").first).to_be_visible()
    screenshot(page, "registry-merged-kept-1280")


def test_a_refusal_reaches_the_rider_with_its_reason(new_page, live_server, tree, staff_a):
    worker = WorkerFactory(name="李四", mobile="13800000002", area=tree.community_a)
    page = log_in(new_page, "alice")
    page.goto(f"/staff/registry/workers/{worker.id}/")
    screenshot(page, "registry-worker-pending-1280")
    page.get_by_role("button", name="不予确认").click()  # no reason: the browser asks for one
    assert page.url.endswith(f"/staff/registry/workers/{worker.id}/")
    page.get_by_label("不予确认的原因").fill("手机号与本人不符，请用本人手机号重新登记")
    page.get_by_role("button", name="不予确认").click()
    expect(page.get_by_text("本人可在“我的”页面看到原因")).to_be_visible()
    screenshot(page, "registry-worker-refused-1280")

    rider = sign_in_rider_on(new_page(PHONE), live_server, worker)
    rider.goto("/me/")
    expect(rider.get_by_text("手机号与本人不符，请用本人手机号重新登记")).to_be_visible()
    screenshot(rider, "registry-me-refused-360")
