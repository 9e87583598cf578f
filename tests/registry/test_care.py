"""三必访 care visits: reasons, visits, daily reminders and the staff pages.

The clock: services take `today` where it matters (the reminders), and view tests place due dates
relative to the database's today, so nothing depends on when the suite runs.
"""

import logging
import time
from datetime import timedelta
from smtplib import SMTPException

import pytest
from django.core import mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django_celery_beat.models import PeriodicTask

from portal import inbox
from portal.celery import app as celery_app
from portal.models import Notification
from registry import care
from registry.models import CareTrigger, CareVisit
from registry.services import RegistryError
from registry.tasks import remind_care_visits
from tests.factories import CareVisitFactory, UserFactory, WorkerFactory

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


@pytest.fixture
def member_a(tree):
    """A party member in community A."""
    return WorkerFactory(name="王芳", area=tree.community_a, party_member=True)


@pytest.fixture
def english(client):
    """Pages in English, so assertions read the msgids whatever the translation says."""
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def today():
    """Today, taken once per test: due dates are set relative to it."""
    return timezone.localdate()


def visit_due(member, due_on, responsible, **fields):
    return CareVisitFactory(worker=member, due_on=due_on, responsible=responsible, **fields)


def remind(today):
    with translation.override("en"):
        return care.remind_due_visits(today)


def inbox_titles(user):
    return list(Notification.objects.filter(user=user).values_list("title", flat=True))


# Recording a reason


def test_a_reason_is_recorded_only_for_a_party_member(tree, staff_a, worker_a):
    with pytest.raises(RegistryError) as refused:
        care.record_trigger(worker_a, CareTrigger.JOB_CHANGE, "", staff_a, by=staff_a)
    assert refused.value.code == "not_party_member"
    assert not CareVisit.objects.exists()


def test_the_visit_falls_due_seven_days_after_the_reason_by_default(tree, staff_a, member_a, today):
    visit = care.record_trigger(
        member_a, CareTrigger.LIFE_CHANGE, "家人住院", responsible=staff_a, by=staff_a
    )
    assert visit.due_on == today + timedelta(days=7)
    assert (visit.trigger_notes, visit.responsible, visit.recorded_by) == (
        "家人住院",
        staff_a,
        staff_a,
    )
    assert visit.closed_at is None


def test_the_days_until_a_visit_is_due_come_from_the_setting(
    settings, tree, staff_a, member_a, today
):
    settings.CARE_VISIT_DUE_DAYS = 3
    visit = care.record_trigger(member_a, CareTrigger.WORK_DROP, "", staff_a, by=staff_a)
    assert visit.due_on == today + timedelta(days=3)


def test_a_due_date_in_the_past_is_refused(tree, staff_a, member_a, today):
    with pytest.raises(RegistryError) as refused:
        care.record_trigger(
            member_a, CareTrigger.JOB_CHANGE, "", staff_a, by=staff_a, due_on=today - DAY
        )
    assert refused.value.code == "due_in_past"


def test_the_responsible_staff_member_must_look_after_the_workers_community(
    tree, staff_a, staff_b, member_a
):
    with pytest.raises(RegistryError) as refused:
        care.record_trigger(member_a, CareTrigger.JOB_CHANGE, "", staff_b, by=staff_a)
    assert refused.value.code == "not_responsible"
    assert not CareVisit.objects.exists()


def test_staff_of_the_community_and_above_may_be_responsible(
    tree, staff_a, staff_b, official, administrator, member_a
):
    street_staff = UserFactory(username="sam", area=tree.street)
    UserFactory(username="gone", area=tree.community_a, is_active=False)
    assert set(care.responsible_choices(member_a)) == {staff_a, street_staff, administrator}


# Recording the visit


def test_recording_the_visit_closes_it(tree, staff_a, member_a, today):
    visit = visit_due(member_a, today + DAY, staff_a)
    care.record_visit(visit, today, "张敏、支部书记", "已谈心", True, by=staff_a)
    visit.refresh_from_db()
    assert visit.closed_at is not None
    assert (visit.visited_on, visit.visitor, visit.visit_notes) == (
        today,
        "张敏、支部书记",
        "已谈心",
    )
    assert visit.follow_up_needed
    assert visit.closed_by == staff_a
    assert not CareVisit.objects.open().exists()


def test_a_recorded_visit_cannot_be_recorded_again(tree, staff_a, administrator, member_a, today):
    visit = visit_due(member_a, today, staff_a)
    care.record_visit(visit, today, "张敏", "", False, by=staff_a)
    with pytest.raises(RegistryError) as refused:
        care.record_visit(visit, today, "管理员", "又去了", True, by=administrator)
    assert refused.value.code == "already_visited"
    visit.refresh_from_db()
    assert (visit.visitor, visit.closed_by) == ("张敏", staff_a)


def test_a_visit_in_the_future_is_refused(tree, staff_a, member_a, today):
    visit = visit_due(member_a, today, staff_a)
    with pytest.raises(RegistryError) as refused:
        care.record_visit(visit, today + DAY, "张敏", "", False, by=staff_a)
    assert refused.value.code == "visit_in_future"
    visit.refresh_from_db()
    assert visit.closed_at is None


# Reminders


def test_a_visit_due_tomorrow_is_reminded_in_the_responsible_staff_members_inbox(
    tree, staff_a, member_a, today
):
    visit = visit_due(member_a, today + DAY, staff_a)
    assert remind(today) == 1
    notification = Notification.objects.get()
    assert notification.user == staff_a
    assert notification.title == "Care visit due tomorrow: 王芳"
    assert notification.url == reverse("registry:care_visit", args=[visit.pk])
    assert "Job change" in notification.body
    visit.refresh_from_db()
    assert visit.last_reminded_on == today


def test_a_visit_due_in_two_days_is_not_reminded_yet(tree, staff_a, member_a, today):
    visit_due(member_a, today + 2 * DAY, staff_a)
    assert remind(today) == 0
    assert not Notification.objects.exists()


def test_a_visit_due_today_says_so(tree, staff_a, member_a, today):
    visit_due(member_a, today, staff_a)
    remind(today)
    assert inbox_titles(staff_a) == ["Care visit due today: 王芳"]


def test_an_overdue_visit_says_by_how_many_days(tree, staff_a, member_a, today):
    visit_due(member_a, today - 3 * DAY, staff_a)
    visit_due(
        WorkerFactory(name="赵六", area=tree.community_a, party_member=True), today - DAY, staff_a
    )
    assert remind(today) == 2
    assert set(inbox_titles(staff_a)) == {
        "Care visit overdue by 3 days: 王芳",
        "Care visit overdue by 1 day: 赵六",
    }


def test_a_second_run_on_the_same_day_reminds_nobody_again(tree, staff_a, member_a, today):
    visit_due(member_a, today + DAY, staff_a)
    assert remind(today) == 1
    assert remind(today) == 0
    assert Notification.objects.count() == 1


def test_an_open_visit_is_reminded_again_the_next_day(tree, staff_a, member_a, today):
    visit_due(member_a, today + DAY, staff_a)
    remind(today)
    assert remind(today + DAY) == 1
    assert inbox_titles(staff_a) == ["Care visit due today: 王芳", "Care visit due tomorrow: 王芳"]


def test_a_missed_run_is_caught_up_by_the_next_one(tree, staff_a, member_a, today):
    # Reminded three days ago; the task has not run since (broker down): today it still reminds.
    visit_due(member_a, today - DAY, staff_a, last_reminded_on=today - 3 * DAY)
    assert remind(today) == 1
    assert inbox_titles(staff_a) == ["Care visit overdue by 1 day: 王芳"]


def test_a_recorded_visit_is_never_reminded(tree, staff_a, member_a, today):
    visit = visit_due(member_a, today - DAY, staff_a)
    care.record_visit(visit, today, "张敏", "", False, by=staff_a)
    assert remind(today) == 0
    assert not Notification.objects.exists()


def test_without_a_responsible_staff_member_the_recorder_is_reminded(
    tree, staff_a, staff_b, member_a, today
):
    staff_b.is_active = False
    staff_b.save()
    visit_due(member_a, today, None, recorded_by=staff_a)
    visit_due(member_a, today, staff_b, recorded_by=staff_a)
    assert remind(today) == 2
    assert len(inbox_titles(staff_a)) == 2
    assert inbox_titles(staff_b) == []


def test_the_reminder_is_also_sent_by_e_mail_to_staff_with_an_address(
    settings, tree, staff_a, staff_b, member_a, today
):
    settings.SITE_URL = "https://portal.example.gov.cn"
    staff_a.email = "zhangmin@example.gov.cn"
    staff_a.save()
    visit = visit_due(member_a, today + DAY, staff_a)
    visit_due(member_a, today + DAY, staff_b)  # no address: the inbox only
    assert remind(today) == 2
    [message] = mail.outbox
    assert message.to == ["zhangmin@example.gov.cn"]
    assert message.subject == "Care visit due tomorrow: 王芳"
    link = reverse("registry:care_visit", args=[visit.pk])
    assert f"https://portal.example.gov.cn{link}" in message.body


def test_a_failed_e_mail_keeps_the_inbox_message_and_the_other_reminders(
    monkeypatch, caplog, tree, staff_a, member_a, today
):
    staff_a.email = "zhangmin@example.gov.cn"
    staff_a.save()
    for name in ("甲", "乙"):
        visit_due(
            WorkerFactory(name=name, area=tree.community_a, party_member=True), today, staff_a
        )

    def refuse(*args, **kwargs):
        raise SMTPException("550 mailbox zhangmin@example.gov.cn unavailable")

    monkeypatch.setattr(inbox, "send_mail", refuse)
    with caplog.at_level(logging.WARNING):
        assert remind(today) == 2
    assert len(inbox_titles(staff_a)) == 2
    assert CareVisit.objects.filter(last_reminded_on=today).count() == 2
    assert "SMTPException" in caplog.text
    assert "zhangmin" not in caplog.text  # no personal data in the log


# The scheduled task


def test_the_reminders_are_scheduled_daily_at_eight_with_celery_beat():
    task = PeriodicTask.objects.get(task="registry.tasks.remind_care_visits")
    assert task.enabled
    crontab = task.crontab
    assert (crontab.hour, crontab.minute, str(crontab.timezone)) == ("8", "0", "Asia/Shanghai")


def test_the_task_is_discovered_and_reminds_with_todays_date(tree, staff_a, member_a, today):
    celery_app.loader.import_default_modules()
    assert "registry.tasks.remind_care_visits" in celery_app.tasks
    visit_due(member_a, today + DAY, staff_a)
    remind_care_visits.apply()  # in this process; the services test below uses a worker
    assert CareVisit.objects.get().last_reminded_on == today
    assert Notification.objects.filter(user=staff_a).count() == 1


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_the_reminders_through_redis(tree, staff_a, member_a, today):
    from celery.contrib.testing.worker import start_worker

    assert not celery_app.conf.task_always_eager
    assert celery_app.conf.broker_url.startswith("redis://")
    visit_due(member_a, today - DAY, staff_a)
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        result = remind_care_visits.apply_async()
        deadline = timezone.now() + timedelta(seconds=20)
        while not Notification.objects.filter(user=staff_a).exists():
            assert timezone.now() < deadline, f"the worker did not run task {result.id}"
            time.sleep(0.1)
    assert CareVisit.objects.get().last_reminded_on == today


# The list of visits


def test_the_list_shows_open_visits_in_scope_overdue_first_and_marked(
    english, tree, staff_a, member_a, today
):
    visit_due(
        WorkerFactory(name="赵六", area=tree.community_a, party_member=True),
        today + 5 * DAY,
        staff_a,
    )
    visit_due(member_a, today - 2 * DAY, staff_a)
    visit_due(WorkerFactory(name="孙七", area=tree.community_b, party_member=True), today, None)
    english.force_login(staff_a)
    response = english.get(reverse("registry:care_visits"))
    names = [visit.worker.name for visit in response.context["page"]]
    assert names == ["王芳", "赵六"]  # not the sibling community's
    assert "Overdue by 2 days" in response.text
    assert reverse("registry:worker_detail", args=[member_a.pk]) in response.text
    assert response.text.index("王芳") < response.text.index("赵六")


def test_the_list_filters_visited_and_all(tree, client, staff_a, member_a, today):
    visited = visit_due(member_a, today, staff_a)
    care.record_visit(visited, today, "张敏", "", False, by=staff_a)
    visit_due(member_a, today + DAY, staff_a)
    client.force_login(staff_a)

    def listed(state):
        response = client.get(reverse("registry:care_visits"), {"state": state})
        return [visit.pk for visit in response.context["page"]]

    open_visit = CareVisit.objects.open().get()
    assert listed("open") == [open_visit.pk]
    assert listed("closed") == [visited.pk]
    assert listed("all") == [open_visit.pk, visited.pk]
    assert listed("nonsense") == [open_visit.pk]


def test_the_next_page_keeps_the_filter(client, tree, staff_a, member_a, today):
    for _ in range(51):
        visit_due(member_a, today, staff_a, closed_at=timezone.now())
    client.force_login(staff_a)
    response = client.get(reverse("registry:care_visits"), {"state": "closed"})
    assert 'href="?state=closed&amp;page=2"' in response.text


def test_the_navigation_counts_overdue_visits_and_those_due_by_tomorrow_in_scope(
    client, tree, staff_a, member_a, today
):
    visit_due(member_a, today - 4 * DAY, staff_a)
    visit_due(member_a, today + DAY, staff_a)
    visit_due(member_a, today + 2 * DAY, staff_a)
    visit_due(member_a, today, staff_a, closed_at=timezone.now())
    visit_due(WorkerFactory(area=tree.community_b, party_member=True), today, None)
    client.force_login(staff_a)
    response = client.get(reverse("staff_home"))
    badges = {item.url_name: badge for item, badge in response.context["nav_items"]}
    assert badges["registry:care_visits"] == 2


def test_the_list_uses_the_same_number_of_queries_for_5_or_60_visits(
    client, tree, administrator, django_assert_max_num_queries, today
):
    client.force_login(administrator)
    member = WorkerFactory(area=tree.community_a, party_member=True)
    for days in range(5):
        visit_due(member, today + days * DAY, UserFactory(area=tree.community_a))
    with django_assert_max_num_queries(10) as few:
        client.get(reverse("registry:care_visits"))
    for days in range(55):
        visit_due(WorkerFactory(area=tree.community_c, party_member=True), today - days * DAY, None)
    with django_assert_max_num_queries(10) as many:
        response = client.get(reverse("registry:care_visits"))
    assert len(few.captured_queries) == len(many.captured_queries)
    assert len(response.context["page"].object_list) == 50


# Recording a reason and a visit through the pages


def test_staff_record_a_reason_with_themselves_responsible_and_the_due_date_prefilled(
    english, tree, staff_a, member_a, today
):
    english.force_login(staff_a)
    url = reverse("registry:care_new", args=[member_a.pk])
    form = english.get(url).context["form"]
    assert form["responsible"].value() == staff_a.pk
    assert form["due_on"].value() == today + 7 * DAY
    response = english.post(
        url,
        {
            "trigger": "work_drop",
            "trigger_notes": "接单量下降一半",
            "responsible": staff_a.pk,
            "due_on": (today + 3 * DAY).isoformat(),
        },
        follow=True,
    )
    assert response.redirect_chain == [(reverse("registry:worker_detail", args=[member_a.pk]), 302)]
    assert f"A care visit to 王芳 is due by {(today + 3 * DAY).isoformat()}." in response.text
    visit = CareVisit.objects.get()
    assert (visit.trigger, visit.trigger_notes, visit.due_on) == (
        "work_drop",
        "接单量下降一半",
        today + 3 * DAY,
    )
    assert visit.recorded_by == staff_a


def test_the_responsible_list_offers_only_staff_who_look_after_the_community(
    client, tree, staff_a, staff_b, member_a, today
):
    client.force_login(staff_a)
    form = client.get(reverse("registry:care_new", args=[member_a.pk])).context["form"]
    assert staff_b not in form.fields["responsible"].queryset
    response = client.post(
        reverse("registry:care_new", args=[member_a.pk]),
        {"trigger": "job_change", "responsible": staff_b.pk, "due_on": today.isoformat()},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["responsible"]
    assert not CareVisit.objects.exists()


def test_the_reason_page_of_a_worker_who_is_not_a_party_member_says_why_and_has_no_form(
    english, tree, staff_a, worker_a
):
    english.force_login(staff_a)
    url = reverse("registry:care_new", args=[worker_a.pk])
    response = english.get(url)
    assert "Care visits are for party members, and 张三 is not recorded as one." in response.text
    assert "form" not in response.context
    english.post(url, {"trigger": "job_change", "responsible": staff_a.pk})
    assert not CareVisit.objects.exists()


def test_staff_record_the_visit_and_it_leaves_the_open_list(
    english, tree, staff_a, member_a, today
):
    visit = visit_due(member_a, today - DAY, staff_a, trigger_notes="搬家到外地")
    english.force_login(staff_a)
    url = reverse("registry:care_visit", args=[visit.pk])
    page = english.get(url)
    assert "搬家到外地" in page.text
    assert page.context["form"]["visitor"].value() == "张敏"
    response = english.post(
        url,
        {"visited_on": today.isoformat(), "visitor": "张敏", "visit_notes": "一切安好"},
        follow=True,
    )
    assert "The visit to 王芳 is recorded." in response.text
    assert list(response.context["page"]) == []
    visit.refresh_from_db()
    assert (visit.visit_notes, visit.closed_by, visit.follow_up_needed) == (
        "一切安好",
        staff_a,
        False,
    )


def test_a_visit_date_in_the_future_is_refused_on_the_page(english, tree, staff_a, member_a, today):
    visit = visit_due(member_a, today, staff_a)
    english.force_login(staff_a)
    response = english.post(
        reverse("registry:care_visit", args=[visit.pk]),
        {"visited_on": (today + DAY).isoformat(), "visitor": "张敏"},
    )
    assert "The visit date cannot be in the future." in response.text
    visit.refresh_from_db()
    assert visit.closed_at is None


def test_recording_a_recorded_visit_again_says_so_and_changes_nothing(
    english, tree, staff_a, member_a, today
):
    visit = visit_due(member_a, today, staff_a)
    care.record_visit(visit, today, "张敏", "第一次", False, by=staff_a)
    english.force_login(staff_a)
    response = english.post(
        reverse("registry:care_visit", args=[visit.pk]),
        {"visited_on": today.isoformat(), "visitor": "别人", "visit_notes": "第二次"},
    )
    assert "This visit has already been recorded." in response.text
    assert "第一次" in response.text
    visit.refresh_from_db()
    assert (visit.visitor, visit.visit_notes) == ("张敏", "第一次")


def test_staff_of_the_sibling_community_cannot_see_or_record_a_visit(
    client, tree, staff_a, staff_b, member_a, today
):
    visit = visit_due(member_a, today, staff_a)
    client.force_login(staff_b)
    url = reverse("registry:care_visit", args=[visit.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"visited_on": today.isoformat(), "visitor": "李娜"}).status_code == 404
    assert client.get(reverse("registry:care_new", args=[member_a.pk])).status_code == 404
    visit.refresh_from_db()
    assert visit.closed_at is None


# The worker page's snippet


def snippet(worker, can_keep):
    with translation.override("en"):
        return render_to_string(
            "registry/_worker_care.html",
            {"worker": worker, "care_visits": worker.care_visits.all(), "can_keep": can_keep},
        )


def test_the_worker_snippet_lists_visits_and_offers_a_reason_only_for_party_members(
    tree, staff_a, member_a, worker_a, today
):
    visit = visit_due(member_a, today - DAY, staff_a)
    html = snippet(member_a, can_keep=True)
    assert "Overdue by 1 day" in html
    assert reverse("registry:care_new", args=[member_a.pk]) in html
    assert reverse("registry:care_visit", args=[visit.pk]) in html
    assert reverse("registry:care_new", args=[worker_a.pk]) not in snippet(worker_a, True)


def test_the_worker_snippet_offers_no_actions_to_readers_who_do_not_keep_the_ledger(
    tree, staff_a, member_a, today
):
    visit = visit_due(member_a, today - DAY, staff_a)
    html = snippet(member_a, can_keep=False)
    assert "Overdue by 1 day" in html
    assert reverse("registry:care_new", args=[member_a.pk]) not in html
    assert reverse("registry:care_visit", args=[visit.pk]) not in html
