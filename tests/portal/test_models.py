import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError

from portal.models import Area, AreaLevel, Role, User

pytestmark = pytest.mark.django_db


def test_a_community_cannot_sit_directly_under_a_district(tree):
    area = Area(
        parent=tree.district, level=AreaLevel.COMMUNITY, code="411402999001", name="错层社区"
    )
    with pytest.raises(ValidationError) as error:
        area.full_clean()
    assert "level" in error.value.message_dict


def test_only_provinces_and_cities_may_be_top_areas():
    with pytest.raises(ValidationError):
        Area(level=AreaLevel.STREET, code="411402001", name="孤立街道").full_clean()


def test_division_codes_are_6_9_or_12_digits(tree):
    area = Area(parent=tree.street, level=AreaLevel.COMMUNITY, code="41140200100", name="新社区")
    with pytest.raises(ValidationError) as error:
        area.full_clean()
    assert "code" in error.value.message_dict


def test_an_area_cannot_be_moved_under_its_own_child(tree):
    tree.district.parent = tree.street
    with pytest.raises(ValidationError):
        tree.district.clean()


def test_staff_other_than_administrators_must_have_an_area(db):
    with pytest.raises(IntegrityError):
        User.objects.create(username="nowhere", role=Role.COMMUNITY_STAFF, area=None)


def test_createsuperuser_makes_an_administrator(db):
    call_command("createsuperuser", "--noinput", username="boss", email="boss@example.org")
    assert User.objects.get(username="boss").role == Role.ADMINISTRATOR
