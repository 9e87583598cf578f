"""诉求清单: the staff list of suggestions and the task list exported to Excel with the filters and
scope of the page, formula-escaped, and written to the access log (as the roster export)."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from feedback import services
from feedback.models import IssueType, Task
from portal.models import AuditLog, ExportJob
from tests.exports import rows_of
from tests.factories import DepartmentFactory, SuggestionFactory, TaskFactory

pytestmark = pytest.mark.django_db


def column(rows, heading):
    index = rows[0].index(heading)
    return [row[index] for row in rows[1:]]


@pytest.fixture
def filed(tree, staff_a, department_x):
    """A hazard of community A with its type, a task and a full mobile; a need of A; one of B."""
    manhole = IssueType.objects.get(code="hazard-manhole")
    hazard = services.submit(
        {"category": "hazard", "issue_type": manhole, "text": "井盖缺失"}
        | {"name": "王五", "mobile": "13912345678"},
        channel="phone",
        area=tree.community_a,
        by=staff_a,
    )
    services.accept(hazard, version=None, by=staff_a)
    services.add_task(
        hazard,
        department_x,
        instructions="设置警示并补装",
        due_on=timezone.localdate() + timedelta(days=3),
        by=staff_a,
    )
    need = SuggestionFactory(area=tree.community_a, category="need", text="=HYPERLINK(1)")
    other = SuggestionFactory(area=tree.community_b, category="hazard")
    return hazard, need, other


def test_the_suggestion_export_follows_the_filters_and_scope_and_is_logged(client, staff_a, filed):
    hazard, need, _other = filed
    client.force_login(staff_a)
    rows = rows_of(client.get(reverse("feedback:suggestions_export"), {"category": "hazard"}))
    assert rows[0][:5] == ["查询码", "提交时间", "类别", "问题类型", "反映内容"]
    assert column(rows, "查询码") == [hazard.tracking_code]  # B's hazard is not in scope
    assert column(rows, "问题类型") == ["井盖破损"]
    assert column(rows, "状态") == ["已受理，办理中"]
    assert column(rows, "部门") == ["梁园区市场监管局"]
    # the mobile in full, as the roster export has it: the export is in the access log
    assert column(rows, "手机号") == ["13912345678"]
    entry = AuditLog.objects.get(action=AuditLog.Action.EXPORTED)
    assert (entry.user, entry.rows) == (staff_a, 1)
    assert (
        entry.description.startswith("诉求清单 (范围: 建设路社区")
        and "随手拍/隐患" in entry.description
    )


def test_text_that_excel_would_run_arrives_as_text(client, staff_a, filed):
    client.force_login(staff_a)
    response = client.get(reverse("feedback:suggestions_export"), {"category": "need"})
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    text = sheet["E2"]
    assert (text.value, text.data_type, text.quotePrefix) == ("=HYPERLINK(1)", "s", True)


def test_an_export_with_a_filter_that_cannot_apply_makes_no_file(client, tree, staff_a, filed):
    client.force_login(staff_a)
    response = client.get(
        reverse("feedback:suggestions_export"), {"area": tree.community_c.pk}, follow=True
    )
    assert response.redirect_chain[0][0] == (
        f"{reverse('feedback:suggestions')}?area={tree.community_c.pk}"
    )
    assert "该区域不在你的辖区内。" in response.text
    assert not AuditLog.objects.filter(action=AuditLog.Action.EXPORTED).exists()


@pytest.mark.parametrize("rows", [5, 50])
def test_the_suggestion_export_reads_the_same_few_queries_for_5_or_50_rows(
    client, tree, staff_a, department_x, django_assert_max_num_queries, rows
):
    for suggestion in SuggestionFactory.create_batch(rows, area=tree.community_a, state="accepted"):
        TaskFactory(suggestion=suggestion, department=department_x)
    client.force_login(staff_a)
    # session, user, its area, area choices, count, audit row, rows, their tasks
    with django_assert_max_num_queries(10):
        response = client.get(reverse("feedback:suggestions_export"))
    assert len(rows_of(response)) == rows + 1


def test_the_task_export_follows_the_state_and_department_and_is_logged(
    client, tree, staff_a, department_x, department_y, filed
):
    hazard = filed[0]
    late = TaskFactory(
        suggestion__area=tree.community_a,
        department=department_y,
        due_on=timezone.localdate() - timedelta(days=2),
    )
    TaskFactory(suggestion__area=tree.community_c, department=department_y)  # not in scope
    client.force_login(staff_a)
    everything = rows_of(client.get(reverse("feedback:tasks_export")))
    assert everything[0][:3] == ["部门", "查询码", "类别"]
    assert column(everything, "查询码") == [late.suggestion.tracking_code, hazard.tracking_code]
    assert column(everything, "超期") == ["是", "否"]
    assert column(everything, "问题类型") == [None, "井盖破损"]
    overdue = rows_of(client.get(reverse("feedback:tasks_export"), {"state": "overdue"}))
    assert column(overdue, "部门") == ["梁园区交警大队"]
    of_x = rows_of(client.get(reverse("feedback:tasks_export"), {"department": department_x.pk}))
    assert column(of_x, "部门") == ["梁园区市场监管局"]
    entries = AuditLog.objects.filter(action=AuditLog.Action.EXPORTED).order_by("id")
    assert [entry.rows for entry in entries] == [2, 1, 1]
    assert entries[1].description == "部门任务 (范围: 建设路社区; 状态: 超期)"
    assert entries[2].description == (
        "部门任务 (范围: 建设路社区; 状态: 办理中; 部门: 梁园区市场监管局)"
    )


def test_a_handler_exports_their_departments_tasks_only(
    client, tree, handler, department_x, department_y, filed
):
    TaskFactory(suggestion__area=tree.community_a, department=department_y)
    done = TaskFactory(suggestion__area=tree.community_a, department=department_x)
    services.complete_task(done, result="已补装井盖", by=handler)
    client.force_login(handler)
    rows = rows_of(client.get(reverse("feedback:tasks_export"), {"state": "done"}))
    assert column(rows, "办理结果") == ["已补装井盖"]
    assert column(rows, "状态") == [Task.State.DONE.label]
    entry = AuditLog.objects.get(action=AuditLog.Action.EXPORTED)
    assert entry.description == "部门任务 (所属部门: 梁园区市场监管局; 状态: 已完成)"


def test_a_task_export_for_a_department_not_among_the_users_makes_no_file(
    client, tree, staff_b, filed
):
    other = DepartmentFactory(name="别处部门", area=tree.other_district)
    client.force_login(staff_b)
    response = client.get(reverse("feedback:tasks_export"), {"department": other.pk})
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('feedback:tasks')}?department={other.pk}"
    assert not AuditLog.objects.filter(action=AuditLog.Action.EXPORTED).exists()


@pytest.mark.parametrize("rows", [5, 50])
def test_the_task_export_reads_the_same_few_queries_for_5_or_50_rows(
    client, tree, staff_a, department_x, django_assert_max_num_queries, rows
):
    TaskFactory.create_batch(rows, suggestion__area=tree.community_a, department=department_x)
    client.force_login(staff_a)
    # session, user, area, department choices, count, audit row, rows, escalations (2)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("feedback:tasks_export"))
    assert len(rows_of(response)) == rows + 1


def test_a_suggestion_list_up_to_the_limit_is_still_sent_at_once(client, staff_a, filed, settings):
    settings.EXPORT_BACKGROUND_ROWS = 2  # community A's two; B's is not staff_a's
    client.force_login(staff_a)
    rows = rows_of(client.get(reverse("feedback:suggestions_export")))
    assert len(rows) == 3
    entry = AuditLog.objects.get(action=AuditLog.Action.EXPORTED)
    assert entry.rows == 2
    assert not ExportJob.objects.exists()


def test_a_longer_suggestion_list_is_written_in_the_background_within_the_scope(
    client, staff_a, filed, in_background
):
    hazard, need, _other = filed
    client.force_login(staff_a)
    job, rows = in_background(client, "feedback:suggestions_export")
    assert job.kind == "feedback.suggestions"
    assert sorted(column(rows, "查询码")) == sorted([hazard.tracking_code, need.tracking_code])
    assert column(rows, "手机号")[column(rows, "查询码").index(hazard.tracking_code)] == (
        "13912345678"
    )
    requested = AuditLog.objects.get(action=AuditLog.Action.EXPORTED)
    assert (requested.rows, requested.subject) == (2, job)
    assert requested.description.startswith("诉求清单 (范围: 建设路社区")


def test_a_task_list_up_to_the_limit_is_still_sent_at_once(
    client, tree, staff_a, department_x, settings
):
    settings.EXPORT_BACKGROUND_ROWS = 1
    TaskFactory(suggestion__area=tree.community_a, department=department_x)
    TaskFactory(suggestion__area=tree.community_c, department=department_x)  # not staff_a's
    client.force_login(staff_a)
    assert len(rows_of(client.get(reverse("feedback:tasks_export")))) == 2
    assert AuditLog.objects.get(action=AuditLog.Action.EXPORTED).rows == 1
    assert not ExportJob.objects.exists()


def test_a_longer_task_list_is_written_in_the_background_within_the_scope(
    client, tree, staff_a, department_x, department_y, in_background
):
    mine = [
        TaskFactory(suggestion__area=tree.community_a, department=department)
        for department in (department_x, department_y)
    ]
    TaskFactory(suggestion__area=tree.community_c, department=department_x)  # not staff_a's
    client.force_login(staff_a)
    job, rows = in_background(client, "feedback:tasks_export", state="open")
    assert job.kind == "feedback.tasks"
    assert sorted(column(rows, "查询码")) == sorted(task.suggestion.tracking_code for task in mine)
    requested = AuditLog.objects.get(action=AuditLog.Action.EXPORTED)
    assert (requested.rows, requested.description) == (
        2,
        "部门任务 (范围: 建设路社区; 状态: 办理中)",
    )
