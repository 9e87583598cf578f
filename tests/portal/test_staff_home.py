import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_home_says_who_you_are_and_your_area(client, tree, staff_a):
    client.force_login(staff_a)
    response = client.get(reverse("staff_home"))
    assert response.status_code == 200
    text = response.text
    assert "张敏" in text
    assert "社区工作者" in text
    for name in ("商丘市", "梁园区", "平原街道", "建设路社区"):
        assert name in text
    assert "411402001001" in text


def test_home_counts_the_areas_in_scope_by_level(client, tree, official):
    client.force_login(official)
    response = client.get(reverse("staff_home"))
    assert response.context["area_counts"] == [("区/县", 1), ("街道/乡镇", 1), ("社区", 2)]


def test_login_is_required(client):
    response = client.get(reverse("staff_home"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={reverse('staff_home')}"


def test_navigation_offers_areas_to_community_staff_but_not_to_department_handlers(
    client, tree, staff_a, handler
):
    client.force_login(staff_a)
    assert reverse("my_area") in client.get(reverse("staff_home")).text
    client.force_login(handler)
    response = client.get(reverse("staff_home"))
    assert response.status_code == 200
    assert reverse("my_area") not in response.text


def test_only_administrators_see_the_administration_link(client, tree, staff_a, administrator):
    client.force_login(staff_a)
    assert reverse("admin:index") not in client.get(reverse("staff_home")).text
    client.force_login(administrator)
    assert reverse("admin:index") in client.get(reverse("staff_home")).text


# Its queries per role, with the workbench's counts: tests/portal/test_workbench.py.
