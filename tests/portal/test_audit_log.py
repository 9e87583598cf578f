"""The audit log: each full view, export, points adjustment and suggestion state change writes
exactly one row, and administrators filter them."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from feedback import services as feedback
from feedback.models import State
from points.models import EntryKind
from points.services.ledger import award
from portal.models import AuditLog
from tests.factories import SuggestionFactory, TaskFactory

pytestmark = pytest.mark.django_db

Action = AuditLog.Action


def rows(after=0):
    """The rows about personal data and riders' cases (the test client's sign-ins left out)."""
    entries = AuditLog.objects.data_use().filter(pk__gt=after)
    return list(entries.values_list("user__username", "action", "subject_id"))


@pytest.fixture
def alice(client, staff_a):
    client.force_login(staff_a)
    return client


@pytest.mark.parametrize(
    "export",
    [
        "registry:workers_export",
        "registry:party_members_export",
        "registry:mobile_party_members_export",
        "registry:enterprises_export",
    ],
)
def test_each_export_writes_one_row(alice, worker_a, export):
    assert alice.get(reverse(export)).status_code == 200
    assert rows() == [("alice", Action.EXPORTED, None)]


def test_each_full_view_writes_one_row(alice, tree, worker_a):
    suggestion = SuggestionFactory(area=tree.community_a, mobile="13912345678")
    alice.get(reverse("registry:worker_detail", args=[worker_a.id]))
    assert rows() == [("alice", Action.VIEWED, worker_a.id)]
    seen = AuditLog.objects.latest("id").pk
    url = reverse("feedback:suggestion", args=[suggestion.id])
    alice.get(url)
    assert rows(after=seen) == []  # the mobile is masked until asked for
    alice.get(url, {"mobile": "full"})
    assert rows(after=seen) == [("alice", Action.VIEWED, suggestion.id)]


def test_a_points_adjustment_writes_one_row_and_a_refused_one_none(alice, worker_a):
    url = reverse("points:adjust", args=[worker_a.id])
    alice.post(url, {"amount": 5, "reason": "活动补录"})
    assert rows() == [("alice", Action.POINTS_ADJUSTED, worker_a.id)]
    assert AuditLog.objects.data_use().get().description == "+5: 活动补录"
    response = alice.post(url, {"amount": -50, "reason": "重复发放"})
    assert response.status_code == 400
    assert len(rows()) == 1


def test_points_earned_without_staff_are_not_adjustments(worker_a):
    award(worker_a, 5, EntryKind.ACTIVITY)
    assert rows() == []


def post(client, action, suggestion, **data):
    data.setdefault("version", suggestion.version)
    return client.post(reverse(f"feedback:{action}", args=[suggestion.pk]), data)


@pytest.mark.parametrize(
    ("action", "data", "state"),
    [
        ("accept", {}, State.ACCEPTED),
        ("reject", {"reply": "不属于受理范围"}, State.REJECTED),
        ("duplicate", {}, State.DUPLICATE),
        ("merge", {}, State.MERGED),
    ],
)
def test_each_assessment_writes_one_row(alice, tree, suggestion_a, action, data, state):
    if action in ("duplicate", "merge"):
        data["code"] = SuggestionFactory(area=tree.community_a).tracking_code
    post(alice, action, suggestion_a, **data)
    suggestion_a.refresh_from_db()
    assert suggestion_a.state == state
    assert rows() == [("alice", Action.STATE_CHANGED, suggestion_a.id)]
    assert AuditLog.objects.data_use().get().description == (
        f"{suggestion_a.tracking_code}: 待研判 → {suggestion_a.get_state_display()}"
    )


def test_a_transfer_or_a_refused_change_writes_nothing(alice, tree, suggestion_a):
    post(alice, "transfer", suggestion_a, area=tree.community_b.id)
    post(alice, "reject", suggestion_a, reply="")
    assert rows() == []


def test_resolving_then_rating_or_reopening_write_one_row_each(alice, client, tree, department_x):
    task = TaskFactory(suggestion__area=tree.community_a, department=department_x, state="done")
    suggestion = task.suggestion
    post(alice, "resolve", suggestion, reply="已修复")
    assert rows() == [("alice", Action.STATE_CHANGED, suggestion.id)]
    client.logout()
    client.post(reverse("feedback:reopen", args=[suggestion.tracking_code]), {"comment": "没修好"})
    assert rows()[0] == (None, Action.STATE_CHANGED, suggestion.id)
    assert len(rows()) == 2
    suggestion.refresh_from_db()
    feedback.accept(suggestion, version=None, by=None)
    feedback.resolve(suggestion, version=None, reply="再次修复", by=None)
    client.post(reverse("feedback:rate", args=[suggestion.tracking_code]), {"rating": 5})
    suggestion.refresh_from_db()
    assert suggestion.state == State.CLOSED
    assert len(rows()) == 5


def test_closing_an_unrated_suggestion_writes_one_row(tree):
    suggestion = SuggestionFactory(area=tree.community_a, state=State.RESOLVED)
    feedback.close_unrated(suggestion)
    assert rows() == [(None, Action.STATE_CHANGED, suggestion.id)]


# The administrator's page


def test_the_administrator_reads_who_viewed_whose_record(client, staff_a, administrator, worker_a):
    client.force_login(staff_a)
    client.get(reverse("registry:worker_detail", args=[worker_a.id]))
    client.get(reverse("registry:workers_export"))
    client.force_login(administrator)
    response = client.get(reverse("audit_log"))
    assert response.status_code == 200
    assert "查看完整信息" in response.text and "导出" in response.text
    assert "张敏" in response.text and "张三" in response.text
    assert "13800000001" not in response.text


@pytest.fixture
def logged(staff_a, staff_b, worker_a, suggestion_a):
    AuditLog.record(staff_a, Action.EXPORTED, "从业人员名册", rows=3)
    AuditLog.record(staff_b, Action.EXPORTED, "党员名册", rows=1)
    AuditLog.record(staff_a, Action.POINTS_ADJUSTED, "+5: 补录", subject=worker_a)
    AuditLog.objects.create(
        action=Action.STATE_CHANGED,
        description="S1: 已办结 → 已关闭",
        subject=suggestion_a,
        created_at=timezone.now() - timedelta(days=40),
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"user": "bob"}, ["党员名册"]),
        ({"action": "points_adjusted"}, ["+5: 补录"]),
        ({"action": "exported", "user": "alice"}, ["从业人员名册"]),
        ({"q": "名册"}, ["党员名册", "从业人员名册"]),
        ({"end": str(timezone.localdate() - timedelta(days=30))}, ["S1: 已办结 → 已关闭"]),
        # the administrator's own sign-in first, the latest
        ({"start": str(timezone.localdate())}, ["", "+5: 补录", "党员名册", "从业人员名册"]),
    ],
)
def test_the_administrator_filters_the_log(client, administrator, logged, query, expected):
    client.force_login(administrator)
    response = client.get(reverse("audit_log"), query)
    assert [entry.description for entry in response.context["page"].object_list] == expected


def test_a_filter_that_makes_no_sense_says_so(client, administrator, logged):
    client.force_login(administrator)
    response = client.get(reverse("audit_log"), {"action": "drop table", "start": "2026-13-01"})
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.text and "输入一个有效的日期" in response.text


def test_rows_without_a_staff_member_say_who_acted(client, administrator, logged):
    client.force_login(administrator)
    response = client.get(reverse("audit_log"), {"action": "state_changed"})
    assert "骑手或系统" in response.text


def test_the_audit_log_page_costs_the_same_queries_for_many_entries(
    client, staff_a, administrator, worker_a, suggestion_a, django_assert_max_num_queries
):
    for _ in range(30):
        AuditLog.record(staff_a, Action.VIEWED, "张三", subject=worker_a)
        AuditLog.record(None, Action.STATE_CHANGED, "S1", subject=suggestion_a)
    client.force_login(administrator)
    with django_assert_max_num_queries(11):
        client.get(reverse("audit_log"))
