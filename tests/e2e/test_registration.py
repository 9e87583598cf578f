import pytest
from playwright.sync_api import expect

from registry.models import CheckIn, Worker, WorkerStatus
from tests.e2e.conftest import DESKTOP, PHONE, screenshot
from tests.e2e.test_staff_login import log_in
from tests.factories import PASSWORD
from tests.sms import last_code

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_rider_registers_from_the_qr_link_on_a_phone(new_page, tree, texts):
    page = new_page(PHONE)
    page.goto(f"/register/?community={tree.community_a.code}")
    expect(page.get_by_text("您正在向建设路社区报到")).to_be_visible()
    screenshot(page, "register-360")

    page.get_by_label("姓名").fill("张三")
    page.get_by_label("手机号").fill("138 1234 5678")
    page.get_by_label("职业").select_option(label="外卖骑手")
    page.locator("#id_platform").select_option(label="美团")
    page.get_by_label("政治面貌").select_option(label="群众")
    page.get_by_role("button", name="提交登记").click()
    # Forgot to consent: nothing kept, and the page says why.
    # In the list of problems at the top and under the box itself.
    expect(page.get_by_text("未经您的同意，我们不能保存您的登记。").first).to_be_visible()
    assert not Worker.objects.exists()

    page.get_by_label("我已阅读上述说明").check()
    page.get_by_role("button", name="提交登记").click()
    # Nothing is kept until the texted code shows the number is the rider's.
    expect(page.get_by_text("138****5678")).to_be_visible()
    assert not Worker.objects.exists()
    screenshot(page, "register-code-360")
    page.get_by_label("短信收到的6位验证码").fill(last_code("13812345678"))
    page.get_by_role("button", name="确认并登记").click()
    expect(page.get_by_role("heading", name="谢谢，登记已提交")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "registered-360")
    worker = Worker.objects.get()
    assert (worker.mobile, worker.status) == ("13812345678", WorkerStatus.PENDING)
    assert CheckIn.objects.filter(worker=worker, area=tree.community_a).exists()


def test_staff_confirm_a_registration_from_the_queue(new_page, tree, staff_a, worker_a):
    page = new_page(DESKTOP)
    log_in(page, "alice", PASSWORD)
    page.locator("nav .dropdown", has_text="待确认登记").locator(".dropdown-toggle").click()
    page.get_by_role("navigation").get_by_role("link", name="待确认登记").click()
    expect(page.get_by_role("cell", name="138****0001")).to_be_visible()
    screenshot(page, "pending-1280")
    page.get_by_role("button", name="确认").click()
    expect(page.get_by_text("已确认 张三 的登记。")).to_be_visible()
    expect(page.get_by_text("没有等待确认的登记。")).to_be_visible()
    worker_a.refresh_from_db()
    assert worker_a.status == WorkerStatus.CONFIRMED
