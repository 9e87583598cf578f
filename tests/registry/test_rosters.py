from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from registry.models import CheckIn, WorkerStatus
from tests.factories import WorkerFactory, WorkerRoleFactory

pytestmark = pytest.mark.django_db


def names(response):
    return [worker.name for worker in response.context["page"].object_list]


def test_the_roster_lists_workers_in_scope_with_masked_mobiles(client, staff_a, worker_a, worker_c):
    WorkerFactory(name="王五", area=staff_a.area.parent.children.exclude(pk=staff_a.area_id)[0])
    client.force_login(staff_a)
    response = client.get(reverse("registry:workers"))
    assert names(response) == ["张三"]
    assert "138****0001" in response.text
    assert "13800000001" not in response.text


def test_a_district_official_sees_every_community_of_the_district(client, tree, official):
    WorkerFactory(name="张三", area=tree.community_a)
    WorkerFactory(name="王五", area=tree.community_b)
    WorkerFactory(name="李四", area=tree.community_c)
    client.force_login(official)
    assert sorted(names(client.get(reverse("registry:workers")))) == ["张三", "王五"]


@pytest.mark.parametrize("query", ["zhangsan", "ZhangSan", "zs", "zhang", "张", "张三", "0001"])
def test_search_finds_zhang_san_by_name_pinyin_initials_or_mobile_tail(
    client, tree, staff_a, query
):
    WorkerFactory(name="张三", mobile="13800000001", area=tree.community_a)
    WorkerFactory(name="李四", mobile="13800000002", area=tree.community_a)
    client.force_login(staff_a)
    assert names(client.get(reverse("registry:workers"), {"q": query})) == ["张三"]


def test_filters_narrow_the_roster(client, tree, staff_a):
    courier = WorkerFactory(name="张三", occupation="courier", platform="sf", area=tree.community_a)
    WorkerFactory(name="李四", area=tree.community_a)
    WorkerRoleFactory(worker=courier, role="grid_member")
    client.force_login(staff_a)
    url = reverse("registry:workers")
    assert names(client.get(url, {"occupation": "courier"})) == ["张三"]
    assert names(client.get(url, {"platform": "meituan"})) == ["李四"]
    assert names(client.get(url, {"role": "grid_member"})) == ["张三"]
    assert names(client.get(url, {"role": "volunteer"})) == []
    assert names(client.get(url, {"area": tree.community_a.id})) == ["李四", "张三"]


def test_the_registration_date_filter_takes_whole_local_days(client, tree, staff_a):
    old = WorkerFactory(name="张三", area=tree.community_a)
    old.created_at = timezone.now() - timedelta(days=10)
    old.save()
    WorkerFactory(name="李四", area=tree.community_a)
    client.force_login(staff_a)
    url = reverse("registry:workers")
    today = timezone.localdate().isoformat()
    assert names(client.get(url, {"registered_after": today})) == ["李四"]
    assert names(client.get(url, {"registered_before": today})) == ["李四", "张三"]
    before = (timezone.localdate() - timedelta(days=5)).isoformat()
    assert names(client.get(url, {"registered_before": before})) == ["张三"]


def test_workers_who_left_leave_the_roster_unless_asked_for(client, tree, staff_a):
    WorkerFactory(name="张三", area=tree.community_a, status=WorkerStatus.LEFT)
    WorkerFactory(name="李四", area=tree.community_a)
    client.force_login(staff_a)
    url = reverse("registry:workers")
    assert names(client.get(url)) == ["李四"]
    assert names(client.get(url, {"status": "left"})) == ["张三"]


def test_nonsense_filter_values_give_a_message_not_an_error(client, tree, staff_a, worker_a):
    client.force_login(staff_a)
    response = client.get(
        reverse("registry:workers"),
        {"occupation": "astronaut", "registered_after": "yesterday", "area": "x", "page": "abc"},
    )
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.text
    assert "输入一个有效的日期" in response.text


def test_an_area_outside_the_scope_says_so_instead_of_showing_the_users_own_rows(
    client, tree, staff_a, worker_a, worker_c
):
    client.force_login(staff_a)
    for area in (tree.community_c, tree.community_b):
        response = client.get(reverse("registry:workers"), {"area": area.id})
        assert names(response) == []  # not 张三 of the user's own community either
        assert "未显示任何记录：有筛选条件无法使用。" in response.text
        assert "区域: 该区域不在你的辖区内。" in response.text


@pytest.mark.parametrize(
    "query",
    ["13800000001", "138 0000 0001", "+86 138-0000-0001", "１３８０００００００１", "０００１"],
)
def test_search_finds_a_worker_by_the_full_mobile_typed_any_way(client, tree, staff_a, query):
    WorkerFactory(name="张三", mobile="13800000001", area=tree.community_a)
    WorkerFactory(name="李四", mobile="13800000002", area=tree.community_a)
    client.force_login(staff_a)
    assert names(client.get(reverse("registry:workers"), {"q": query})) == ["张三"]


def test_the_search_box_shows_without_opening_the_filters_and_says_what_it_takes(client, staff_a):
    client.force_login(staff_a)
    page = client.get(reverse("registry:workers")).text
    box = page.index('name="q"')
    assert box < page.index("<details")
    assert 'placeholder="姓名、拼音（zhangsan 或 zs）、手机号或其后 4 位"' in page
    assert "<details open" not in page
    searched = {"q": "张三", "area": "", "occupation": "", "status": ""}  # as the form sends it
    assert "<details open" not in client.get(reverse("registry:workers"), searched).text
    assert "<details open" in client.get(reverse("registry:workers"), {"status": "left"}).text


def test_the_party_roster_shows_where_and_when_each_member_last_reported(client, tree, staff_a):
    member = WorkerFactory(
        name="张三",
        area=tree.community_a,
        political_status="party_member",
        party_branch="建设路社区新业态党支部",
        sensitive_consented_at=timezone.now(),
    )
    WorkerFactory(name="李四", area=tree.community_a)
    CheckIn.objects.create(
        worker=member, area=tree.community_a, as_party_member=True, channel="self"
    )
    client.force_login(staff_a)
    response = client.get(reverse("registry:party_members"))
    assert names(response) == ["张三"]
    assert "建设路社区 · " + timezone.localdate().isoformat() in response.text


def test_the_mobile_party_roster_lists_mobile_party_members_only(client, tree, staff_a):
    consent = {"sensitive_consented_at": timezone.now(), "political_status": "party_member"}
    WorkerFactory(name="张三", area=tree.community_a, is_mobile_party_member=True, **consent)
    WorkerFactory(name="李四", area=tree.community_a, **consent)
    client.force_login(staff_a)
    assert names(client.get(reverse("registry:mobile_party_members"))) == ["张三"]


@pytest.mark.parametrize(
    "url_name", ["registry:workers", "registry:party_members", "registry:mobile_party_members"]
)
def test_a_roster_page_costs_the_same_queries_for_5_or_50_workers(
    client, tree, staff_a, django_assert_max_num_queries, url_name
):
    def add(count):
        for worker in WorkerFactory.create_batch(
            count,
            area=tree.community_a,
            political_status="party_member",
            is_mobile_party_member=True,
            sensitive_consented_at=timezone.now(),
        ):
            WorkerRoleFactory(worker=worker, role="volunteer")
            CheckIn.objects.create(worker=worker, area=tree.community_a, channel="self")

    client.force_login(staff_a)
    add(5)
    with django_assert_max_num_queries(12):
        client.get(reverse(url_name))
    add(45)
    with django_assert_max_num_queries(12):
        response = client.get(reverse(url_name))
    assert len(response.context["page"].object_list) == 50


def test_the_area_filter_offers_districts_and_streets_to_officials_and_communities_to_streets(
    client, tree, official
):
    def offered(response):
        field = response.context["filters"].form.fields["area"]
        return {label for value, label in field.widget.choices if value}

    client.force_login(official)
    assert offered(client.get(reverse("registry:workers"))) == {
        tree.district.name,
        tree.street.name,
    }
    # A community is not offered to the official, but one named in a link is within scope.
    WorkerFactory(name="张三", area=tree.community_a)
    WorkerFactory(name="王五", area=tree.community_b)
    response = client.get(reverse("registry:workers"), {"area": tree.community_a.id})
    assert names(response) == ["张三"]
    from tests.factories import UserFactory

    street_staff = UserFactory(area=tree.street)
    client.force_login(street_staff)
    assert offered(client.get(reverse("registry:workers"))) == {
        tree.street.name,
        tree.community_a.name,
        tree.community_b.name,
    }
