import pytest
from django.core.management import call_command

from portal.models import Area, AreaLevel, Role, User

pytestmark = pytest.mark.django_db


def seed(settings, debug=True):
    settings.DEBUG = debug
    from io import StringIO

    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_it_creates_a_small_city_with_one_staff_user_per_role(settings):
    seed(settings)
    counts = {level: Area.objects.filter(level=level).count() for level in AreaLevel}
    assert counts == {
        AreaLevel.PROVINCE: 0,
        AreaLevel.CITY: 1,
        AreaLevel.DISTRICT: 2,
        AreaLevel.STREET: 4,
        AreaLevel.COMMUNITY: 8,
    }
    assert set(User.objects.values_list("role", flat=True)) == set(Role)
    for community in Area.objects.filter(level=AreaLevel.COMMUNITY):
        assert community.parent.level == AreaLevel.STREET
        assert community.code.startswith(community.parent.code)
        assert community.name.endswith("社区")


def test_running_it_again_changes_nothing(settings):
    seed(settings)
    before = (
        list(Area.objects.values_list("code", "name", "path", "parent__code")),
        list(User.objects.values_list("username", "password", "area__code")),
    )
    out = seed(settings)
    after = (
        list(Area.objects.values_list("code", "name", "path", "parent__code")),
        list(User.objects.values_list("username", "password", "area__code")),
    )
    assert before == after
    assert "(0 new)" in out


def test_it_prints_the_demo_password_in_debug_only(settings):
    from portal.management.commands.seed_demo import DEMO_PASSWORD

    out = seed(settings, debug=False)
    assert DEMO_PASSWORD not in out
    assert not User.objects.get(username="zhangmin").has_usable_password()

    User.objects.all().delete()
    out = seed(settings, debug=True)
    assert DEMO_PASSWORD in out
    assert User.objects.get(username="zhangmin").check_password(DEMO_PASSWORD)


def test_apps_add_their_demo_rows_once(settings):
    from registry.models import CheckIn, Worker, WorkerStatus

    seed(settings)
    seed(settings)
    assert Worker.objects.count() == 48
    assert CheckIn.objects.count() == 48
    pending_in_jianshelu = Worker.objects.filter(
        area__code="411402001001", status=WorkerStatus.PENDING
    )
    assert pending_in_jianshelu.count() == 3
