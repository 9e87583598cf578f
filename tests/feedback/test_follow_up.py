"""跟踪落实: the daily follow-up reminds assessors and handlers, escalates overdue tasks and closes
resolved suggestions nobody rated — once a day, catching up on missed days.

The clock: the follow-up takes `now`, and the tests drive it through a fixed week of December 2026
(Tuesday the 1st to Tuesday the 8th); the holiday calendar is empty unless a test adds a day.
"""

from datetime import date, datetime, time, timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone, translation
from django_celery_beat.models import PeriodicTask

from feedback import followup, services
from feedback.models import CalendarDay, Event, State, Task, TaskEscalation
from feedback.tasks import follow_up
from points.models import Entry
from points.services.ledger import balance
from portal.celery import app as celery_app
from portal.models import Notification, Role
from tests.factories import DepartmentFactory, SuggestionFactory, TaskFactory, UserFactory

pytestmark = pytest.mark.django_db

TUESDAY, WEDNESDAY, THURSDAY, FRIDAY, SATURDAY = (date(2026, 12, day) for day in range(1, 6))
MONDAY_NEXT, TUESDAY_NEXT = date(2026, 12, 7), date(2026, 12, 8)
MONDAY_BEFORE = date(2026, 11, 30)
NAME, MOBILE = "王小明", "13912345678"


def at(day: date, hour: int = 8, minute: int = 30) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def run(day: date) -> dict:
    with translation.override("en"):
        return followup.follow_up(at(day))


def inbox(user) -> list[Notification]:
    return list(Notification.objects.filter(user=user).order_by("id"))


def titles(user) -> list[str]:
    return [notification.title for notification in inbox(user)]


def assert_no_personal_data():
    """Neither the inbox nor the e-mails name the submitter or give their mobile."""
    texts = [f"{n.title} {n.body}" for n in Notification.objects.all()]
    texts += [f"{m.subject} {m.body}" for m in mail.outbox]
    assert texts
    for text in texts:
        assert NAME not in text and MOBILE not in text


def waiting(area, queued_on: date, **fields):
    return SuggestionFactory(
        area=area, queued_at=at(queued_on, 10), name=NAME, mobile=MOBILE, **fields
    )


@pytest.fixture
def street_staff(tree):
    return UserFactory(username="steve", name="周平", role=Role.COMMUNITY_STAFF, area=tree.street)


# Suggestions waiting for assessment


def test_assessors_are_reminded_of_suggestions_waiting_more_than_two_working_days(
    tree, staff_a, staff_b, street_staff, official
):
    late = waiting(tree.community_a, MONDAY_BEFORE)  # Tue, Wed, Thu: 3 working days
    waiting(tree.community_a, TUESDAY)  # Wed, Thu: 2, not yet
    assert run(THURSDAY)["assessment_reminders"] == 1
    for assessor in (staff_a, street_staff):
        [message] = inbox(assessor)
        assert message.title == ("1 suggestion has waited more than 2 working days for assessment")
        assert message.body == (
            f"{late.tracking_code}, Suggestion in 建设路社区, waiting since 2026-11-30"
        )
        assert message.url == f"/staff/feedback/suggestions/{late.pk}/"
    assert inbox(staff_b) == [] and inbox(official) == []  # a sibling community, not an assessor
    late.refresh_from_db()
    assert late.assessment_reminded_on == THURSDAY
    event = late.events.get()
    assert (event.kind, event.public, event.actor) == (Event.Kind.REMINDED, False, None)
    assert set(event.text.split(", ")) == {"张敏", "周平"}


def test_each_assessor_gets_one_message_listing_all_their_waiting_suggestions(
    tree, staff_a, staff_b, street_staff
):
    a1 = waiting(tree.community_a, MONDAY_BEFORE)
    a2 = waiting(tree.community_a, MONDAY_BEFORE - timedelta(days=3), category="hazard")
    b1 = waiting(tree.community_b, MONDAY_BEFORE)
    assert run(THURSDAY)["assessment_reminders"] == 3
    [for_alice] = inbox(staff_a)
    assert for_alice.title.startswith("2 suggestions have waited")
    assert for_alice.body.splitlines()[0].startswith(f"{a2.tracking_code}, Hazard snapshot")
    assert a1.tracking_code in for_alice.body and b1.tracking_code not in for_alice.body
    assert for_alice.url == "/staff/feedback/"  # the triage queue
    [for_bob] = inbox(staff_b)
    assert for_bob.body.startswith(b1.tracking_code)
    [for_steve] = inbox(street_staff)
    assert for_steve.title.startswith("3 suggestions")


def test_a_second_run_on_the_same_day_reminds_nobody_again(tree, staff_a):
    suggestion = waiting(tree.community_a, MONDAY_BEFORE)
    run(THURSDAY)
    assert run(THURSDAY)["assessment_reminders"] == 0
    assert len(inbox(staff_a)) == 1
    assert suggestion.events.count() == 1


def test_the_reminders_refuse_to_run_inside_a_callers_transaction(tree, staff_a):
    """Durable: a caller's transaction that rolled back after the e-mails went out would leave
    the suggestion unreminded, and the next run would e-mail it again."""
    suggestion = waiting(tree.community_a, MONDAY_BEFORE)
    with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
        followup.remind_assessors(THURSDAY)
    assert inbox(staff_a) == [] and not mail.outbox
    assert suggestion.events.count() == 0


def test_a_suggestion_still_waiting_is_reminded_again_the_next_working_day(tree, staff_a):
    waiting(tree.community_a, MONDAY_BEFORE)
    run(THURSDAY)
    run(FRIDAY)
    run(SATURDAY)  # no reminders at the weekend
    run(MONDAY_NEXT)
    assert len(inbox(staff_a)) == 3


def test_a_missed_run_is_caught_up_by_the_next_one(tree, staff_a):
    # Last reminded on Monday; the broker was down since: Thursday's run still reminds.
    suggestion = waiting(tree.community_a, MONDAY_BEFORE, assessment_reminded_on=MONDAY_BEFORE)
    assert run(THURSDAY)["assessment_reminders"] == 1
    suggestion.refresh_from_db()
    assert suggestion.assessment_reminded_on == THURSDAY


def test_weekends_and_holidays_do_not_count_as_waiting(tree, staff_a):
    waiting(tree.community_a, date(2026, 11, 27))  # a Friday
    run(TUESDAY)  # Monday and Tuesday: 2 working days
    assert inbox(staff_a) == []
    CalendarDay.objects.create(date=MONDAY_BEFORE, name="假日")
    run(WEDNESDAY)  # Tuesday and Wednesday
    assert inbox(staff_a) == []
    run(THURSDAY)
    assert len(inbox(staff_a)) == 1


def test_assessed_suggestions_are_not_reminded(tree, staff_a):
    waiting(tree.community_a, MONDAY_BEFORE, state=State.ACCEPTED)
    waiting(tree.community_a, MONDAY_BEFORE, state=State.REJECTED)
    assert run(THURSDAY)["assessment_reminders"] == 0
    assert not Notification.objects.exists()


def test_a_suggestion_nobody_can_assess_is_left_for_a_later_run(tree, caplog):
    suggestion = waiting(tree.community_c, MONDAY_BEFORE)
    assert run(THURSDAY)["assessment_reminders"] == 0
    suggestion.refresh_from_db()
    assert suggestion.assessment_reminded_on is None
    assert f"suggestion {suggestion.pk} has no assessor" in caplog.text


def test_the_assessment_reminder_is_e_mailed_without_the_submitters_name_or_mobile(
    settings, tree, staff_a, street_staff
):
    settings.SITE_URL = "https://portal.example.gov.cn"
    staff_a.email = "zhangmin@example.gov.cn"
    staff_a.save()
    suggestion = waiting(tree.community_a, MONDAY_BEFORE, text=f"我是{NAME}，电话{MOBILE}")
    run(THURSDAY)
    [message] = mail.outbox  # steve has no address: the inbox only
    assert message.to == ["zhangmin@example.gov.cn"]
    assert message.subject.startswith("1 suggestion has waited")
    assert suggestion.tracking_code in message.body
    assert (
        f"https://portal.example.gov.cn/staff/feedback/suggestions/{suggestion.pk}/" in message.body
    )
    assert_no_personal_data()


# Tasks falling due


def task_due(department, due_on: date, area, **fields) -> Task:
    return TaskFactory(
        department=department,
        due_on=due_on,
        suggestion__area=area,
        suggestion__name=NAME,
        suggestion__mobile=MOBILE,
        **fields,
    )


def test_handlers_are_reminded_of_a_task_due_tomorrow(tree, department_x, department_y, handler):
    task = task_due(department_x, FRIDAY, tree.community_a, instructions="安装路灯")
    task_due(department_x, MONDAY_NEXT, tree.community_a)  # not yet on Thursday
    assert run(THURSDAY)["task_reminders"] == 1
    [message] = inbox(handler)
    assert message.title == f"Task {task.suggestion.tracking_code} is due tomorrow"
    assert message.body == "梁园区市场监管局: 安装路灯"
    assert message.url == f"/staff/feedback/tasks/{task.pk}/"
    assert not Notification.objects.exclude(user=handler).exists()  # not harry of department Y
    task.refresh_from_db()
    assert task.reminded_on == THURSDAY
    event = task.events.get()
    assert (event.kind, event.public, event.text) == (Event.Kind.REMINDED, False, "王强")


def test_on_friday_handlers_hear_of_the_tasks_due_on_monday(tree, department_x, handler):
    task = task_due(department_x, MONDAY_NEXT, tree.community_a)
    run(FRIDAY)
    assert titles(handler) == [f"Task {task.suggestion.tracking_code} is due on 2026-12-07"]


def test_a_task_is_reminded_once_a_day_and_again_on_the_day_it_is_due(tree, department_x, handler):
    task = task_due(department_x, FRIDAY, tree.community_a)
    run(THURSDAY)
    assert run(THURSDAY)["task_reminders"] == 0
    run(FRIDAY)
    code = task.suggestion.tracking_code
    assert titles(handler) == [f"Task {code} is due tomorrow", f"Task {code} is due today"]


def test_a_missed_reminder_is_caught_up_on_the_day_the_task_is_due(tree, department_x, handler):
    task = task_due(department_x, FRIDAY, tree.community_a)
    # Thursday's run was lost.
    assert run(FRIDAY)["task_reminders"] == 1
    assert titles(handler) == [f"Task {task.suggestion.tracking_code} is due today"]


def test_a_done_task_is_not_reminded(tree, department_x, handler):
    task_due(department_x, FRIDAY, tree.community_a, state=Task.State.DONE)
    assert run(THURSDAY)["task_reminders"] == 0


def test_the_due_reminder_is_e_mailed_to_handlers_with_an_address(tree, department_x, handler):
    handler.email = "wangqiang@example.gov.cn"
    handler.save()
    task = task_due(department_x, FRIDAY, tree.community_a)
    run(THURSDAY)
    [message] = mail.outbox
    assert message.to == ["wangqiang@example.gov.cn"]
    assert message.subject == f"Task {task.suggestion.tracking_code} is due tomorrow"
    assert f"/staff/feedback/tasks/{task.pk}/" in message.body
    assert_no_personal_data()


# Overdue tasks (诉求直通车)


@pytest.fixture
def parent_department(tree):
    """The district's social work department, above department X; paul handles its tasks."""
    paul = UserFactory(
        username="paul", name="孙立", role=Role.DEPARTMENT_HANDLER, area=tree.district
    )
    return DepartmentFactory(name="梁园区委社会工作部", area=tree.district, handlers=[paul])


@pytest.fixture
def overdue_task(tree, department_x, parent_department):
    department_x.parent = parent_department
    department_x.save()
    return task_due(department_x, WEDNESDAY, tree.community_a)


def escalated_to(task) -> list[str]:
    return list(task.events.filter(kind=Event.Kind.TASK_ESCALATED).values_list("text", flat=True))


def test_an_overdue_task_climbs_one_level_a_day_and_then_stops(
    tree, overdue_task, parent_department, handler, staff_a, street_staff, official
):
    paul = parent_department.handlers.get()
    code = overdue_task.suggestion.tracking_code
    assert not Task.objects.for_handler(paul).exists()

    assert run(THURSDAY)["escalations"] == 1
    assert titles(paul) == [f"Overdue task for {code} passed on to 梁园区委社会工作部"]
    assert inbox(paul)[0].url == f"/staff/feedback/tasks/{overdue_task.pk}/"
    assert list(Task.objects.for_handler(paul)) == [overdue_task]  # now paul sees it
    assert inbox(street_staff) == [] and inbox(official) == []

    assert run(THURSDAY)["escalations"] == 0  # once a day
    assert run(FRIDAY)["escalations"] == 1
    assert titles(street_staff) == [f"Overdue task for {code} passed on to 平原街道"]
    assert (
        inbox(street_staff)[0].url == f"/staff/feedback/suggestions/{overdue_task.suggestion_id}/"
    )
    assert inbox(official) == []

    run(SATURDAY)  # not at the weekend
    assert run(MONDAY_NEXT)["escalations"] == 1
    assert titles(official) == [f"Overdue task for {code} passed on to 梁园区"]

    assert run(TUESDAY_NEXT)["escalations"] == 0  # nobody works for the city itself: the top
    assert escalated_to(overdue_task) == ["梁园区委社会工作部", "平原街道", "梁园区"]
    levels = TaskEscalation.objects.filter(task=overdue_task).order_by("level")
    assert [(e.level, e.department, e.area) for e in levels] == [
        (1, parent_department, None),
        (2, None, tree.street),
        (3, None, tree.district),
    ]
    assert titles(staff_a) == []  # the suggestion's own community is not a level up
    assert len(titles(paul)) == len(titles(street_staff)) == len(titles(official)) == 1


def test_the_escalation_is_on_the_public_timeline_without_staff_names(overdue_task):
    run(THURSDAY)
    event = overdue_task.events.get(kind=Event.Kind.TASK_ESCALATED)
    assert (event.public, event.actor, event.task, event.text) == (
        True,
        None,
        overdue_task,
        "梁园区委社会工作部",
    )


def test_a_level_with_nobody_to_tell_is_passed_over(tree, department_x, official):
    task = task_due(department_x, WEDNESDAY, tree.community_a)  # no parent, no street staff
    run(THURSDAY)
    assert escalated_to(task) == ["梁园区"]
    assert TaskEscalation.objects.get().level == 2  # the street was level 1


def test_a_missed_day_does_not_make_the_task_skip_a_level(tree, overdue_task, street_staff):
    run(THURSDAY)
    # Friday's run was lost; Monday goes one level, not two.
    run(MONDAY_NEXT)
    assert escalated_to(overdue_task) == ["梁园区委社会工作部", "平原街道"]


def test_a_task_done_in_time_or_late_is_not_escalated(tree, department_x, parent_department):
    department_x.parent = parent_department
    department_x.save()
    task_due(department_x, WEDNESDAY, tree.community_a, state=Task.State.DONE)
    task_due(department_x, THURSDAY, tree.community_a)  # due today: not overdue yet
    assert run(THURSDAY)["escalations"] == 0
    assert not TaskEscalation.objects.exists()


def test_the_escalation_is_e_mailed_without_the_submitters_name_or_mobile(
    overdue_task, parent_department
):
    paul = parent_department.handlers.get()
    paul.email = "sunli@example.gov.cn"
    paul.save()
    run(THURSDAY)
    [message] = mail.outbox
    assert message.to == ["sunli@example.gov.cn"]
    assert "梁园区市场监管局 was to finish this task by 2026-12-02" in message.body
    assert_no_personal_data()


# Resolved suggestions nobody rated


def resolved(area, days_ago: int, today: date = THURSDAY):
    return SuggestionFactory(
        area=area, state=State.RESOLVED, resolved_at=at(today, 8) - timedelta(days=days_ago)
    )


def test_a_resolved_suggestion_nobody_rated_closes_after_seven_days(tree):
    old = resolved(tree.community_a, 7)
    recent = resolved(tree.community_a, 6)
    assert run(THURSDAY)["closed"] == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.state == State.CLOSED and old.closed_at and old.rating is None
    event = old.events.get()
    assert (event.kind, event.from_state, event.to_state, event.public) == (
        Event.Kind.CLOSED,
        State.RESOLVED,
        State.CLOSED,
        True,
    )
    assert recent.state == State.RESOLVED
    assert run(THURSDAY)["closed"] == 0
    assert old.events.count() == 1


def test_the_days_before_closing_come_from_the_setting(settings, tree):
    settings.FEEDBACK_AUTO_CLOSE_DAYS = 3
    suggestion = resolved(tree.community_a, 3)
    run(THURSDAY)
    suggestion.refresh_from_db()
    assert suggestion.state == State.CLOSED


def test_unrated_suggestions_close_at_the_weekend_too(tree):
    suggestion = resolved(tree.community_a, 7, today=SATURDAY)
    assert run(SATURDAY) == {"asked_if_fixed": 0, "closed": 1}
    suggestion.refresh_from_db()
    assert suggestion.state == State.CLOSED


def test_a_rated_or_reopened_suggestion_is_left_alone(tree):
    rated = SuggestionFactory(
        area=tree.community_a,
        state=State.CLOSED,
        rating=4,
        resolved_at=at(TUESDAY) - timedelta(days=9),
    )
    reopened = SuggestionFactory(area=tree.community_a, resolved_at=None)
    assert run(THURSDAY)["closed"] == 0
    assert not rated.events.exists() and not reopened.events.exists()


# Points for a hazard, once, however the loop goes round


def test_a_hazard_accepted_twice_and_closed_by_the_follow_up_earns_its_points_once(
    tree, staff_a, department_x, handler, worker_a
):
    hazard = services.submit(
        {"category": "hazard", "text": "井盖缺失", "mobile": worker_a.mobile},
        channel="qr_code",
        area=tree.community_a,
        worker=worker_a,  # filed signed in
    )
    for reply in ("已盖好", "已更换新井盖"):
        services.accept(hazard, version=None, by=staff_a)
        task = services.add_task(
            hazard, department_x, instructions="补井盖", due_on=FRIDAY, by=staff_a
        )
        services.complete_task(task, result=reply, by=handler)
        services.resolve(hazard, version=None, reply=reply, by=staff_a)
        if reply == "已盖好":
            services.reopen(hazard, comment="井盖又丢了")
    type(hazard).objects.filter(pk=hazard.pk).update(resolved_at=at(THURSDAY) - timedelta(days=8))
    # Its submitter is asked whether it is fixed, and it closes a week after the question.
    assert run(THURSDAY)["asked_if_fixed"] == 1
    run(THURSDAY + timedelta(days=8))
    hazard.refresh_from_db()
    assert hazard.state == State.CLOSED
    assert Entry.objects.filter(worker=worker_a).count() == 1
    assert balance(worker_a) == 10


# The scheduled task


def test_the_follow_up_is_scheduled_daily_at_half_past_eight_with_celery_beat():
    task = PeriodicTask.objects.get(task="feedback.tasks.follow_up")
    assert task.enabled
    crontab = task.crontab
    assert (crontab.hour, crontab.minute, crontab.day_of_week) == ("8", "30", "*")
    assert str(crontab.timezone) == "Asia/Shanghai"


def test_the_task_is_discovered_and_runs_eagerly_with_the_current_time(eager_tasks, tree):
    celery_app.loader.import_default_modules()
    assert "feedback.tasks.follow_up" in celery_app.tasks
    suggestion = SuggestionFactory(
        area=tree.community_a,
        state=State.RESOLVED,
        resolved_at=timezone.now() - timedelta(days=8),
    )
    done = follow_up.delay().get()
    assert done["closed"] == 1
    suggestion.refresh_from_db()
    assert suggestion.state == State.CLOSED
