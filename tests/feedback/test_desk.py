"""The department desk (issue 17, points 5–9): 签收, 退单, 延期, 督办 and 办结 with photos, as the
handler, the staff of the suggestion's area and an official see them; bad input is refused with
a message and changes nothing."""

from datetime import date, datetime, time, timedelta
from io import BytesIO

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from PIL import ExifTags, Image

from feedback import followup
from feedback.calendar import end_of_day
from feedback.models import (
    Event,
    State,
    Task,
    TaskEscalation,
    TaskExtension,
    TaskPhoto,
    TaskSupervision,
    UrgencyClass,
)
from feedback.services import FeedbackError, add_task, resolve
from feedback.services import desk as services
from portal.models import Notification
from tests.factories import DepartmentFactory, SuggestionFactory, TaskFactory

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 11, 30)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@pytest.fixture
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def accepted(tree, staff_a):
    return SuggestionFactory(
        area=tree.community_a,
        state=State.ACCEPTED,
        category="hazard",
        text="建设路口井盖缺失",
        assessed_at=timezone.now(),
        mobile="13912345678",
    )


@pytest.fixture
def task(accepted, department_x, staff_a):
    """Department X's task, given by alice (staff of community A); hank handles X."""
    return add_task(accepted, department_x, instructions="三日内补装井盖", by=staff_a)


def said(response) -> str:
    """The last message the response flashed (earlier ones wait in the cookie until shown)."""
    return [str(message) for message in get_messages(response.wsgi_request)][-1]


def post(client, user, name, task, data=None):
    client.force_login(user)
    return client.post(reverse(name, args=[task.pk]), data or {})


def inbox(user):
    return list(
        Notification.objects.filter(user=user).order_by("id").values_list("title", flat=True)
    )


def kinds(task):
    return list(task.events.values_list("kind", flat=True))


# ---------------------------------------------------------------------------------------------
# The deadlines a new task gets


def test_a_new_task_gets_its_urgency_classes_deadlines_and_its_handlers_are_told(
    accepted, department_x, staff_a, handler
):
    urgent = UrgencyClass.objects.get(name="紧急")
    monday_morning = at(MONDAY, 10)
    with pytest.MonkeyPatch.context() as patch, translation.override("en"):
        patch.setattr(timezone, "now", lambda: monday_morning)
        task = add_task(accepted, department_x, instructions="设置警示", urgency=urgent, by=staff_a)
    assert (task.urgency, task.due_at, task.acknowledge_by) == (
        urgent,
        at(MONDAY, 12),
        at(MONDAY, 12),
    )
    assert task.due_on == MONDAY
    assert inbox(handler) == [
        f"New task {accepted.tracking_code}: acknowledge by 2026-11-30 12:00, due 2026-11-30 12:00"
    ]


def test_without_a_class_a_task_gets_the_default_one(task):
    assert task.urgency == UrgencyClass.objects.default()
    assert task.acknowledge_by < task.due_at


# ---------------------------------------------------------------------------------------------
# 签收


def test_the_handler_acknowledges_the_task_and_it_is_timed_and_recorded(english, task, handler):
    response = post(english, handler, "feedback:task_acknowledge", task)
    assert said(response) == "Acknowledged: the task is your department's to do."
    task.refresh_from_db()
    assert task.acknowledged_by == handler
    assert task.acknowledged_at <= timezone.now()
    event = task.events.get(kind=Event.Kind.ACKNOWLEDGED)
    assert (event.actor, event.public, event.text) == (handler, False, "")


def test_a_second_acknowledgement_is_refused_saying_who_did_it_and_changes_nothing(
    english, task, handler
):
    post(english, handler, "feedback:task_acknowledge", task)
    task.refresh_from_db()
    first = task.acknowledged_at
    response = post(english, handler, "feedback:task_acknowledge", task)
    message = said(response)
    assert message.startswith("This task was already acknowledged on ")
    assert message.endswith(f"by {handler}.")
    task.refresh_from_db()
    assert task.acknowledged_at == first
    assert kinds(task).count(Event.Kind.ACKNOWLEDGED) == 1


def test_an_acknowledgement_after_its_time_is_recorded_as_late(task, handler):
    Task.objects.filter(pk=task.pk).update(acknowledge_by=timezone.now() - timedelta(hours=1))
    task.refresh_from_db()
    services.acknowledge(task, by=handler)
    assert task.events.get(kind=Event.Kind.ACKNOWLEDGED).text == "late"


def test_the_task_page_asks_the_handler_to_acknowledge_and_not_other_staff(
    english, task, handler, staff_a
):
    english.force_login(handler)
    assert "Acknowledge (签收)" in english.get(reverse("feedback:task", args=[task.pk])).text
    english.force_login(staff_a)
    assert "Acknowledge (签收)" not in english.get(reverse("feedback:task", args=[task.pk])).text


# ---------------------------------------------------------------------------------------------
# 退单


def test_a_return_without_a_reason_is_refused_and_nothing_changes(english, task, handler):
    response = post(
        english, handler, "feedback:task_return", task, {"reason": "  ", "version": task.version}
    )
    assert said(response) == "Why it is not your department's: This field is required."
    task.refresh_from_db()
    assert task.state == Task.State.OPEN
    with pytest.raises(FeedbackError) as refused:
        services.return_task(task, reason=" ", version=task.version, by=handler)
    assert refused.value.code == "reason"
    assert Task.objects.get(pk=task.pk).state == Task.State.OPEN


def test_a_returned_task_goes_back_to_who_assigned_it_and_counts_for_nobody(
    english, task, handler, staff_a
):
    response = post(
        english,
        handler,
        "feedback:task_return",
        task,
        {"reason": "井盖归市政管理处，不归市场监管", "version": task.version},
    )
    assert said(response) == "Returned. The staff who assigned it will pass it on."
    task.refresh_from_db()
    assert (task.state, task.returned_by, task.return_reason) == (
        Task.State.RETURNED,
        handler,
        "井盖归市政管理处，不归市场监管",
    )
    assert inbox(staff_a) == [
        f"梁园区市场监管局 returned its task for {task.suggestion.tracking_code}"
    ]
    assert task not in Task.objects.counted()
    assert task not in Task.objects.open()
    event = task.events.get(kind=Event.Kind.TASK_RETURNED)
    assert (event.actor, event.public) == (handler, False)


def test_a_return_from_a_form_shown_before_another_change_is_refused(english, task, handler):
    stale = task.version
    services.acknowledge(task, by=handler)
    response = post(
        english, handler, "feedback:task_return", task, {"reason": "不归我们", "version": stale}
    )
    assert said(response).startswith("Someone else changed this task")
    assert Task.objects.get(pk=task.pk).state == Task.State.OPEN


def test_staff_pass_a_returned_task_on_and_repeated_returns_are_counted(
    english, tree, task, handler, staff_a, department_y
):
    services.return_task(task, reason="不归市场监管", version=None, by=handler)
    again = add_task(task.suggestion, department_y, instructions="请交警处理", by=staff_a)
    harry = department_y.handlers.get()
    services.return_task(again, reason="也不归交警", version=None, by=harry)
    assert inbox(staff_a)[-1].endswith("(returned 2 times)")
    english.force_login(staff_a)
    page = english.get(reverse("feedback:suggestion", args=[task.suggestion_id])).text
    assert "returned 2 times" in page
    listed = english.get(reverse("feedback:tasks"), {"state": "returned"})
    assert list(listed.context["page"].object_list) == [again, task]
    assert "returned 2 times" in listed.text


def test_staff_close_a_suggestion_nobody_takes_with_a_reply(english, task, handler, staff_a):
    services.return_task(task, reason="不归我们管", version=None, by=handler)
    suggestion = task.suggestion
    suggestion.refresh_from_db()
    with pytest.raises(FeedbackError):  # nothing done: not "resolved"
        resolve(suggestion, version=None, reply="已处理", by=staff_a)
    english.force_login(staff_a)
    response = english.post(
        reverse("feedback:close_returned", args=[suggestion.pk]),
        {"reply": "经核实，该井盖属于私人小区，已告知物业。", "version": suggestion.version},
    )
    assert said(response) == "Closed. The submitter can read the reply."
    suggestion.refresh_from_db()
    assert (suggestion.state, suggestion.reply) == (
        State.CLOSED,
        "经核实，该井盖属于私人小区，已告知物业。",
    )
    assert suggestion.events.filter(kind=Event.Kind.CLOSED, public=True).exists()


def test_a_suggestion_with_an_open_task_cannot_be_closed_that_way(task, staff_a):
    with pytest.raises(FeedbackError) as refused:
        services.close_with_reply(task.suggestion, reply="关闭", version=None, by=staff_a)
    assert refused.value.code == "tasks"


# ---------------------------------------------------------------------------------------------
# 延期


def ask(client, handler, task, due_on, reason="需要等配件"):
    return post(
        client,
        handler,
        "feedback:task_extension",
        task,
        {"due_on": due_on.isoformat(), "reason": reason, "version": task.version},
    )


def test_the_handler_asks_for_more_time_and_staff_approve_it(english, task, handler, staff_a):
    wanted = timezone.localtime(task.due_at).date() + timedelta(days=7)
    response = ask(english, handler, task, wanted)
    assert said(response) == "More time asked for. Staff will approve or refuse it."
    assert (
        inbox(staff_a)[-1]
        == f"梁园区市场监管局 asks for more time on {task.suggestion.tracking_code}"
    )
    task.refresh_from_db()
    english.force_login(staff_a)
    page = english.get(reverse("feedback:task", args=[task.pk])).text
    assert "Waiting for a decision" in page and "Decide" in page
    response = english.post(
        reverse("feedback:task_extension_decide", args=[task.pk]),
        {"decision": "approve", "due_on": wanted.isoformat(), "note": "", "version": task.version},
    )
    assert said(response) == "Decided. The department is told."
    task.refresh_from_db()
    assert task.due_at == end_of_day(wanted) and task.due_on == wanted
    extension = task.extensions.get()
    assert (extension.approved, extension.decided_by) == (True, staff_a)
    assert kinds(task)[-2:] == [Event.Kind.EXTENSION_REQUESTED, Event.Kind.EXTENSION_DECIDED]
    assert inbox(handler)[-1].startswith(f"Extension for {task.suggestion.tracking_code}: Approved")


def test_an_extension_past_the_suggestions_own_limit_is_refused_and_nothing_is_asked(
    english, task, handler, settings
):
    settings.FEEDBACK_LIMIT_WORKING_DAYS = 10
    response = ask(english, handler, task, timezone.localdate() + timedelta(days=60))
    message = said(response)
    assert message.startswith("A suggestion must be dealt with within 10 working days")
    assert not TaskExtension.objects.exists()
    assert Event.Kind.EXTENSION_REQUESTED not in kinds(task)


def test_an_extension_to_an_earlier_day_or_without_a_reason_is_refused(english, task, handler):
    message = said(ask(english, handler, task, timezone.localdate()))
    assert message.startswith("The new deadline must be later than the present one")
    later = timezone.localtime(task.due_at).date() + timedelta(days=2)
    message = said(ask(english, handler, task, later, reason=" "))
    assert message == "Why more time is needed: This field is required."
    assert not TaskExtension.objects.exists()


def test_a_second_request_while_one_waits_is_refused(english, task, handler):
    later = timezone.localtime(task.due_at).date() + timedelta(days=2)
    ask(english, handler, task, later)
    task.refresh_from_db()
    message = said(ask(english, handler, task, later + timedelta(days=1)))
    assert message == "An extension request for this task is already waiting."
    assert TaskExtension.objects.count() == 1


def test_the_task_list_has_a_tab_of_the_extension_requests_waiting(
    english, task, handler, staff_a, department_x
):
    other = add_task(task.suggestion, department_x, instructions="清理现场", by=staff_a)
    ask(english, handler, task, timezone.localtime(task.due_at).date() + timedelta(days=3))
    english.force_login(staff_a)
    response = english.get(reverse("feedback:tasks"), {"state": "extension"})
    assert list(response.context["page"].object_list) == [task]
    assert other in english.get(reverse("feedback:tasks")).context["page"].object_list
    task.refresh_from_db()
    english.post(
        reverse("feedback:task_extension_decide", args=[task.pk]),
        {"decision": "refuse", "note": "请按期办结", "version": task.version},
    )
    response = english.get(reverse("feedback:tasks"), {"state": "extension"})
    assert "No extension request waits for a decision." in response.text


def test_a_refusal_needs_a_reason_and_keeps_the_deadline(english, task, handler, staff_a):
    due = task.due_at
    ask(english, handler, task, timezone.localtime(due).date() + timedelta(days=3))
    task.refresh_from_db()
    english.force_login(staff_a)
    url = reverse("feedback:task_extension_decide", args=[task.pk])
    response = english.post(url, {"decision": "refuse", "note": "", "version": task.version})
    assert said(response) == "Say why the extension is refused: the department reads it."
    assert TaskExtension.objects.get().approved is None
    english.post(url, {"decision": "refuse", "note": "本周内必须完成", "version": task.version})
    task.refresh_from_db()
    assert task.due_at == due
    assert TaskExtension.objects.get().approved is False
    again = english.post(url, {"decision": "approve", "note": "", "version": task.version})
    assert said(again) == "No extension request of this task waits for a decision."


def test_staff_of_the_sibling_community_cannot_decide(client, task, handler, staff_b):
    services.request_extension(
        task,
        due_on=timezone.localtime(task.due_at).date() + timedelta(days=3),
        reason="等配件",
        version=None,
        by=handler,
    )
    response = post(
        client, staff_b, "feedback:task_extension_decide", task, {"decision": "approve"}
    )
    assert response.status_code == 404
    assert TaskExtension.objects.get().approved is None


# ---------------------------------------------------------------------------------------------
# 督办


def test_an_official_above_supervises_and_the_handler_sees_it_highlighted(
    english, task, handler, official
):
    response = post(
        english, official, "feedback:task_supervise", task, {"text": "请于今日内到现场处置"}
    )
    assert said(response) == "Supervision notice sent to the department."
    assert (
        inbox(handler)[-1] == f"Supervision notice (督办) on task {task.suggestion.tracking_code}"
    )
    english.force_login(handler)
    page = english.get(reverse("feedback:task", args=[task.pk])).text
    assert 'id="supervision-notice"' in page and "请于今日内到现场处置" in page
    listed = english.get(reverse("feedback:tasks")).text
    assert "1 supervision notice" in listed
    post(english, handler, "feedback:task_supervisions_seen", task)
    page = english.get(reverse("feedback:task", args=[task.pk])).text
    assert 'id="supervision-notice"' not in page
    assert TaskSupervision.objects.get().seen_by == handler


def test_the_handlers_tab_of_supervision_notices_keeps_a_task_until_one_marks_it_seen(
    english, task, handler, official, department_x, staff_a
):
    add_task(task.suggestion, department_x, instructions="清理现场", by=staff_a)
    post(english, official, "feedback:task_supervise", task, {"text": "请于今日内到现场处置"})
    english.force_login(handler)
    tab = {"state": "supervised"}
    assert list(english.get(reverse("feedback:tasks"), tab).context["page"].object_list) == [task]
    post(english, handler, "feedback:task_supervisions_seen", task)
    response = english.get(reverse("feedback:tasks"), tab)
    assert "No supervision notice waits to be seen." in response.text


def test_a_supervision_from_outside_the_scope_is_a_404_and_nothing_is_sent(
    client, tree, department_x
):
    from tests.factories import UserFactory

    other = UserFactory(role="official", area=tree.other_district)
    suggestion = SuggestionFactory(area=tree.community_a, state=State.ACCEPTED)
    task = TaskFactory(suggestion=suggestion, department=department_x)
    response = post(client, other, "feedback:task_supervise", task, {"text": "督办"})
    assert response.status_code == 404
    assert not TaskSupervision.objects.exists()


def test_an_empty_supervision_notice_is_refused(english, task, official):
    response = post(english, official, "feedback:task_supervise", task, {"text": " "})
    assert said(response) == "Supervision notice: This field is required."
    assert not TaskSupervision.objects.exists()


# ---------------------------------------------------------------------------------------------
# 办结 with photos


def photo_with_gps() -> SimpleUploadedFile:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "HandlerPhone"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (34.0, 24.0, 50.0)
    buffer = BytesIO()
    Image.new("RGB", (80, 60), "green").save(buffer, "JPEG", exif=exif)
    return SimpleUploadedFile("result.jpg", buffer.getvalue(), content_type="image/jpeg")


def test_the_handler_finishes_with_a_photo_that_staff_see_and_may_publish(
    english, client, media, task, handler, staff_a, django_capture_on_commit_callbacks, eager_tasks
):
    english.force_login(handler)
    with django_capture_on_commit_callbacks(execute=True):  # the photo processed (eager)
        response = english.post(
            reverse("feedback:task_done", args=[task.pk]),
            {"result": "已补装井盖", "photos": [photo_with_gps()], "version": task.version},
        )
    assert said(response) == "Marked as done. Staff will write the reply to the submitter."
    photo = TaskPhoto.objects.get()
    with Image.open(photo.image.path) as stored:
        assert not stored.getexif()  # re-encoded: no GPS, no phone model
    english.force_login(staff_a)
    page = english.get(reverse("feedback:task", args=[task.pk])).text
    assert reverse("feedback:photo", args=[photo.thumbnail_file]) in page
    assert "/media/" not in page
    assert english.get(reverse("feedback:photo", args=[photo.image_file])).status_code == 200

    suggestion = task.suggestion
    resolve(suggestion, version=None, reply="已补装井盖，感谢反映", by=staff_a)
    track = reverse("feedback:track", args=[suggestion.tracking_code])
    file = reverse("feedback:track_photo", args=[suggestion.tracking_code, photo.image_file])
    assert photo.image_file not in client.get(track).text
    assert client.get(file).status_code == 404  # not published: as if it never was

    english.post(reverse("feedback:task_photo_publish", args=[photo.pk]), {"published": "1"})
    assert photo.image_file in client.get(track).text
    assert client.get(file).status_code == 200
    english.post(reverse("feedback:task_photo_publish", args=[photo.pk]), {"published": "0"})
    assert client.get(file).status_code == 404


def test_a_file_that_is_no_photo_is_refused_and_the_task_stays_open(english, media, task, handler):
    english.force_login(handler)
    fake = SimpleUploadedFile("result.jpg", b"not a photo", content_type="image/jpeg")
    response = english.post(
        reverse("feedback:task_done", args=[task.pk]),
        {"result": "已补装井盖", "photos": [fake], "version": task.version},
    )
    message = said(response)
    assert "is not a photo we can read" in message
    assert Task.objects.get(pk=task.pk).state == Task.State.OPEN
    assert not TaskPhoto.objects.exists()


# ---------------------------------------------------------------------------------------------
# Reminded, then escalated, when not acknowledged in time


@pytest.fixture
def parent(department_x, tree):
    from tests.factories import UserFactory

    paul = UserFactory(username="paul", role="department_handler", area=tree.district)
    root = DepartmentFactory(name="梁园区委社会工作部", area=tree.district, handlers=[paul])
    department_x.parent = root
    department_x.save()
    return paul


@pytest.fixture
def in_english():
    with translation.override("en"):
        yield


def test_an_unacknowledged_task_is_reminded_then_escalated_in_working_hours(
    in_english, accepted, department_x, staff_a, handler, parent
):
    urgent = UrgencyClass.objects.get(name="紧急")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: at(MONDAY, 10))
        task = add_task(accepted, department_x, instructions="设置警示", urgency=urgent, by=staff_a)
    Notification.objects.all().delete()
    assert followup.follow_up_desk(at(MONDAY, 10, 15))["acknowledgement_reminders"] == 0
    done = followup.follow_up_desk(at(MONDAY, 11, 15))
    assert done["acknowledgement_reminders"] == 1
    assert inbox(handler) == [
        f"Task {accepted.tracking_code} waits for acknowledgement (签收) by 2026-11-30 12:00"
    ]
    assert followup.follow_up_desk(at(MONDAY, 11, 30))["acknowledgement_reminders"] == 0  # once
    done = followup.follow_up_desk(at(MONDAY, 12, 15))
    assert done["acknowledgement_escalations"] == 1
    escalation = TaskEscalation.objects.get(task=task)
    assert escalation.reason == TaskEscalation.Reason.UNACKNOWLEDGED
    assert inbox(parent) == [
        f"Task for {accepted.tracking_code} not acknowledged in time, "
        "passed on to 梁园区委社会工作部"
    ]
    # Overdue too (2 hours): not escalated a second time the same day.
    assert followup.follow_up_desk(at(MONDAY, 12, 30)) == {
        "acknowledgement_escalations": 0,
        "escalations": 0,
        "acknowledgement_reminders": 0,
    }


def test_the_desk_follow_up_does_nothing_outside_working_hours(task):
    Task.objects.filter(pk=task.pk).update(acknowledge_by=at(MONDAY, 8))
    assert followup.follow_up_desk(at(MONDAY, 20)) == {}
    assert followup.follow_up_desk(at(date(2026, 12, 5), 10)) == {}  # a Saturday


def test_a_day_long_acknowledgement_is_reminded_in_the_last_working_hour(task, handler):
    Task.objects.filter(pk=task.pk).update(acknowledge_by=end_of_day(MONDAY))
    Notification.objects.all().delete()
    assert followup.follow_up_desk(at(MONDAY, 15))["acknowledgement_reminders"] == 0
    assert followup.follow_up_desk(at(MONDAY, 16, 45))["acknowledgement_reminders"] == 1


def test_an_acknowledged_task_is_neither_reminded_nor_escalated(task, handler):
    services.acknowledge(task, by=handler)
    Task.objects.filter(pk=task.pk).update(acknowledge_by=at(MONDAY, 9))
    assert followup.follow_up_desk(at(MONDAY, 16, 45))["acknowledgement_reminders"] == 0
    assert followup.follow_up_desk(at(MONDAY, 17))["acknowledgement_escalations"] == 0


# ---------------------------------------------------------------------------------------------
# The task list stays within its queries


def test_the_task_list_takes_a_bounded_number_of_queries(
    english, tree, department_x, staff_a, handler, django_assert_max_num_queries
):
    for n in range(30):
        suggestion = SuggestionFactory(area=tree.community_a, state=State.ACCEPTED)
        task = TaskFactory(suggestion=suggestion, department=department_x)
        TaskSupervision.objects.create(task=task, text=f"督办 {n}")
        if n % 3 == 0:
            TaskFactory(
                suggestion=suggestion,
                department=department_x,
                state="returned",
                returned_at=timezone.now(),
                return_reason="不归我们",
            )
    for user in (staff_a, handler):
        english.force_login(user)
        with django_assert_max_num_queries(12):
            response = english.get(reverse("feedback:tasks"))
        assert len(response.context["page"].object_list) == 30


# ---------------------------------------------------------------------------------------------
# Two at once (PostgreSQL): one wins, the other is refused


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_handlers_acknowledging_at_once_record_it_once(tree, accepted, department_x, staff_a):
    from tests.factories import UserFactory
    from tests.races import race

    first, second = (UserFactory(role="department_handler", area=tree.district) for _ in range(2))
    task = add_task(accepted, department_x, instructions="补装井盖", by=staff_a)
    outcomes = race(
        [
            lambda user=user: services.acknowledge(Task.objects.get(pk=task.pk), by=user)
            for user in (first, second)
        ],
        refused=FeedbackError,
    )
    assert sorted(outcomes) == ["acknowledged", "done"]
    assert Event.objects.filter(task=task, kind=Event.Kind.ACKNOWLEDGED).count() == 1


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_approving_and_refusing_an_extension_at_once_decide_it_once(
    accepted, department_x, staff_a, handler
):
    task = add_task(accepted, department_x, instructions="补装井盖", by=staff_a)
    extension = services.request_extension(
        task,
        due_on=timezone.localtime(task.due_at).date() + timedelta(days=3),
        reason="等配件",
        version=None,
        by=handler,
    )
    from tests.races import race

    outcomes = race(
        [
            lambda: services.decide_extension(
                TaskExtension.objects.get(pk=extension.pk), approve=True, version=None, by=staff_a
            ),
            lambda: services.decide_extension(
                TaskExtension.objects.get(pk=extension.pk),
                approve=False,
                note="不同意",
                version=None,
                by=staff_a,
            ),
        ],
        refused=FeedbackError,
    )
    assert sorted(outcomes) == ["decided", "done"]
    assert Event.objects.filter(task=task, kind=Event.Kind.EXTENSION_DECIDED).count() == 1


def test_result_photos_are_deleted_with_the_suggestions_photos_after_retention(
    media, task, handler, settings, django_capture_on_commit_callbacks
):
    from django.core.files.base import ContentFile

    from feedback.services import delete_expired_photos

    photo = TaskPhoto.objects.create(
        task=task,
        image=ContentFile(b"photo", name="a.jpg"),
        thumbnail=ContentFile(b"thumb", name="a.jpg"),
        state="ready",
    )
    path = photo.image.path
    closed = timezone.now() - timedelta(days=settings.FEEDBACK_PHOTO_RETENTION_DAYS + 1)
    task.suggestion.__class__.objects.filter(pk=task.suggestion_id).update(
        state=State.CLOSED, closed_at=closed
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert delete_expired_photos(timezone.now()) == 1
    assert not TaskPhoto.objects.exists()
    import os

    assert not os.path.exists(path)
