from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from portal.models import AuditLog
from portal.xlsx import safe_cell
from registry.models import CheckIn
from tests.factories import EnterpriseFactory, WorkerFactory

pytestmark = pytest.mark.django_db


def rows_of(response):
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_the_export_follows_the_filters_and_the_scope_and_is_logged(client, tree, staff_a):
    WorkerFactory(name="张三", mobile="13800000001", area=tree.community_a, occupation="courier")
    WorkerFactory(name="李四", area=tree.community_a)
    WorkerFactory(name="王五", area=tree.community_b, occupation="courier")
    client.force_login(staff_a)
    response = client.get(reverse("registry:workers_export"), {"occupation": "courier"})
    rows = rows_of(response)
    assert rows[0][:3] == ["姓名", "手机号", "职业"]
    assert [row[:3] for row in rows[1:]] == [["张三", "13800000001", "快递员"]]
    entry = AuditLog.objects.get()
    assert (entry.user, entry.action, entry.rows) == (staff_a, "exported", 1)
    assert "快递员" in entry.description


def test_cells_that_excel_would_run_as_formulas_arrive_as_text(client, tree, staff_a):
    WorkerFactory(name="=HYPERLINK(1)", area=tree.community_a, platform="other",
                  platform_other="@SUM(A1)")  # fmt: skip
    client.force_login(staff_a)
    row = rows_of(client.get(reverse("registry:workers_export")))[1]
    assert row[0] == "'=HYPERLINK(1)"
    assert row[3] == "'@SUM(A1)"


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@A1", "\t=1"])
def test_safe_cell_defuses_every_formula_start(value):
    assert safe_cell(value) == "'" + value


def test_safe_cell_leaves_ordinary_values_alone():
    assert [safe_cell(v) for v in ["张三", 42, None, "a=b"]] == ["张三", 42, None, "a=b"]


def test_the_party_export_says_where_each_member_last_reported(client, tree, staff_a):
    member = WorkerFactory(
        name="张三",
        area=tree.community_a,
        political_status="party_member",
        sensitive_consented_at=timezone.now(),
    )
    CheckIn.objects.create(
        worker=member, area=tree.community_a, as_party_member=True, channel="self"
    )
    client.force_login(staff_a)
    rows = rows_of(client.get(reverse("registry:party_members_export")))
    assert rows[1][0] == "张三"
    assert rows[1][-2] == "建设路社区"


def test_staff_cannot_export_another_communitys_workers(client, tree, staff_b, worker_a):
    client.force_login(staff_b)
    assert rows_of(client.get(reverse("registry:workers_export")))[1:] == []


def test_the_enterprise_ledger_exports_with_its_filters(client, tree, staff_a):
    EnterpriseFactory(name="美团建设路站", area=tree.community_a, party_organisation="own_branch")
    EnterpriseFactory(name="顺丰平原路网点", area=tree.community_b)
    client.force_login(staff_a)
    rows = rows_of(client.get(reverse("registry:enterprises_export")))
    assert [row[0] for row in rows[1:]] == ["美团建设路站"]
    assert AuditLog.objects.get().rows == 1
