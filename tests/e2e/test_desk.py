"""The department desk in real browsers: the handler acknowledges a task (签收) and asks for more
time (延期); the staff who assigned it approve; the handler finishes it with a photo (办结); staff
show the photo to the submitter, who sees it on the tracking page."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.translation import gettext as _
from playwright.sync_api import expect

from feedback.models import State, Suggestion, Task, TaskExtension, TaskPhoto
from feedback.services import add_task, resolve
from tests.e2e.conftest import DESKTOP, PHONE, screenshot
from tests.e2e.test_suggestion_loop import log_in, photo_loaded, photo_with_gps
from tests.factories import SuggestionFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_handler_acknowledges_asks_for_time_and_finishes_with_a_photo(
    new_page, live_server, tree, staff_a, handler, department_x, media, tmp_path
):
    suggestion = SuggestionFactory(
        area=tree.community_a,
        state=State.ACCEPTED,
        category="hazard",
        text="建设路口井盖缺失",
        assessed_at=timezone.now(),
    )
    task = add_task(suggestion, department_x, instructions="补装井盖并设置警示牌", by=staff_a)
    wanted = timezone.localtime(task.due_at).date() + timedelta(days=7)

    # The handler acknowledges the task, then asks for a week more.
    desk = new_page(DESKTOP)
    log_in(desk, "hank")
    desk.goto(f"/staff/feedback/tasks/{task.pk}/")
    desk.get_by_role("button", name=_("Acknowledge (签收)")).click()
    expect(
        desk.get_by_text(_("Acknowledged: the task is your department's to do."))
    ).to_be_visible()
    desk.get_by_text(_("Ask for more time")).first.click()
    desk.get_by_label(_("New deadline")).fill(wanted.isoformat())
    desk.get_by_label(_("Why more time is needed")).fill("井盖需要定制，厂家一周后到货")
    desk.get_by_role("button", name=_("Ask for more time")).click()
    expect(desk.get_by_text(_("Waiting for a decision"))).to_be_visible()
    assert Task.objects.get(pk=task.pk).acknowledged_by == handler

    # The staff who assigned it approve the day asked for.
    staff = new_page(DESKTOP)
    log_in(staff, "alice")
    staff.goto(f"/staff/feedback/tasks/{task.pk}/")
    staff.get_by_label(_("Approve"), exact=True).check()
    screenshot(staff, "desk-1-staff-decides-extension-1280")
    staff.get_by_role("button", name=_("Decide")).click()
    expect(staff.get_by_text(_("Decided. The department is told."))).to_be_visible()
    assert TaskExtension.objects.get().approved is True
    assert Task.objects.get(pk=task.pk).due_on == wanted

    # The handler finishes it with a photo of the result.
    desk.reload()
    desk.locator("textarea[name=result]").fill("已补装井盖")
    desk.get_by_label(_("Photos of the result (up to 3)")).set_input_files(
        photo_with_gps(tmp_path / "done.jpg")
    )
    screenshot(desk, "desk-2-handler-finishes-1280")
    desk.get_by_role("button", name=_("Mark as done (办结)")).click()
    expect(desk.get_by_text(_("Photos of the result"), exact=True)).to_be_visible()
    assert photo_loaded(desk)

    # Staff resolve it and show the photo to the submitter, who sees it on the tracking page.
    resolve(Suggestion.objects.get(pk=suggestion.pk), version=None, reply="井盖已补装", by=staff_a)
    staff.reload()
    staff.get_by_role("button", name=_("Show to the submitter")).click()
    expect(staff.get_by_text(_("The photo is shown on the tracking page."))).to_be_visible()
    assert TaskPhoto.objects.get().published
    rider = new_page(PHONE)
    rider.goto(f"/track/{suggestion.tracking_code}/")
    expect(rider.get_by_text(_("Photos of what was done"))).to_be_visible()
    assert photo_loaded(rider)
    screenshot(rider, "desk-3-rider-sees-the-result-photo-360")
