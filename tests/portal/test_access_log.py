import pytest
from django.urls import reverse

from portal.models import AccessLog

pytestmark = pytest.mark.django_db


def test_the_administrator_reads_who_viewed_whose_record(client, staff_a, administrator, worker_a):
    client.force_login(staff_a)
    client.get(reverse("registry:worker_detail", args=[worker_a.id]))
    client.get(reverse("registry:workers_export"))
    client.force_login(administrator)
    response = client.get(reverse("access_log"))
    assert response.status_code == 200
    assert "查看完整信息" in response.text and "导出" in response.text
    assert "张敏" in response.text and "张三" in response.text
    assert "13800000001" not in response.text


def test_the_access_log_filters_by_staff_username(client, staff_a, staff_b, administrator):
    AccessLog.record(staff_a, AccessLog.Action.EXPORTED, "从业人员名册", rows=3)
    AccessLog.record(staff_b, AccessLog.Action.EXPORTED, "党员名册", rows=1)
    client.force_login(administrator)
    response = client.get(reverse("access_log"), {"user": "bob"})
    assert [entry.user for entry in response.context["page"].object_list] == [staff_b]


def test_the_access_log_page_costs_the_same_queries_for_many_entries(
    client, staff_a, administrator, worker_a, django_assert_max_num_queries
):
    for _ in range(30):
        AccessLog.record(staff_a, AccessLog.Action.VIEWED, "张三", subject=worker_a)
    client.force_login(administrator)
    with django_assert_max_num_queries(9):
        client.get(reverse("access_log"))
