"""Every staff list with filters says when one cannot be applied, and then shows nothing: an area
outside the user's scope never quietly turns into the user's own rows."""

import pytest
from django.urls import reverse

from portal.models import AuditLog
from tests.factories import EnterpriseFactory, StationFactory, SuggestionFactory, WorkerFactory

pytestmark = pytest.mark.django_db

REFUSED = "未显示任何记录：有筛选条件无法使用。"


@pytest.fixture
def own_rows(tree):
    """One row of each list in community A, where staff_a works."""
    WorkerFactory(name="张三", area=tree.community_a)
    EnterpriseFactory(name="美团建设路站", area=tree.community_a)
    StationFactory(name="建设路暖心驿站", area=tree.community_a)
    SuggestionFactory(area=tree.community_a, text="建设路口晚上没有路灯")


@pytest.mark.parametrize(
    ("url_name", "row"),
    [
        ("registry:workers", "张三"),
        ("registry:party_members", None),
        ("registry:enterprises", "美团建设路站"),
        ("stations:list", "建设路暖心驿站"),
        ("feedback:suggestions", "建设路口晚上没有路灯"),
    ],
)
def test_a_list_asked_for_an_area_outside_the_scope_says_so_and_shows_nothing(
    client, tree, staff_a, own_rows, url_name, row
):
    client.force_login(staff_a)
    if row:
        assert row in client.get(reverse(url_name)).text
    for area in (tree.community_c, tree.community_b):  # another district; the sibling
        response = client.get(reverse(url_name), {"area": area.id})
        assert response.status_code == 200
        assert REFUSED in response.text
        assert "该区域不在你的辖区内。" in response.text
        if row:
            assert row not in response.text


def test_the_access_log_list_refuses_a_filter_it_cannot_apply(client, administrator, staff_a):
    AuditLog.record(staff_a, AuditLog.Action.VIEWED, "导出了测试清单XYZ")
    client.force_login(administrator)
    response = client.get(reverse("audit_log"), {"action": "nonsense"})
    assert REFUSED in response.text
    assert "测试清单XYZ" not in response.text
    assert "测试清单XYZ" in client.get(reverse("audit_log"), {"action": "viewed"}).text
