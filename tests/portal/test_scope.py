import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from portal.models import Area
from portal.scope import scope_to_user

pytestmark = pytest.mark.django_db


def names(queryset):
    return set(queryset.values_list("name", flat=True))


def test_community_staff_sees_their_community_only(tree, staff_a):
    assert names(Area.objects.in_scope(staff_a)) == {"建设路社区"}


def test_district_official_sees_everything_under_the_district(tree, official):
    assert names(Area.objects.in_scope(official)) == {
        "梁园区",
        "平原街道",
        "建设路社区",
        "平原路社区",
    }


def test_administrator_without_area_sees_every_area(tree, administrator):
    assert Area.objects.in_scope(administrator).count() == Area.objects.count() == 8


def test_anonymous_and_inactive_users_see_nothing(tree, staff_a):
    assert not Area.objects.in_scope(AnonymousUser()).exists()
    staff_a.is_active = False
    assert not Area.objects.in_scope(staff_a).exists()


def test_scope_follows_a_foreign_key_to_the_area(tree, official, staff_a):
    # Any model that belongs to an area is scoped through the same helper: here staff users.
    from portal.models import User

    visible = scope_to_user(User.objects.all(), official, area_field="area")
    assert staff_a in visible
    assert official in visible


def test_moving_an_area_moves_everything_under_it_into_the_new_scope(tree, official):
    tree.street.parent = tree.other_district
    tree.street.save()
    assert names(Area.objects.in_scope(official)) == {"梁园区"}
    tree.community_a.refresh_from_db()
    assert tree.community_a.is_within(tree.other_district)


def test_an_area_of_a_sibling_community_is_not_found(client, tree, staff_a):
    client.force_login(staff_a)
    response = client.get(reverse("area_detail", args=[tree.community_b.code]))
    assert response.status_code == 404


def test_an_area_above_the_users_own_is_not_found(client, tree, staff_a):
    client.force_login(staff_a)
    assert client.get(reverse("area_detail", args=[tree.street.code])).status_code == 404


def test_a_district_official_opens_any_community_under_the_district(client, tree, official):
    client.force_login(official)
    response = client.get(reverse("area_detail", args=[tree.community_b.code]))
    assert response.status_code == 200
    assert "平原路社区" in response.text


def test_a_district_official_cannot_open_the_other_district(client, tree, official):
    client.force_login(official)
    for area in (tree.other_district, tree.community_c, tree.city):
        assert client.get(reverse("area_detail", args=[area.code])).status_code == 404
