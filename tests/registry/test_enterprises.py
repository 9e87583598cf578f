import pytest
from django.urls import reverse

from registry.models import Enterprise
from tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db


def names(response):
    return [enterprise.name for enterprise in response.context["page"].object_list]


def test_the_ledger_lists_enterprises_in_scope_and_finds_them_by_pinyin(client, tree, staff_a):
    EnterpriseFactory(name="美团建设路站", area=tree.community_a)
    EnterpriseFactory(name="顺丰建设路网点", area=tree.community_a, platform="sf")
    EnterpriseFactory(name="美团文化路站", area=tree.community_c)
    client.force_login(staff_a)
    url = reverse("registry:enterprises")
    assert names(client.get(url)) == ["美团建设路站", "顺丰建设路网点"]
    assert names(client.get(url, {"q": "mt"})) == ["美团建设路站"]
    assert names(client.get(url, {"q": "shunfeng"})) == ["顺丰建设路网点"]
    assert names(client.get(url, {"platform": "sf"})) == ["顺丰建设路网点"]


def test_staff_add_a_branch_under_its_platform_company(client, tree, staff_a):
    platform = EnterpriseFactory(name="美团", kind="platform", area=tree.community_a)
    client.force_login(staff_a)
    response = client.post(
        reverse("registry:enterprise_add"),
        {
            "name": "美团建设路站",
            "kind": "branch",
            "platform": "meituan",
            "parent": platform.id,
            "area": tree.community_a.id,
            "workforce": "45",
            "party_organisation": "joint_branch",
            "party_instructor": "刘洋",
            "contact_name": "王站长",
            "contact_phone": "0370-3216789",
        },
        follow=True,
    )
    assert "已将 美团建设路站 加入台账。" in response.text
    branch = Enterprise.objects.get(name="美团建设路站")
    assert (branch.parent, branch.workforce, branch.contact_phone) == (platform, 45, "03703216789")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("contact_phone", "12345", "请输入手机号，或带区号的固定电话"),
        ("workforce", "-3", "确保该值大于或等于0"),
        ("name", " ", "这个字段是必填项"),
    ],
)
def test_bad_enterprise_input_gets_a_message_and_saves_nothing(
    client, tree, staff_a, field, value, message
):
    client.force_login(staff_a)
    data = {
        "name": "美团建设路站",
        "kind": "branch",
        "platform": "meituan",
        "area": tree.community_a.id,
        "workforce": "45",
        "party_organisation": "none",
        field: value,
    }
    response = client.post(reverse("registry:enterprise_add"), data)
    assert message in response.text
    assert not Enterprise.objects.exists()


def test_staff_of_the_sibling_community_cannot_edit_an_enterprise(client, staff_b, enterprise_a):
    client.force_login(staff_b)
    response = client.post(
        reverse("registry:enterprise_edit", args=[enterprise_a.id]), {"name": "改名"}
    )
    assert response.status_code == 404


def test_the_ledger_costs_the_same_queries_for_few_or_many_rows(
    client, tree, staff_a, django_assert_max_num_queries
):
    platform = EnterpriseFactory(kind="platform", area=tree.community_a)
    client.force_login(staff_a)
    EnterpriseFactory.create_batch(3, area=tree.community_a, parent=platform)
    # including one query per badge in the navigation (inbox, pending, care visits, suggestions)
    with django_assert_max_num_queries(11):
        client.get(reverse("registry:enterprises"))
    EnterpriseFactory.create_batch(40, area=tree.community_a, parent=platform)
    with django_assert_max_num_queries(11):
        client.get(reverse("registry:enterprises"))
