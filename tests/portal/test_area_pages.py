import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_my_area_shows_the_users_area_and_the_areas_under_it(client, tree, official):
    client.force_login(official)
    response = client.get(reverse("my_area"))
    assert response.status_code == 200
    assert "梁园区" in response.text
    assert "平原街道" in response.text
    assert "睢阳区" not in response.text


def test_the_trail_stops_at_the_users_own_area(client, tree, official):
    client.force_login(official)
    response = client.get(reverse("area_detail", args=[tree.community_a.code]))
    assert reverse("area_detail", args=[tree.district.code]) in response.text
    assert "商丘市" not in response.text


def test_an_administrator_without_area_starts_at_the_top_areas(client, tree, administrator):
    client.force_login(administrator)
    response = client.get(reverse("my_area"))
    assert response.status_code == 200
    assert reverse("area_detail", args=[tree.city.code]) in response.text


def test_department_handlers_may_not_browse_areas(client, tree, handler):
    client.force_login(handler)
    assert client.get(reverse("my_area")).status_code == 403
    assert client.get(reverse("area_detail", args=[tree.district.code])).status_code == 403


def test_anonymous_visitors_are_sent_to_the_login_page(client, tree):
    response = client.get(reverse("area_detail", args=[tree.district.code]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_area_page_uses_a_fixed_number_of_queries(
    client, tree, administrator, django_assert_max_num_queries
):
    client.force_login(administrator)
    # the page's own queries, plus one per badge in the navigation (inbox, pending, care,
    # suggestions waiting)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("area_detail", args=[tree.city.code]))
    assert response.status_code == 200
