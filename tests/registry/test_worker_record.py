import pytest
from django.urls import reverse
from django.utils import timezone

from portal.models import AuditLog
from registry.models import Channel, Worker, WorkerEvent, WorkerRole, WorkerStatus
from tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db

NEW_WORKER = {
    "name": "王小明",
    "mobile": "139 0370 8888",
    "occupation": "courier",
    "platform": "sf",
    "political_status": "masses",
    "roles": ["grid_member", "volunteer"],
    "consent": "on",
}


def test_the_full_record_shows_the_mobile_and_id_and_logs_the_view(client, staff_a, tree):
    worker = WorkerFactory(
        area=tree.community_a,
        mobile="13800000001",
        id_number="11010519491231002X",
        sensitive_consented_at=timezone.now(),
    )
    client.force_login(staff_a)
    response = client.get(reverse("registry:worker_detail", args=[worker.id]))
    assert "13800000001" in response.text
    assert "11010519491231002X" in response.text
    entry = AuditLog.objects.data_use().get()
    assert (entry.user, entry.action, entry.subject) == (staff_a, "viewed", worker)


def test_a_record_out_of_scope_is_not_found_and_not_logged(client, staff_b, worker_a):
    client.force_login(staff_b)
    assert client.get(reverse("registry:worker_detail", args=[worker_a.id])).status_code == 404
    assert not AuditLog.objects.data_use().exists()


def test_staff_add_a_worker_by_hand_as_a_confirmed_desk_check_in(client, staff_a, tree):
    client.force_login(staff_a)
    response = client.post(
        reverse("registry:worker_add"), {**NEW_WORKER, "area": tree.community_a.id}, follow=True
    )
    worker = Worker.objects.get(mobile="13903708888")
    assert "已将 王小明 加入名册。" in response.text
    assert worker.status == WorkerStatus.CONFIRMED and worker.confirmed_by == staff_a
    assert sorted(worker.roles.values_list("role", flat=True)) == ["grid_member", "volunteer"]
    check_in = worker.check_ins.get()
    assert (check_in.channel, check_in.recorded_by) == (Channel.STAFF, staff_a)
    event = worker.events.get()
    assert (event.kind, event.actor) == (WorkerEvent.Kind.REGISTERED, staff_a)


def test_adding_a_known_mobile_says_so_and_changes_nothing(client, staff_a, tree, worker_c):
    client.force_login(staff_a)
    response = client.post(
        reverse("registry:worker_add"),
        {**NEW_WORKER, "mobile": worker_c.mobile, "area": tree.community_a.id},
    )
    assert "这个手机号已经登记过" in response.text
    assert "李四" not in response.text  # nothing about the other district's worker leaks
    assert Worker.objects.count() == 1


def test_staff_cannot_add_a_worker_to_a_community_outside_their_scope(client, staff_a, tree):
    client.force_login(staff_a)
    response = client.post(
        reverse("registry:worker_add"), {**NEW_WORKER, "area": tree.community_b.id}
    )
    assert response.status_code == 200
    assert not Worker.objects.exists()


def test_staff_cannot_add_a_worker_without_recorded_consent(client, staff_a, tree):
    client.force_login(staff_a)
    data = {**NEW_WORKER, "area": tree.community_a.id}
    del data["consent"]
    client.post(reverse("registry:worker_add"), data)
    assert not Worker.objects.exists()


def test_every_edit_shows_on_the_record_with_who_and_what_changed(client, staff_a, worker_a, tree):
    client.force_login(staff_a)
    response = client.post(
        reverse("registry:worker_edit", args=[worker_a.id]),
        {
            "name": "张三丰",
            "mobile": worker_a.mobile,
            "occupation": "courier",
            "platform": "meituan",
            "area": tree.community_a.id,
            "political_status": "masses",
            "roles": ["volunteer"],
        },
        follow=True,
    )
    assert "已保存修改。" in response.text
    event = worker_a.events.get(kind=WorkerEvent.Kind.UPDATED)
    assert event.actor == staff_a
    assert event.changes["name"] == ["张三", "张三丰"]
    assert event.changes["roles"] == [[], ["volunteer"]]
    # On the page: labels and words, not field names and codes.
    assert "外卖骑手</del> → 快递员" in response.text
    assert "张敏" in response.text
    assert WorkerRole.objects.filter(worker=worker_a, role="volunteer").exists()


def test_the_history_says_an_id_number_changed_but_never_shows_it(client, staff_a, worker_a, tree):
    client.force_login(staff_a)
    client.post(
        reverse("registry:worker_edit", args=[worker_a.id]),
        {
            "name": "张三",
            "mobile": worker_a.mobile,
            "occupation": "food_delivery",
            "platform": "meituan",
            "area": tree.community_a.id,
            "political_status": "masses",
            "id_number": "11010519491231002X",
            "sensitive_consent": "on",
        },
    )
    event = worker_a.events.get(kind=WorkerEvent.Kind.UPDATED)
    assert event.changes == {"id_number": ["***", "***"]}


def test_editing_to_another_workers_mobile_is_refused(client, staff_a, worker_a, tree):
    other = WorkerFactory(area=tree.community_a, mobile="13800000009")
    client.force_login(staff_a)
    response = client.post(
        reverse("registry:worker_edit", args=[worker_a.id]),
        {
            "name": "张三",
            "mobile": other.mobile,
            "occupation": "food_delivery",
            "platform": "meituan",
            "area": tree.community_a.id,
            "political_status": "masses",
        },
    )
    assert "这个手机号已经登记过" in response.text
    worker_a.refresh_from_db()
    assert worker_a.mobile == "13800000001"
