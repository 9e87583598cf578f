"""任务分解 and 跟踪落实: working days, splitting an accepted suggestion into department tasks,
the handlers' task list and task page, resolving, the department tree and the navigation badge.

The clock: "now" is pinned to ten in the morning of Thursday 30 April 2026, the day before the
Labour Day holiday, so the working-day deadlines are the same whenever the suite runs.
"""

from datetime import date, datetime, time, timedelta
from importlib import import_module

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.messages import get_messages
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import ngettext

from feedback import calendar, services
from feedback.admin import DepartmentForm
from feedback.calendar import end_of_day
from feedback.models import (
    CalendarDay,
    Department,
    Event,
    ResponseTemplate,
    State,
    SuggestionPhoto,
    Task,
    TaskEscalation,
)
from feedback.selectors import open_task_count
from feedback.services import FeedbackError
from feedback.views.tasks import task_panel
from portal.models import Notification, Role
from tests.factories import (
    DepartmentFactory,
    SuggestionFactory,
    TaskFactory,
    UserFactory,
)
from tests.races import race

pytestmark = pytest.mark.django_db

THURSDAY = date(2026, 4, 30)


@pytest.fixture(autouse=True)
def today(monkeypatch):
    """Thursday, ten in the morning: what is overdue is counted to the minute."""
    morning = timezone.make_aware(datetime.combine(THURSDAY, time(10)))
    monkeypatch.setattr(timezone, "now", lambda: morning)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: THURSDAY)
    return THURSDAY


@pytest.fixture
def labour_day(db):
    """Labour Day 2026 as the State Council might set it: 1–5 May off, Saturday 9 May worked."""
    for day in (1, 4, 5):
        CalendarDay.objects.create(date=date(2026, 5, day), name="劳动节")
    CalendarDay.objects.create(date=date(2026, 5, 9), name="劳动节调休", is_working_day=True)


@pytest.fixture
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def accepted_a(tree):
    """An accepted suggestion of community A whose submitter left a name and a mobile."""
    return SuggestionFactory(
        area=tree.community_a,
        state=State.ACCEPTED,
        category="hazard",
        text="建设路口井盖缺失，夜里电动车容易摔",
        address="建设路与平原路交叉口",
        name="王师傅",
        mobile="13912345678",
    )


@pytest.fixture
def task_x(accepted_a, department_x, staff_a):
    """Department X's part (hank handles X)."""
    return TaskFactory(
        suggestion=accepted_a,
        department=department_x,
        instructions="三日内补装井盖",
        due_on=THURSDAY + timedelta(days=5),
        created_by=staff_a,
    )


@pytest.fixture
def task_y(accepted_a, department_y):
    """Department Y's part (harry handles Y, hank does not)."""
    return TaskFactory(
        suggestion=accepted_a,
        department=department_y,
        instructions="夜间设置警示标志",
        due_on=THURSDAY + timedelta(days=3),
    )


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def panel(user, suggestion, **query) -> tuple[dict, str]:
    """The suggestion page's task section as `user` sees it: its context and its HTML."""
    request = RequestFactory().get("/", query)
    request.user = user
    context = task_panel(request, suggestion)
    with translation.override("en"):
        html = render_to_string(
            "feedback/_tasks.html", {"suggestion": suggestion, **context}, request=request
        )
    return context, html


# Working days (feedback.calendar)


def test_the_working_day_after_a_friday_is_the_monday():
    assert calendar.add_working_days(date(2026, 4, 24), 1) == date(2026, 4, 27)


def test_a_public_holiday_on_a_weekday_is_not_a_working_day(labour_day):
    # Thursday → Friday 1 May off, weekend, Monday and Tuesday off → Wednesday 6 May.
    assert calendar.add_working_days(THURSDAY, 1) == date(2026, 5, 6)


def test_a_weekend_day_worked_in_exchange_counts(labour_day):
    assert calendar.next_working_days(THURSDAY, 5) == [
        date(2026, 5, 6),
        date(2026, 5, 7),
        date(2026, 5, 8),
        date(2026, 5, 9),  # the 调休 Saturday
        date(2026, 5, 11),
    ]


def test_no_working_days_is_the_start_itself():
    assert calendar.add_working_days(THURSDAY, 0) == THURSDAY


def test_working_days_between_reads_the_same_calendar(labour_day):
    assert calendar.working_days_between(THURSDAY, date(2026, 5, 11)) == 5
    assert calendar.working_days_between(date(2026, 5, 11), THURSDAY) == 0


# Adding a task on the suggestion page


def test_staff_give_a_department_its_task_due_in_working_days(
    english, labour_day, accepted_a, department_x, staff_a, handler
):
    english.force_login(staff_a)
    response = english.post(
        reverse("feedback:add_task", args=[accepted_a.pk]),
        {"department": department_x.pk, "instructions": "补装井盖", "working_days": "5"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/staff/feedback/suggestions/{accepted_a.pk}/"
    task = accepted_a.tasks.get()
    # Over the Labour Day holiday and its 调休 Saturday, not a calendar week.
    assert (task.department, task.due_on, task.created_by) == (
        department_x,
        date(2026, 5, 11),
        staff_a,
    )
    assert messages_of(response) == [f"Task for {department_x.name} added, due 2026-05-11."]
    event = accepted_a.events.get()
    assert (event.kind, event.task, event.actor) == (Event.Kind.TASK_ASSIGNED, task, staff_a)
    assert Notification.objects.get(user=handler).url == f"/staff/feedback/tasks/{task.pk}/"


def test_the_form_offers_the_default_deadline_and_shows_its_date(
    labour_day, accepted_a, staff_a, monkeypatch
):
    morning = timezone.make_aware(datetime(2026, 4, 30, 10))
    monkeypatch.setattr(timezone, "now", lambda: morning)
    context, html = panel(staff_a, accepted_a)
    form = context["add_task_form"]
    # No number typed: the default urgency class's deadline (一般: 5 working days).
    assert form["working_days"].value() is None
    assert (
        '<strong class="task-due-date" data-due-for="id_working_days" '
        'data-urgency="id_urgency">2026-05-11</strong>' in html
    )
    # The page's script shows the date of any other number from the same calendar.
    assert "2026-05-09" in form.fields["working_days"].widget.attrs["data-due-dates"]
    assert "js/task_due.js" in html


def test_departments_offered_serve_the_place_of_the_suggestion(tree, accepted_a, staff_a):
    community = DepartmentFactory(name="建设路社区居委会", area=tree.community_a)
    street = DepartmentFactory(name="平原街道办事处", area=tree.street)
    district = DepartmentFactory(name="梁园区总工会", area=tree.district)
    city = DepartmentFactory(name="商丘市交通运输局", area=tree.city)
    DepartmentFactory(name="平原路社区居委会", area=tree.community_b)
    DepartmentFactory(name="睢阳区总工会", area=tree.other_district)
    DepartmentFactory(name="停用的部门", area=tree.district, active=False)
    context, _html = panel(staff_a, accepted_a)
    offered = list(context["add_task_form"].fields["department"].queryset)
    assert offered == [city, district, street, community]


def test_a_suggestion_of_a_street_is_also_offered_the_departments_of_its_communities(tree, staff_a):
    suggestion = SuggestionFactory(area=tree.street, state=State.ACCEPTED)
    community_b = DepartmentFactory(name="平原路社区居委会", area=tree.community_b)
    administrator = UserFactory(role=Role.ADMINISTRATOR, area=None)
    context, _html = panel(administrator, suggestion)
    assert community_b in context["add_task_form"].fields["department"].queryset


def test_a_department_that_does_not_serve_the_place_is_refused_and_nothing_is_added(
    english, tree, accepted_a, staff_a
):
    elsewhere = DepartmentFactory(name="睢阳区总工会", area=tree.other_district)
    english.force_login(staff_a)
    response = english.post(
        reverse("feedback:add_task", args=[accepted_a.pk]),
        {"department": elsewhere.pk, "instructions": "补装井盖", "working_days": "5"},
    )
    assert response.status_code == 302
    assert messages_of(response)[0].startswith("Department: Select a valid choice.")
    assert not Task.objects.exists()


def test_empty_instructions_and_a_deadline_out_of_range_are_refused_with_a_message(
    english, accepted_a, department_x, staff_a
):
    english.force_login(staff_a)
    response = english.post(
        reverse("feedback:add_task", args=[accepted_a.pk]),
        {"department": department_x.pk, "instructions": " ", "working_days": "0"},
    )
    (message,) = messages_of(response)
    assert "Instructions: This field is required." in message
    assert (
        "Or a deadline in working days: Ensure this value is greater than or equal to 1." in message
    )
    assert not Task.objects.exists()


def test_a_suggestion_not_accepted_gets_no_task_and_no_form(
    english, suggestion_a, department_x, staff_a
):
    english.force_login(staff_a)
    response = english.post(
        reverse("feedback:add_task", args=[suggestion_a.pk]),
        {"department": department_x.pk, "instructions": "补装井盖", "working_days": "5"},
    )
    assert messages_of(response) == [
        "This cannot be done to a suggestion that is “Waiting for assessment”."
    ]
    assert not Task.objects.exists()
    context, _html = panel(staff_a, suggestion_a)
    assert "add_task_form" not in context


def test_staff_of_the_sibling_community_cannot_add_a_task(
    client, accepted_a, department_x, staff_b
):
    client.force_login(staff_b)
    response = client.post(
        reverse("feedback:add_task", args=[accepted_a.pk]),
        {"department": department_x.pk, "instructions": "补装井盖", "working_days": "5"},
    )
    assert response.status_code == 404
    assert not Task.objects.exists()


def test_the_panel_lists_the_tasks_with_overdue_ones_marked(accepted_a, task_x, task_y, official):
    Task.objects.filter(pk=task_y.pk).update(
        due_on=THURSDAY - timedelta(days=2), due_at=end_of_day(THURSDAY - timedelta(days=2))
    )
    services.complete_task(task_x, result="已补装井盖", by=None)
    context, html = panel(official, accepted_a)
    assert [task.department.name for task in context["suggestion_tasks"]] == [
        "梁园区交警大队",
        "梁园区市场监管局",
    ]
    assert "Overdue by 2 days" in html
    assert "已补装井盖" in html and "夜间设置警示标志" in html
    # An official reads the tasks; only community staff and administrators split and resolve.
    assert "add_task_form" not in context and "Add the task" not in html


# Resolving


def test_resolving_is_refused_while_a_task_is_open(english, accepted_a, task_x, task_y, staff_a):
    services.complete_task(task_x, result="已补装井盖", by=None)
    accepted_a.refresh_from_db()
    context, _html = panel(staff_a, accepted_a)
    assert "resolve_form" not in context
    english.force_login(staff_a)
    response = english.post(
        reverse("feedback:resolve", args=[accepted_a.pk]),
        {"reply": "已处理", "version": accepted_a.version},
    )
    assert response["Location"] == f"/staff/feedback/suggestions/{accepted_a.pk}/"
    assert messages_of(response) == ["Some tasks are not done yet."]
    accepted_a.refresh_from_db()
    assert (accepted_a.state, accepted_a.reply) == (State.ACCEPTED, "")


def test_when_every_task_is_done_the_reply_starts_empty_not_from_a_template_or_the_result(
    accepted_a, task_x, staff_a
):
    ResponseTemplate.objects.all().delete()
    ResponseTemplate.objects.create(state=State.RESOLVED, title="通用", text="您反映的问题已解决。")
    own = ResponseTemplate.objects.create(
        state=State.RESOLVED, category="hazard", title="隐患", text="您报告的隐患已消除，谢谢！"
    )
    ResponseTemplate.objects.create(
        state=State.REJECTED, category="hazard", title="不受理", text="不属于受理范围。"
    )
    services.complete_task(task_x, result="已补装井盖", by=None)
    accepted_a.refresh_from_db()
    context, html = panel(staff_a, accepted_a)
    form = context["resolve_form"]
    assert form.initial == {"reply": "", "version": accepted_a.version}
    assert [template.title for template in context["resolve_templates"]] == ["隐患", "通用"]
    assert f"?template={own.pk}#resolve" in html and "不受理" not in html
    assert "Send the reply and resolve" in html
    # Unticked: the departments' results are not shown to the submitter unless staff say so.
    assert 'name="publish_results"' in html and "checked" not in html


def test_a_picked_template_fills_the_reply(accepted_a, task_x, staff_a):
    services.complete_task(task_x, result="已补装井盖", by=None)
    accepted_a.refresh_from_db()
    general = ResponseTemplate.objects.get(state=State.RESOLVED, category="")
    context, _html = panel(staff_a, accepted_a, template=general.pk)
    assert context["resolve_form"].initial["reply"] == general.text


def test_staff_resolve_with_the_reply_once_every_task_is_done(english, accepted_a, task_x, staff_a):
    services.complete_task(task_x, result="已补装井盖", by=None)
    accepted_a.refresh_from_db()
    english.force_login(staff_a)
    response = english.post(
        reverse("feedback:resolve", args=[accepted_a.pk]),
        {"reply": "井盖已补装，感谢您的反映！", "version": accepted_a.version},
    )
    assert response["Location"] == f"/staff/feedback/suggestions/{accepted_a.pk}/"
    assert messages_of(response) == ["Resolved. The submitter can read the reply and rate it."]
    accepted_a.refresh_from_db()
    assert (accepted_a.state, accepted_a.reply) == (State.RESOLVED, "井盖已补装，感谢您的反映！")
    assert not accepted_a.events.get(kind=Event.Kind.TASK_DONE).public


def test_staff_may_publish_the_departments_results_when_resolving(
    english, accepted_a, task_x, staff_a
):
    services.complete_task(task_x, result="已补装井盖", by=None)
    accepted_a.refresh_from_db()
    english.force_login(staff_a)
    english.post(
        reverse("feedback:resolve", args=[accepted_a.pk]),
        {"reply": "井盖已补装", "publish_results": "on", "version": accepted_a.version},
    )
    accepted_a.refresh_from_db()
    assert accepted_a.state == State.RESOLVED
    done = accepted_a.events.get(kind=Event.Kind.TASK_DONE)
    assert done.public and done.text == "梁园区市场监管局: 已补装井盖"


def test_a_resolve_form_shown_before_another_change_is_refused(
    english, accepted_a, task_x, staff_a
):
    services.complete_task(task_x, result="已补装井盖", by=None)
    accepted_a.refresh_from_db()
    seen = accepted_a.version
    services.hide_photo(
        SuggestionPhoto.objects.create(suggestion=accepted_a, image="a.jpg", thumbnail="t.jpg"),
        by=staff_a,
    )
    english.force_login(staff_a)
    response = english.post(
        reverse("feedback:resolve", args=[accepted_a.pk]), {"reply": "已处理", "version": seen}
    )
    assert messages_of(response)[0].startswith("Someone else changed this suggestion")
    accepted_a.refresh_from_db()
    assert accepted_a.state == State.ACCEPTED


def test_an_empty_reply_is_refused_with_a_message(english, accepted_a, task_x, staff_a):
    services.complete_task(task_x, result="已补装井盖", by=None)
    english.force_login(staff_a)
    response = english.post(
        reverse("feedback:resolve", args=[accepted_a.pk]), {"reply": "", "version": "x"}
    )
    (message,) = messages_of(response)
    assert "Reply to the submitter: This field is required." in message
    accepted_a.refresh_from_db()
    assert accepted_a.state == State.ACCEPTED


# The task list


def test_a_handler_lists_only_the_tasks_of_their_departments(english, task_x, task_y, handler):
    english.force_login(handler)
    response = english.get(reverse("feedback:tasks"))
    assert list(response.context["page"].object_list) == [task_x]
    assert "三日内补装井盖" in response.text and "夜间设置警示标志" not in response.text


@pytest.fixture
def escalated(tree, accepted_a):
    """An overdue task of a district's sub-department, escalated to the district bureau, whose
    handler (pete) handles nothing else."""
    pete = UserFactory(username="pete", role=Role.DEPARTMENT_HANDLER, area=tree.district)
    bureau = DepartmentFactory(name="梁园区交通运输局", area=tree.district, handlers=[pete])
    team = DepartmentFactory(name="运输执法中队", area=tree.district, parent=bureau)
    task = TaskFactory(suggestion=accepted_a, department=team, due_on=THURSDAY - timedelta(days=3))
    TaskEscalation.objects.create(task=task, level=1, department=bureau)
    return pete, task


def test_a_task_escalated_to_the_parent_department_is_listed_for_its_handler(english, escalated):
    pete, task = escalated
    english.force_login(pete)
    response = english.get(reverse("feedback:tasks"))
    assert list(response.context["page"].object_list) == [task]
    assert "Escalated" in response.text and "Overdue by 3 days" in response.text
    page = english.get(reverse("feedback:task", args=[task.pk]))
    assert page.status_code == 200
    assert "梁园区交通运输局" in page.text


def test_the_parent_departments_handler_reads_an_escalated_task_but_does_not_write_on_it(
    client, escalated
):
    pete, task = escalated
    client.force_login(pete)
    page = client.get(reverse("feedback:task", args=[task.pk]))
    assert page.context["note_form"] is None and page.context["done_form"] is None
    response = client.post(reverse("feedback:task_note", args=[task.pk]), {"text": "催办"})
    assert response.status_code == 403
    assert not Event.objects.filter(kind=Event.Kind.TASK_NOTE).exists()


def test_staff_list_the_tasks_of_their_scope(
    client, tree, task_x, staff_a, staff_b, official, administrator
):
    elsewhere = TaskFactory(
        suggestion__area=tree.community_c,
        department=DepartmentFactory(area=tree.other_district),
    )
    for user, expected in [
        (staff_a, [task_x]),
        (staff_b, []),
        (official, [task_x]),
        (administrator, [task_x, elsewhere]),
    ]:
        client.force_login(user)
        response = client.get(reverse("feedback:tasks"))
        assert list(response.context["page"].object_list) == expected, user


def test_the_list_shows_open_tasks_oldest_due_first_and_filters_overdue_and_done(
    english, tree, accepted_a, task_x, task_y, staff_a
):
    late = TaskFactory(suggestion=accepted_a, department=task_x.department, due_on=THURSDAY)
    Task.objects.filter(pk=late.pk).update(
        due_on=THURSDAY - timedelta(days=1), due_at=end_of_day(THURSDAY - timedelta(days=1))
    )
    services.complete_task(task_y, result="已设置警示标志", by=None)
    english.force_login(staff_a)
    url = reverse("feedback:tasks")
    assert list(english.get(url).context["page"].object_list) == [late, task_x]
    overdue = english.get(url, {"state": "overdue"})
    assert list(overdue.context["page"].object_list) == [late]
    assert "Overdue by 1 day" in overdue.text
    assert list(english.get(url, {"state": "done"}).context["page"].object_list) == [task_y]


def test_the_list_filters_by_department_and_keeps_the_state(
    english, task_x, task_y, staff_a, department_y
):
    english.force_login(staff_a)
    response = english.get(reverse("feedback:tasks"), {"department": department_y.pk})
    assert list(response.context["page"].object_list) == [task_y]
    assert f'href="?department={department_y.pk}&amp;state=overdue"' in response.text


def test_a_department_outside_the_list_shows_every_task_and_says_so(
    english, tree, task_x, task_y, handler, department_y
):
    english.force_login(handler)
    response = english.get(reverse("feedback:tasks"), {"department": department_y.pk})
    assert list(response.context["page"].object_list) == [task_x]
    assert "That department is not among your tasks" in response.text
    assert english.get(reverse("feedback:tasks"), {"department": "abc"}).status_code == 200


def test_the_list_uses_the_same_number_of_queries_for_5_or_50_tasks(
    client, tree, accepted_a, department_x, department_y, handler, django_assert_max_num_queries
):
    def add(count):
        for n in range(count):
            task = TaskFactory(
                suggestion=accepted_a,
                department=department_x if n % 2 else department_y,
                due_on=THURSDAY + timedelta(days=n % 7),
            )
            TaskEscalation.objects.create(task=task, level=1, department=department_x)

    client.force_login(handler)
    # session, user, departments, count, rows, escalations, navigation badges
    add(5)
    with django_assert_max_num_queries(10):
        client.get(reverse("feedback:tasks"))
    add(45)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("feedback:tasks"))
    assert len(response.context["page"].object_list) == 50


# The task page


def test_the_task_page_shows_the_suggestion_without_the_submitters_name_or_mobile(
    english, media, accepted_a, task_x, handler
):
    SuggestionPhoto.objects.create(
        suggestion=accepted_a,
        image="feedback/shown.jpg",
        thumbnail="feedback/shown-t.jpg",
        state="ready",
    )
    SuggestionPhoto.objects.create(
        suggestion=accepted_a,
        image="feedback/hidden.jpg",
        thumbnail="feedback/hidden-t.jpg",
        state="ready",
        hidden=True,
    )
    english.force_login(handler)
    response = english.get(reverse("feedback:task", args=[task_x.pk]))
    text = response.text
    assert "建设路口井盖缺失" in text and "建设路与平原路交叉口" in text
    assert "Hazard snapshot" in text and "建设路社区" in text and "三日内补装井盖" in text
    assert reverse("feedback:photo", args=["shown-t.jpg"]) in text and "hidden-t.jpg" not in text
    assert "/media/" not in text
    assert "王师傅" not in text and "13912345678" not in text and "5678" not in text
    assert "Add the note" in text and "Mark as done" in text


def test_a_handler_of_another_department_gets_404_and_changes_nothing(client, task_y, handler):
    client.force_login(handler)
    assert client.get(reverse("feedback:task", args=[task_y.pk])).status_code == 404
    for name, data in [
        ("feedback:task_note", {"text": "x"}),
        ("feedback:task_done", {"result": "x"}),
    ]:
        assert client.post(reverse(name, args=[task_y.pk]), data).status_code == 404
    task_y.refresh_from_db()
    assert task_y.state == Task.State.OPEN and not task_y.events.exists()


def test_staff_of_another_community_get_404_on_its_tasks(client, task_x, staff_b):
    client.force_login(staff_b)
    assert client.get(reverse("feedback:task", args=[task_x.pk])).status_code == 404


def test_community_staff_read_the_task_but_post_nothing_on_it(client, task_x, staff_a):
    client.force_login(staff_a)
    page = client.get(reverse("feedback:task", args=[task_x.pk]))
    assert page.status_code == 200 and page.context["done_form"] is None
    response = client.post(reverse("feedback:task_done", args=[task_x.pk]), {"result": "x"})
    assert response.status_code == 403
    task_x.refresh_from_db()
    assert task_x.state == Task.State.OPEN


def test_a_handler_adds_a_progress_note_to_the_staff_timeline(english, task_x, handler):
    english.force_login(handler)
    url = reverse("feedback:task_note", args=[task_x.pk])
    response = english.post(url, {"text": "已联系施工队，明日到场"})
    assert response["Location"] == reverse("feedback:task", args=[task_x.pk])
    assert messages_of(response) == ["Added the progress note."]
    event = task_x.events.get()
    assert (event.kind, event.actor, event.text, event.public) == (
        Event.Kind.TASK_NOTE,
        handler,
        "已联系施工队，明日到场",
        False,
    )
    assert "已联系施工队，明日到场" in english.get(response["Location"]).text


def test_a_handler_marks_the_task_done_with_what_was_done(english, task_x, handler, staff_a):
    english.force_login(handler)
    response = english.post(
        reverse("feedback:task_done", args=[task_x.pk]), {"result": "已补装井盖并拍照留存"}
    )
    assert messages_of(response) == ["Marked as done. Staff will write the reply to the submitter."]
    task_x.refresh_from_db()
    assert (task_x.state, task_x.result, task_x.done_by) == (
        Task.State.DONE,
        "已补装井盖并拍照留存",
        handler,
    )
    event = task_x.events.get()
    assert (event.kind, event.actor, event.public) == (Event.Kind.TASK_DONE, handler, False)
    assert Notification.objects.filter(user=staff_a).exists()
    page = english.get(reverse("feedback:task", args=[task_x.pk]))
    assert "已补装井盖并拍照留存" in page.text and "Mark as done" not in page.text


def test_marking_a_task_done_twice_is_refused_and_keeps_the_first_result(
    english, task_x, handler, administrator
):
    services.complete_task(task_x, result="已补装井盖", by=handler)
    english.force_login(administrator)
    for name, data in [
        ("feedback:task_done", {"result": "再次"}),
        ("feedback:task_note", {"text": "再次"}),
    ]:
        response = english.post(reverse(name, args=[task_x.pk]), data)
        assert messages_of(response)[-1] == "This task is already done."
    task_x.refresh_from_db()
    assert (task_x.result, task_x.done_by) == ("已补装井盖", handler)
    assert task_x.events.count() == 1


def test_an_empty_note_or_result_is_refused_with_a_message(english, task_x, handler):
    english.force_login(handler)
    note = english.post(reverse("feedback:task_note", args=[task_x.pk]), {"text": "  "})
    assert messages_of(note) == ["Progress note: This field is required."]
    done = english.post(reverse("feedback:task_done", args=[task_x.pk]), {"result": ""})
    assert messages_of(done)[-1] == "What was done: This field is required."
    task_x.refresh_from_db()
    assert task_x.state == Task.State.OPEN and not task_x.events.exists()


def test_a_task_is_not_done_when_its_timeline_entry_cannot_be_written(monkeypatch, task_x, handler):
    def fail(*args, **kwargs):
        raise RuntimeError("the timeline is unavailable")

    monkeypatch.setattr(services, "_record", fail)
    with pytest.raises(RuntimeError):
        services.complete_task(task_x, result="已补装井盖", by=handler)
    task_x.refresh_from_db()
    assert (task_x.state, task_x.result) == (Task.State.OPEN, "")


def test_a_note_is_only_its_timeline_entry_and_is_refused_on_a_done_task(task_x, handler):
    services.add_note(task_x, "已到场", by=handler)
    services.complete_task(task_x, result="已补装井盖", by=handler)
    with pytest.raises(FeedbackError):
        services.add_note(task_x, "补充", by=handler)
    assert list(task_x.events.values_list("kind", flat=True)) == ["task_note", "task_done"]


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_handlers_marking_the_same_task_done_at_once_record_it_once(tree, accepted_a):
    first, second = (
        UserFactory(role=Role.DEPARTMENT_HANDLER, area=tree.district) for _ in range(2)
    )
    task = TaskFactory(
        suggestion=accepted_a, department=DepartmentFactory(area=tree.district, handlers=[first])
    )
    outcomes = race(
        [
            lambda user=user: services.complete_task(
                Task.objects.get(pk=task.pk), result=user.username, by=user
            )
            for user in (first, second)
        ],
        refused=FeedbackError,
    )
    assert sorted(outcomes) == ["done", "state"]
    assert Event.objects.filter(task=task, kind=Event.Kind.TASK_DONE).count() == 1


# The department tree


def test_the_department_tree_shows_children_under_parents_with_handlers_and_counts(
    english, tree, accepted_a, department_x, official
):
    bureau = department_x
    team = DepartmentFactory(name="食品安全稽查中队", area=tree.district, parent=bureau)
    DepartmentFactory(name="建设路市场监管所", area=tree.community_a, parent=team)
    TaskFactory(suggestion=accepted_a, department=team, due_on=THURSDAY - timedelta(days=1))
    TaskFactory(suggestion=accepted_a, department=team)
    english.force_login(official)
    response = english.get(reverse("feedback:departments"))
    (root,) = response.context["tree"]
    assert root.department == bureau
    assert [branch.department.name for branch in root.children] == ["食品安全稽查中队"]
    assert [b.department.name for b in root.children[0].children] == ["建设路市场监管所"]
    assert root.children[0].department.open_tasks == 2
    assert root.children[0].department.overdue_tasks == 1
    text = response.text
    assert "王强" in text  # hank, the bureau's handler
    assert "2 open tasks" in text and "1 overdue" in text
    assert (
        text.index("梁园区市场监管局")
        < text.index("食品安全稽查中队")
        < text.index("建设路市场监管所")
    )


def test_staff_see_the_departments_that_serve_their_area_and_count_only_its_tasks(
    client, tree, department_x, staff_a
):
    DepartmentFactory(name="建设路社区居委会", area=tree.community_a)
    DepartmentFactory(name="平原路社区居委会", area=tree.community_b)
    DepartmentFactory(name="睢阳区总工会", area=tree.other_district)
    TaskFactory(suggestion__area=tree.community_b, department=department_x)
    client.force_login(staff_a)
    response = client.get(reverse("feedback:departments"))
    names = [branch.department.name for branch in response.context["tree"]]
    assert names == ["梁园区市场监管局", "建设路社区居委会"]
    assert response.context["tree"][0].department.open_tasks == 0


def test_the_department_tree_uses_the_same_number_of_queries_for_3_or_30_departments(
    client, tree, accepted_a, official, django_assert_max_num_queries
):
    def add(count):
        parent = None
        for _n in range(count):
            parent = DepartmentFactory(
                area=tree.district,
                parent=parent,
                handlers=[UserFactory(role=Role.DEPARTMENT_HANDLER, area=tree.district)],
            )
            TaskFactory(suggestion=accepted_a, department=parent)

    client.force_login(official)
    # session, user, its area, departments with their counts, handlers, navigation badges
    add(3)
    with django_assert_max_num_queries(10):
        client.get(reverse("feedback:departments"))
    add(27)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("feedback:departments"))
    one_open_task = ngettext("%(counter)s open task", "%(counter)s open tasks", 1) % {"counter": 1}
    assert response.text.count(f"{one_open_task}<") == 30


def test_a_department_cannot_be_put_under_its_own_sub_department(tree, department_x):
    team = DepartmentFactory(name="稽查中队", area=tree.district, parent=department_x)
    data = {"name": department_x.name, "area": tree.district.pk, "parent": team.pk, "active": "on"}
    with translation.override("en"):
        form = DepartmentForm(data, instance=department_x)
        assert not form.is_valid()
        assert "cannot be under itself" in form.errors["parent"][0]


def test_administrators_keep_departments_and_the_holiday_calendar_in_the_admin(
    client, labour_day, department_x, administrator
):
    client.force_login(administrator)
    for model in (Department, CalendarDay):
        url = reverse(f"admin:feedback_{model._meta.model_name}_changelist")
        assert client.get(url).status_code == 200
    assert client.get(reverse("admin:feedback_department_add")).status_code == 200
    assert "handlers" in admin.site._registry[Department].filter_horizontal


# Navigation


def test_a_handlers_badge_counts_their_open_tasks(english, accepted_a, task_x, handler):
    TaskFactory(suggestion=accepted_a, department=task_x.department, state=Task.State.DONE)
    assert open_task_count(handler) == 1
    english.force_login(handler)
    response = english.get(reverse("feedback:tasks"))
    assert ("Department tasks", 1) in [
        (str(item.label), badge) for item, badge in response.context["nav_items"]
    ]


def test_other_staff_get_the_link_without_a_badge(task_x, task_y, staff_a):
    assert open_task_count(staff_a) is None


def test_the_migration_makes_results_of_suggestions_still_worked_on_internal(
    accepted_a, task_x, tree, department_x
):
    migration = import_module("feedback.migrations.0006_task_results_internal")
    services.complete_task(task_x, result="已补装井盖", by=None)
    closed = SuggestionFactory(area=tree.community_a, state=State.CLOSED)
    done = TaskFactory(suggestion=closed, department=department_x, state=Task.State.DONE)
    Event.objects.filter(kind=Event.Kind.TASK_DONE).update(public=True)  # as before point 14
    Event.objects.create(suggestion=closed, task=done, kind=Event.Kind.TASK_DONE, text="已处理")
    migration.hide_undecided_results(apps, None)
    assert not accepted_a.events.get(kind=Event.Kind.TASK_DONE).public
    assert closed.events.get(kind=Event.Kind.TASK_DONE).public  # shown before: left as it was
