"""The rider is told, in real browsers: staff accept a hazard and the rider gets a text with the
tracking link; on the phone they open it and stop the texts, so resolving it sends nothing more.
Staff then call the rider back (回访) and record it, which closes the suggestion."""

import re

import pytest
from django.utils import timezone
from django.utils.translation import gettext as _
from playwright.sync_api import expect

from feedback import services
from feedback.models import State
from tests.e2e.conftest import DESKTOP, PHONE, screenshot
from tests.e2e.test_suggestion_loop import log_in
from tests.factories import SuggestionFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

MOBILE = "13912345678"


def test_the_rider_reads_the_text_stops_the_texts_and_is_called_back(
    new_page, tree, staff_a, handler, department_x, texts, eager_tasks, settings, live_server
):
    settings.SITE_URL = live_server.url
    hazard = SuggestionFactory(
        area=tree.community_a, category="hazard", text="建设路口井盖缺失", mobile=MOBILE
    )

    # Staff accept it: the rider is texted, with the link and nothing they wrote.
    staff = new_page(DESKTOP)
    log_in(staff, "alice")
    staff.goto(f"/staff/feedback/suggestions/{hazard.pk}/")
    staff.get_by_role("button", name=_("Accept and split into tasks")).click()
    expect(staff.get_by_text(_("Text message sent to the submitter")).first).to_be_visible()
    [(mobile, body)] = texts
    assert mobile == MOBILE and "井盖" not in body
    link = re.search(r"https?://\S+", body).group()

    # On the phone, the rider opens the link and stops the texts.
    rider = new_page(PHONE)
    rider.goto(link)
    stop = rider.get_by_role("button", name=_("Stop the text messages"))
    expect(stop).to_be_visible()
    assert rider.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    stop.scroll_into_view_if_needed()
    screenshot(rider, "told-1-tracking-stop-texts-360")
    stop.click()
    expect(
        rider.get_by_text(_("No more text messages will be sent about this suggestion."))
    ).to_be_visible()
    expect(rider.get_by_role("button", name=_("Stop the text messages"))).to_have_count(0)
    screenshot(rider, "told-2-tracking-texts-stopped-360")

    # Resolving it sends nothing more.
    task = services.add_task(
        hazard, department_x, instructions="补井盖", due_on=timezone.localdate(), by=staff_a
    )
    services.complete_task(task, result="已补装", by=handler)
    hazard.refresh_from_db()
    services.resolve(hazard, version=None, reply="井盖已补装", by=staff_a)
    assert len(texts) == 1

    # The rider did not rate it online: staff call them back and record it.
    staff.goto(f"/staff/feedback/suggestions/{hazard.pk}/")
    staff.get_by_role("link", name=_("Record a callback")).click()
    expect(staff.get_by_text(_("Did you reach the submitter?"))).to_be_visible()
    screenshot(staff, "told-3-callback-form-1280")
    staff.get_by_label(_("Yes, we spoke")).check()
    staff.get_by_label(_("4 Satisfied")).check()
    staff.get_by_label(_("What was said")).fill("井盖补好了，就是慢了点")
    staff.get_by_role("button", name=_("Record the callback")).click()
    expect(staff.get_by_text(_("The callback is recorded."))).to_be_visible()
    expect(staff.locator("#callbacks").get_by_text("井盖补好了，就是慢了点")).to_be_visible()
    screenshot(staff, "told-4-callback-recorded-1280")
    hazard.refresh_from_db()
    assert hazard.state == State.CLOSED
    assert hazard.callbacks.get().satisfaction == 4


def test_asked_whether_the_hazard_is_fixed_the_rider_says_it_is_not(
    new_page, tree, staff_a, handler, department_x, texts, eager_tasks, settings, live_server
):
    from datetime import timedelta

    from feedback import texts as rider_texts

    settings.SITE_URL = live_server.url
    hazard = SuggestionFactory(area=tree.community_a, category="hazard", mobile=MOBILE)
    services.accept(hazard, version=None, by=staff_a)
    task = services.add_task(
        hazard, department_x, instructions="补井盖", due_on=timezone.localdate(), by=staff_a
    )
    services.complete_task(task, result="已补装", by=handler)
    services.resolve(hazard, version=None, reply="井盖已补装", by=staff_a)
    days = timedelta(days=settings.FEEDBACK_ASK_IF_FIXED_DAYS)
    assert rider_texts.ask_if_fixed(hazard.resolved_at + days) == 1
    body = texts[-1][1]
    assert "修好了吗" in body

    rider = new_page(PHONE)
    rider.goto(re.search(r"https?://\S+", body).group())
    expect(rider.get_by_role("heading", name=_("Is the hazard fixed?"))).to_be_visible()
    assert rider.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(rider, "told-5-is-it-fixed-360")
    rider.get_by_label(_("What is still wrong?")).fill("井盖又松了")
    rider.get_by_role("button", name=_("It is not fixed")).click()
    expect(rider.get_by_text(_("Reopened: not solved")).first).to_be_visible()
    hazard.refresh_from_db()
    assert hazard.state == State.SUBMITTED
