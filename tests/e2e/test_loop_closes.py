"""The loop closed at both ends, in one journey through real browsers: a rider files a hazard from
a station's code; staff accept it with a sub-type and give its department a task; the handler
acknowledges it (签收), asks for more time (延期), staff approve, and the handler finishes it with
a photo (办结); staff reply; the rider is texted at each change the rider should hear of (the
console backend, as development runs) and rates it from the link in the text; the district
official then finds it in the rates and the monthly ranking."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.translation import gettext as _
from playwright.sync_api import expect

from dashboard.tasks import refresh_dashboard
from feedback.models import IssueType, State, Suggestion, Task
from portal.privacy import mask_mobile
from tests.e2e.conftest import DESKTOP, PHONE, screenshot
from tests.e2e.riders import sign_in_rider_on
from tests.e2e.test_suggestion_loop import log_in, photo_with_gps

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def texts_to(capfd, mobile: str) -> list[str]:
    """What the console SMS backend printed for this mobile since the last call."""
    printed = capfd.readouterr().out
    return re.findall(rf"^SMS to {re.escape(mask_mobile(mobile))}: (.*)$", printed, re.MULTILINE)


def test_a_hazard_goes_from_the_rider_through_the_desk_to_the_officials_rates(
    new_page,
    live_server,
    tree,
    station_a,
    worker_a,
    staff_a,
    handler,
    department_x,
    official,
    eager_tasks,
    media,
    settings,
    capfd,
    tmp_path,
):
    settings.SMS_BACKEND = "portal.sms.ConsoleBackend"
    settings.SITE_URL = live_server.url
    IssueType.objects.filter(code="hazard-manhole").delete()  # seeded; a transactional test
    manhole = IssueType.objects.create(
        category="hazard", name="井盖破损", code="hazard-manhole", default_department="市场监管"
    )
    capfd.readouterr()

    # The signed-in rider scans the station's code and reports a hazard.
    rider = sign_in_rider_on(new_page(PHONE), live_server, worker_a)
    rider.goto(f"/s/{station_a.token}/")
    rider.get_by_role("link", name=_("Report a hazard")).click()
    rider.get_by_label(_("What happened, or what do you need?")).fill("建设路口井盖缺了一块")
    rider.get_by_role("button", name=_("Send")).click()
    suggestion = Suggestion.objects.get()
    expect(rider.get_by_text(suggestion.tracking_code).first).to_be_visible()
    assert texts_to(capfd, worker_a.mobile) == []  # filing is not a change the rider is told of

    # Staff accept it as a 井盖破损; the task proposes the market-regulation bureau.
    staff = new_page(DESKTOP)
    log_in(staff, "alice")
    staff.goto(f"/staff/feedback/suggestions/{suggestion.pk}/")
    staff.locator("#acceptform-issue_type").select_option(label="井盖破损")
    staff.get_by_role("button", name=_("Accept and split into tasks")).click()
    expect(staff.get_by_text(_("Text message sent to the submitter")).first).to_be_visible()
    assert staff.locator("#id_department").input_value() == str(department_x.pk)
    staff.get_by_label(_("Instructions")).fill("请现场核实并补装井盖")
    staff.get_by_role("button", name=_("Add the task")).click()
    expect(staff.get_by_text("请现场核实并补装井盖").first).to_be_visible()
    [accepted] = texts_to(capfd, worker_a.mobile)
    assert suggestion.tracking_code in accepted and "井盖缺了" not in accepted
    assert Suggestion.objects.get().issue_type == manhole

    # The handler acknowledges it (签收) and asks for a week more (延期).
    task = Task.objects.get()
    desk = new_page(DESKTOP)
    log_in(desk, "hank")
    desk.goto("/staff/feedback/tasks/")
    desk.get_by_role("link", name="请现场核实并补装井盖").click()
    desk.get_by_role("button", name=_("Acknowledge (签收)")).click()
    expect(
        desk.get_by_text(_("Acknowledged: the task is your department's to do."))
    ).to_be_visible()
    wanted = timezone.localtime(task.due_at).date() + timedelta(days=7)
    desk.get_by_text(_("Ask for more time")).first.click()
    desk.get_by_label(_("New deadline")).fill(wanted.isoformat())
    desk.get_by_label(_("Why more time is needed")).fill("井盖需要定制，厂家一周后到货")
    desk.get_by_role("button", name=_("Ask for more time")).click()
    expect(desk.get_by_text(_("Waiting for a decision"))).to_be_visible()

    # Staff approve; the handler finishes it with a photo of the result (办结).
    staff.goto(f"/staff/feedback/tasks/{task.pk}/")
    staff.get_by_label(_("Approve"), exact=True).check()
    staff.get_by_role("button", name=_("Decide")).click()
    expect(staff.get_by_text(_("Decided. The department is told."))).to_be_visible()
    desk.reload()
    desk.locator("textarea[name=result]").fill("已补装井盖并设置警示牌")
    desk.get_by_label(_("Photos of the result (up to 3)")).set_input_files(
        photo_with_gps(tmp_path / "done.jpg")
    )
    desk.get_by_role("button", name=_("Mark as done (办结)")).click()
    expect(desk.get_by_text(_("Photos of the result"), exact=True)).to_be_visible()
    task.refresh_from_db()
    assert (task.state, task.due_on) == (Task.State.DONE, wanted)
    assert task.acknowledged_by == handler
    # Internal steps (签收, 延期, 办结) text the rider nothing.
    assert texts_to(capfd, worker_a.mobile) == []

    # Staff reply and resolve: the rider is texted a link to rate it.
    staff.goto(f"/staff/feedback/suggestions/{suggestion.pk}/")
    staff.get_by_label(_("Reply to the submitter")).fill("井盖已补装，感谢您当好隐患哨兵！")
    staff.get_by_role("button", name=_("Send the reply and resolve")).click()
    expect(staff.get_by_text(_("Text message sent to the submitter")).first).to_be_visible()
    [resolved] = texts_to(capfd, worker_a.mobile)
    assert "井盖已补装" not in resolved  # the reply is read on the tracking page, not in a text
    link = re.search(r"https?://\S+", resolved).group()
    assert link.startswith(live_server.url) and suggestion.tracking_code in link

    # From the link in the text, the rider rates it.
    rider.goto(link)
    expect(rider.locator(".track-reply").get_by_text("井盖已补装")).to_be_visible()
    rider.get_by_text(_("★★★★★ Very satisfied")).click()
    rider.get_by_role("button", name=_("Send my rating")).click()
    expect(rider.get_by_text(_("Thank you for rating the outcome."))).to_be_visible()
    screenshot(rider, "closed-1-rider-rated-from-the-text-360")
    assert Suggestion.objects.get().state == State.CLOSED
    [closed] = texts_to(capfd, worker_a.mobile)  # one text per change: this one says it closed
    assert suggestion.tracking_code in closed and closed != resolved

    # The beat's recount runs; the district official sees the bureau's rates and its rank.
    refresh_dashboard()
    official_page = new_page(DESKTOP)
    log_in(official_page, "olivia")
    official_page.goto("/staff/dashboard/rates/")
    department_row = official_page.locator("#rates-by-department tbody tr", has_text="市场监管局")
    # 解决率 and 满意率 (online) 1 of 1; one extension asked and approved. (The task's 响应率 and
    # 按时办结率 count in the period holding its deadlines, which are still ahead.)
    cells = [" ".join(cell.split()) for cell in department_row.locator("td").all_inner_texts()]
    assert cells == ["– 0/0", "– 0/0", "100.0% 1/1", "100.0% 1/1", "– 0/0", "0", "1", "1", "0"]
    by_category = official_page.locator("#rates-by-category")
    expect(by_category.locator("tr", has_text="井盖破损")).to_contain_text("1")
    screenshot(official_page, "closed-2-official-rates-1280")
    official_page.goto("/staff/dashboard/ranking/")
    expect(official_page.locator("#ranking-departments tbody tr").first).to_contain_text(
        "梁园区市场监管局"
    )
    screenshot(official_page, "closed-3-official-ranking-1280")
