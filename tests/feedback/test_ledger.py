"""差评整改台账: the low ratings (online and on callbacks) and reopenings of a period in the user's
scope, what was done about each since, staff recording what they did, and the export."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from feedback import ledger, services
from feedback.models import Callback, Event, State, Suggestion
from feedback.services import FeedbackError
from portal.models import AuditLog, ExportJob
from tests.exports import rows_of
from tests.factories import SuggestionFactory, TaskFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def resolved(area, staff, department, text="井盖缺失"):
    """A suggestion of `area` taken through the loop to resolved."""
    suggestion = SuggestionFactory(area=area, text=text)
    services.accept(suggestion, version=None, by=staff)
    task = TaskFactory(suggestion=suggestion, department=department)
    services.complete_task(task, result="已补装", by=None)
    services.resolve(suggestion, version=None, reply="已补装井盖", by=staff)
    return suggestion


def rated(area, staff, department, stars, text="井盖缺失"):
    suggestion = resolved(area, staff, department, text)
    services.rate(suggestion, rating=stars, comment="还是松的")
    return suggestion


def listed(response):
    return [(entry.suggestion.text, entry.kind) for entry in response.context["page"].object_list]


def ago(days):
    return timezone.now() - timedelta(days=days)


def test_the_ledger_lists_low_ratings_low_callbacks_and_reopenings_of_the_scope(
    english, tree, staff_a, department_x
):
    rated(tree.community_a, staff_a, department_x, 2, "两星")
    rated(tree.community_a, staff_a, department_x, 4, "四星")  # satisfied: not listed
    rated(tree.community_b, staff_a, department_x, 1, "别的社区")  # outside staff_a's scope
    called = resolved(tree.community_a, staff_a, department_x, "回访三星")
    Callback.objects.create(suggestion=called, reached=True, satisfaction=3, words="一般般")
    unreached = resolved(tree.community_a, staff_a, department_x, "没打通")
    Callback.objects.create(suggestion=unreached, reached=False)
    services.reopen(resolved(tree.community_a, staff_a, department_x, "重开"), comment="没修好")
    english.force_login(staff_a)
    response = english.get(reverse("feedback:ledger"))
    assert listed(response) == [
        ("重开", "reopened"),
        ("回访三星", "callback"),
        ("两星", "rating"),
    ]
    assert "★★☆☆☆" in response.text and "还是松的" in response.text and "一般般" in response.text
    assert "没修好" in response.text
    assert response.text.count("Nothing done yet") == 3


def test_each_entry_shows_what_was_done_after_it_not_before(english, tree, staff_a, department_x):
    suggestion = resolved(tree.community_a, staff_a, department_x)
    suggestion.events.update(created_at=ago(2))  # accepted, task assigned and done, resolved
    services.reopen(suggestion, comment="还是松的")
    Event.objects.filter(kind=Event.Kind.REOPENED).update(created_at=ago(1))
    services.accept(suggestion, version=None, by=staff_a)
    services.add_task(
        suggestion,
        department_x,
        instructions="再次补装",
        due_on=timezone.localdate() + timedelta(days=3),
        by=staff_a,
    )
    english.force_login(staff_a)
    [entry] = english.get(reverse("feedback:ledger")).context["page"].object_list
    assert [event.kind for event in entry.after] == ["accepted", "task_assigned"]
    assert entry.progress == "working"
    Suggestion.objects.filter(pk=suggestion.pk).update(state=State.ACCEPTED)
    suggestion.tasks.update(state="done")
    services.resolve(suggestion, version=None, reply="已重新补装", by=staff_a)
    [entry] = english.get(reverse("feedback:ledger")).context["page"].object_list
    assert entry.after[-1].kind == "resolved" and entry.progress == "answered"


def test_the_period_and_the_filters_choose_the_entries(english, tree, staff_a, department_x):
    old = rated(tree.community_a, staff_a, department_x, 1, "半年前")
    Suggestion.objects.filter(pk=old.pk).update(rated_at=ago(180))
    rated(tree.community_a, staff_a, department_x, 3, "本周")
    english.force_login(staff_a)
    url = reverse("feedback:ledger")
    assert listed(english.get(url)) == [("本周", "rating")]  # the last 90 days
    start = timezone.localdate() - timedelta(days=200)
    everything = english.get(url, {"start": start.isoformat()})
    assert listed(everything) == [("本周", "rating"), ("半年前", "rating")]
    assert listed(english.get(url, {"start": start, "kind": "reopened"})) == []
    assert listed(english.get(url, {"start": start, "q": "半年"})) == [("半年前", "rating")]
    refused = english.get(url, {"area": tree.community_c.pk, "start": "not a day"})
    assert listed(refused) == []
    assert "Nothing is shown: a filter could not be applied." in refused.text


def test_an_official_above_sees_the_communities_below(
    english, tree, staff_a, official, department_x
):
    rated(tree.community_a, staff_a, department_x, 2, "A")
    rated(tree.community_b, staff_a, department_x, 2, "B")
    english.force_login(official)
    response = english.get(reverse("feedback:ledger"))
    assert sorted(text for text, _kind in listed(response)) == ["A", "B"]
    assert "Record what was done" not in response.text  # officials read; community staff act


@pytest.mark.parametrize("rows", [5, 40])
def test_the_ledger_reads_the_same_few_queries_for_5_or_40_entries(
    english, tree, staff_a, department_x, django_assert_max_num_queries, rows
):
    for number in range(rows):
        suggestion = SuggestionFactory(area=tree.community_a, state=State.CLOSED)
        Suggestion.objects.filter(pk=suggestion.pk).update(rating=1 + number % 3, rated_at=ago(1))
        Event.objects.create(suggestion=suggestion, kind=Event.Kind.RESOLVED, text="已处理")
    english.force_login(staff_a)
    # session, user, its second factor, area, area choices, issue types, 3 kinds of entries,
    # suggestions, events, navigation badges
    with django_assert_max_num_queries(15):
        response = english.get(reverse("feedback:ledger"))
    assert len(response.context["page"].object_list) == rows


def test_the_list_says_when_it_holds_only_the_newest(english, tree, staff_a, monkeypatch):
    monkeypatch.setattr(ledger, "CAP", 2)
    for _number in range(3):
        suggestion = SuggestionFactory(area=tree.community_a, state=State.CLOSED)
        Suggestion.objects.filter(pk=suggestion.pk).update(rating=1, rated_at=ago(1))
    english.force_login(staff_a)
    response = english.get(reverse("feedback:ledger"))
    assert len(response.context["page"].object_list) == 2
    assert "The list and the export hold the newest 2." in response.text


def test_staff_record_what_was_done_and_come_back_to_the_ledger(
    english, tree, staff_a, department_x
):
    suggestion = rated(tree.community_a, staff_a, department_x, 2)
    english.force_login(staff_a)
    back = reverse("feedback:ledger") + "?kind=rating"
    url = reverse("feedback:rectify", args=[suggestion.pk])
    response = english.post(url, {"text": "电话致歉，约店主整改", "next": back}, follow=True)
    assert response.redirect_chain[-1][0] == back
    assert f"Recorded what was done about {suggestion.tracking_code}." in response.text
    [entry] = response.context["page"].object_list
    assert entry.progress == "answered"
    event = suggestion.events.get(kind=Event.Kind.RECTIFIED)
    assert (event.text, event.actor, event.public) == ("电话致歉，约店主整改", staff_a, False)
    # somewhere else is not where it goes back to
    away = english.post(url, {"text": "再次回访", "next": "https://example.com/"})
    assert away["Location"] == reverse("feedback:ledger")


def test_nothing_to_record_without_words_or_for_a_satisfied_submitter(
    english, tree, staff_a, department_x
):
    happy = rated(tree.community_a, staff_a, department_x, 5)
    with pytest.raises(FeedbackError) as refused:
        services.record_rectification(happy, "回访", by=staff_a)
    assert refused.value.code == "rectification"
    english.force_login(staff_a)
    response = english.post(
        reverse("feedback:rectify", args=[happy.pk]), {"text": "回访"}, follow=True
    )
    assert "Only a suggestion rated 1 to 3 stars, or reopened" in response.text
    low = rated(tree.community_a, staff_a, department_x, 1)
    empty = english.post(reverse("feedback:rectify", args=[low.pk]), {"text": "  "}, follow=True)
    assert "Say what was done." in empty.text
    assert not Event.objects.filter(kind=Event.Kind.RECTIFIED).exists()


def test_the_export_holds_the_entries_with_what_followed_and_is_logged(
    client, tree, staff_a, department_x
):
    suggestion = rated(tree.community_a, staff_a, department_x, 2, "=1+1 井盖")
    services.record_rectification(suggestion, "再次补装", by=staff_a)
    client.force_login(staff_a)
    response = client.get(reverse("feedback:ledger_export"), {"kind": "rating"})
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][:4] == ["时间", "不满意情形", "星级", "原话"]
    assert rows[1][1:3] == ["差评（网上评价）", 2]
    assert rows[1][4] == suggestion.tracking_code
    assert rows[1][-2] == "已处理"
    assert rows[1][-1].endswith("整改情况: 再次补装")
    entry = AuditLog.objects.get(action=AuditLog.Action.EXPORTED)
    assert entry.rows == 1 and entry.description.startswith("差评整改台账 (范围: 建设路社区")
    bad = client.get(reverse("feedback:ledger_export"), {"area": tree.community_c.pk})
    assert bad.status_code == 302
    assert AuditLog.objects.filter(action=AuditLog.Action.EXPORTED).count() == 1


def test_a_ledger_up_to_the_limit_is_still_sent_at_once(
    client, tree, staff_a, department_x, settings
):
    settings.EXPORT_BACKGROUND_ROWS = 1
    rated(tree.community_a, staff_a, department_x, 2)
    rated(tree.community_b, staff_a, department_x, 1)  # not staff_a's: not counted
    client.force_login(staff_a)
    assert len(rows_of(client.get(reverse("feedback:ledger_export")))) == 2
    assert AuditLog.objects.get(action=AuditLog.Action.EXPORTED).rows == 1
    assert not ExportJob.objects.exists()


def test_a_longer_ledger_is_written_in_the_background_within_the_scope(
    client, tree, staff_a, department_x, in_background
):
    mine = [rated(tree.community_a, staff_a, department_x, stars) for stars in (1, 2)]
    rated(tree.community_b, staff_a, department_x, 1)
    client.force_login(staff_a)
    job, rows = in_background(client, "feedback:ledger_export", kind="rating")
    assert job.kind == "feedback.ledger"
    codes = sorted(row[4] for row in rows[1:])
    assert codes == sorted(suggestion.tracking_code for suggestion in mine)
    assert all(row[-2] == "尚未处理" for row in rows[1:])  # what followed, filled by the task
    requested = AuditLog.objects.get(action=AuditLog.Action.EXPORTED)
    assert requested.rows == 2
    assert requested.description.startswith("差评整改台账 (范围: 建设路社区")
