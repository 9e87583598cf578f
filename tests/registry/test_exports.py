from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from portal.models import AuditLog, ExportJob
from portal.xlsx import safe_cell
from registry.models import CheckIn
from tests.exports import rows_of
from tests.factories import EnterpriseFactory, WorkerFactory

pytestmark = pytest.mark.django_db


def test_the_export_follows_the_filters_and_the_scope_and_is_logged(client, tree, staff_a):
    WorkerFactory(name="张三", mobile="13800000001", area=tree.community_a, occupation="courier")
    WorkerFactory(name="李四", area=tree.community_a)
    WorkerFactory(name="王五", area=tree.community_b, occupation="courier")
    client.force_login(staff_a)
    response = client.get(reverse("registry:workers_export"), {"occupation": "courier"})
    rows = rows_of(response)
    assert rows[0][:3] == ["姓名", "手机号", "职业"]
    assert [row[:3] for row in rows[1:]] == [["张三", "13800000001", "快递员"]]
    entry = AuditLog.objects.data_use().get()
    assert (entry.user, entry.action, entry.rows) == (staff_a, "exported", 1)
    assert "快递员" in entry.description


def test_cells_that_excel_would_run_as_formulas_arrive_as_the_text_they_are(client, tree, staff_a):
    """Excel's own quote-prefix style: the cell shows `=1+2`, not 3 and not `'=1+2`."""
    WorkerFactory(name="=1+2", area=tree.community_a, platform="other",
                  platform_other="+86 138 0000 0001")  # fmt: skip
    client.force_login(staff_a)
    response = client.get(reverse("registry:workers_export"))
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    name, platform = sheet["A2"], sheet["D2"]
    assert (name.value, name.data_type, name.quotePrefix) == ("=1+2", "s", True)
    assert (platform.value, platform.data_type, platform.quotePrefix) == (
        "+86 138 0000 0001",
        "s",
        True,
    )
    assert not sheet["E2"].quotePrefix  # ordinary text keeps the ordinary style


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@A1", "\t=1"])
def test_safe_cell_keeps_every_formula_start_as_text_without_an_apostrophe(value):
    sheet = Workbook(write_only=True).create_sheet()
    cell = safe_cell(value, sheet)
    assert (cell.value, cell.data_type, cell.quotePrefix) == (value, "s", True)


def test_safe_cell_leaves_ordinary_values_alone():
    assert [safe_cell(v) for v in ["张三", 42, None, "a=b"]] == ["张三", 42, None, "a=b"]


def test_an_export_asked_for_an_area_outside_the_scope_makes_no_file_and_says_why(
    client, tree, staff_a, worker_a
):
    client.force_login(staff_a)
    for url_name, list_name in [
        ("registry:workers_export", "registry:workers"),
        ("registry:enterprises_export", "registry:enterprises"),
    ]:
        response = client.get(reverse(url_name), {"area": tree.community_c.id}, follow=True)
        assert response.redirect_chain[0][0] == (f"{reverse(list_name)}?area={tree.community_c.id}")
        assert "该区域不在你的辖区内。" in response.text
    assert not AuditLog.objects.data_use().exists()


def test_the_access_log_records_the_filters_applied_with_the_scope_and_defaults(
    client, tree, staff_a, worker_a
):
    client.force_login(staff_a)
    client.get(reverse("registry:workers_export"), {"q": "张", "area": tree.community_a.id})
    entry = AuditLog.objects.data_use().get()
    assert entry.description == (
        "从业人员名册 (范围: 建设路社区; 搜索: 张; 区域: 建设路社区; 状态: 在册（未离开）)"
    )


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
    assert AuditLog.objects.data_use().get().rows == 1


def test_an_enterprise_ledger_up_to_the_limit_is_still_sent_at_once(
    client, tree, staff_a, settings
):
    settings.EXPORT_BACKGROUND_ROWS = 1
    EnterpriseFactory(name="美团建设路站", area=tree.community_a)
    EnterpriseFactory(name="顺丰平原路网点", area=tree.community_b)  # not staff_a's: not counted
    client.force_login(staff_a)
    rows = rows_of(client.get(reverse("registry:enterprises_export")))
    assert [row[0] for row in rows[1:]] == ["美团建设路站"]
    entry = AuditLog.objects.data_use().get()
    assert (entry.action, entry.rows) == (AuditLog.Action.EXPORTED, 1)
    assert not ExportJob.objects.exists()


def test_a_longer_enterprise_ledger_is_written_in_the_background_within_the_scope(
    client, tree, staff_a, in_background
):
    EnterpriseFactory(name="美团建设路站", area=tree.community_a)
    EnterpriseFactory(name="饿了么建设路站", area=tree.community_a)
    EnterpriseFactory(name="顺丰平原路网点", area=tree.community_b)
    client.force_login(staff_a)
    job, rows = in_background(client, "registry:enterprises_export")
    assert job.kind == "registry.enterprises"
    assert sorted(row[0] for row in rows[1:]) == ["美团建设路站", "饿了么建设路站"]
    requested, downloaded = AuditLog.objects.data_use().order_by("id")
    assert (requested.action, requested.rows) == (AuditLog.Action.EXPORTED, 2)
    assert requested.description == "企业台账 (范围: 建设路社区)"
    assert (downloaded.action, downloaded.description) == ("downloaded", requested.description)
