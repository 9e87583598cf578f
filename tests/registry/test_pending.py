import pytest
from django.urls import reverse

from registry.models import WorkerEvent, WorkerStatus
from tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db


def test_the_queue_lists_pending_registrations_in_scope_with_masked_mobiles(
    client, tree, staff_a, worker_a, worker_c
):
    WorkerFactory(name="王五", area=tree.community_b)
    client.force_login(staff_a)
    response = client.get(reverse("registry:pending"))
    assert response.status_code == 200
    assert "张三" in response.text
    assert "138****0001" in response.text
    assert "13800000001" not in response.text
    assert "李四" not in response.text  # another district
    assert "王五" not in response.text  # the sibling community


def test_the_navigation_counts_what_waits_in_the_users_scope(client, tree, staff_a, worker_a):
    WorkerFactory.create_batch(2, area=tree.community_a)
    WorkerFactory(area=tree.community_b)
    client.force_login(staff_a)
    response = client.get(reverse("staff_home"))
    badges = {item.url_name: badge for item, badge in response.context["nav_items"]}
    assert badges["registry:pending"] == 3


def test_confirming_a_registration_takes_it_off_the_queue_and_records_who(
    client, tree, staff_a, worker_a
):
    client.force_login(staff_a)
    response = client.post(reverse("registry:confirm", args=[worker_a.id]), follow=True)
    assert "已确认 张三 的登记。" in response.text
    worker_a.refresh_from_db()
    assert worker_a.status == WorkerStatus.CONFIRMED
    assert worker_a.confirmed_by == staff_a
    event = worker_a.events.get(kind=WorkerEvent.Kind.CONFIRMED)
    assert event.actor == staff_a
    assert list(response.context["page"].object_list) == []


def test_confirming_twice_says_so_and_changes_nothing(client, tree, staff_a, worker_a):
    client.force_login(staff_a)
    client.post(reverse("registry:confirm", args=[worker_a.id]))
    response = client.post(reverse("registry:confirm", args=[worker_a.id]), follow=True)
    assert "这份登记已不在等待确认。" in response.text
    assert worker_a.events.filter(kind=WorkerEvent.Kind.CONFIRMED).count() == 1


def test_staff_cannot_confirm_a_registration_outside_their_community(
    client, tree, staff_b, worker_a
):
    client.force_login(staff_b)
    response = client.post(reverse("registry:confirm", args=[worker_a.id]))
    assert response.status_code == 404
    worker_a.refresh_from_db()
    assert worker_a.status == WorkerStatus.PENDING


def test_the_queue_uses_the_same_number_of_queries_for_5_or_60_rows(
    client, tree, administrator, django_assert_max_num_queries
):
    client.force_login(administrator)
    WorkerFactory.create_batch(5, area=tree.community_a)
    with django_assert_max_num_queries(9) as few:
        client.get(reverse("registry:pending"))
    WorkerFactory.create_batch(55, area=tree.community_c)
    with django_assert_max_num_queries(9) as many:
        response = client.get(reverse("registry:pending"))
    assert len(few.captured_queries) == len(many.captured_queries)
    assert len(response.context["page"].object_list) == 50
