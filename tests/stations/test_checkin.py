import logging
from datetime import date, timedelta
from urllib.parse import quote

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from registry import services
from registry.models import CheckIn
from registry.services.riders import SESSION_KEY
from stations import checkin
from stations.models import StationVisit
from tests.factories import StationFactory, WorkerFactory
from tests.races import race
from tests.registry.test_register import form as registration
from tests.riders import sign_in_rider
from tests.sms import last_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def station(tree):
    return StationFactory(name="建设路暖心驿站", area=tree.community_a)


def url(station):
    return reverse("stations:check_in", args=[station.token])


def landing_url(station):
    return reverse("stations:landing", args=[station.token])


def tap(client, station):
    """The signed-in rider's 报到 button on the station's page."""
    return client.post(url(station))


@pytest.fixture
def rider(client, worker_a):
    return sign_in_rider(client, worker_a)


def test_a_signed_in_rider_checks_in_with_one_tap_and_lands_back_on_the_station(
    rider, station, worker_a
):
    page = rider.get(landing_url(station)).text
    assert f'<form class="main" method="post" action="{url(station)}">' in page
    assert "将以 张三 的身份报到。不是您？" in page  # whose check-in the tap records
    response = tap(rider, station)
    assert response["Location"] == landing_url(station)
    visit = StationVisit.objects.get()
    assert (visit.station, visit.worker, visit.day) == (station, worker_a, timezone.localdate())
    page = rider.get(landing_url(station)).text
    assert _("Checked in") in page
    time = timezone.localtime(visit.created_at).strftime("%H:%M")
    assert f"{time} 以 张三 的身份报到。本站今日报到 1 人次。" in page
    assert f'href="{reverse("points:me")}"' in page
    assert f'action="{url(station)}"' not in page  # nothing left to tap


def test_a_station_visit_is_not_a_check_in_with_the_community(rider, station):
    tap(rider, station)
    assert not CheckIn.objects.exists()


def test_a_second_tap_within_30_minutes_counts_once_and_says_when(rider, station):
    tap(rider, station)
    again = rider.post(url(station), follow=True)
    first = StationVisit.objects.get()
    time = timezone.localtime(first.created_at).strftime("%H:%M")
    assert f"您 {time} 已在这里报到；30 分钟内只计一次。" in again.text
    assert StationVisit.objects.count() == 1


def test_after_30_minutes_the_same_rider_counts_again(rider, station):
    tap(rider, station)
    StationVisit.objects.update(created_at=timezone.now() - timedelta(minutes=31))
    tap(rider, station)
    assert StationVisit.objects.count() == 2


def test_visits_of_other_riders_and_other_stations_count_separately(station, tree, worker_a):
    other_rider = WorkerFactory(area=tree.community_a)
    other_station = StationFactory(area=tree.community_a)
    assert checkin.check_in(station, worker_a).visits_that_day == 1
    assert checkin.check_in(station, other_rider).visits_that_day == 2
    result = checkin.check_in(other_station, worker_a)
    assert (result.counted, result.visits_that_day) == (True, 1)


def test_a_link_to_the_check_in_page_checks_no_one_in(rider, station):
    """Only a tap (a POST) or the rider's own sign-in on the way to it records a visit."""
    page = rider.get(url(station))
    assert page.status_code == 200
    assert "以 张三 的身份报到" in page.text
    assert not StationVisit.objects.exists()


def test_a_registered_rider_on_a_new_phone_proves_the_number_and_is_checked_in(
    client, station, worker_a, texts
):
    response = client.post(url(station), {"mobile": "138 0000 0001"})
    assert response["Location"].startswith(reverse("registry:sign_in_code"))
    assert not StationVisit.objects.exists()
    back = client.post(response["Location"], {"code": last_code(worker_a.mobile)})
    assert back["Location"] == url(station)
    arrived = client.get(back["Location"])
    assert arrived["Location"] == landing_url(station)
    assert StationVisit.objects.get().worker == worker_a
    assert _("Checked in") in client.get(landing_url(station)).text


def test_a_new_rider_registers_on_the_way_and_lands_checked_in(client, station, tree, texts):
    mobile = "13912345678"
    code_step = client.post(url(station), {"mobile": mobile})["Location"]
    to_register = client.post(code_step, {"code": last_code(mobile)})["Location"]
    assert to_register == (
        f"{reverse('registry:register')}?next={quote(url(station), safe='')}"
        f"&community={tree.community_a.code}"
    )
    form = client.get(to_register)
    assert form.context["form"].initial["mobile"] == mobile
    assert form.context["community"] == tree.community_a
    assert not StationVisit.objects.exists()
    done = client.post(to_register, registration(tree, mobile=mobile))
    assert done["Location"] == url(station)  # no second code: the number is proven
    assert client.get(done["Location"])["Location"] == landing_url(station)
    visit = StationVisit.objects.get()
    assert visit.worker.mobile == mobile and visit.worker.status == "pending"
    assert len(texts) == 1


def test_a_wrong_code_checks_no_one_in(client, station, worker_a, texts):
    code_step = client.post(url(station), {"mobile": worker_a.mobile})["Location"]
    wrong = "000000" if last_code(worker_a.mobile) != "000000" else "111111"
    response = client.post(code_step, {"code": wrong})
    assert response.status_code == 200
    assert client.get(url(station)).status_code == 200
    assert not StationVisit.objects.exists()
    assert SESSION_KEY not in client.session


def test_the_check_in_waiting_for_a_sign_in_is_for_its_station_only(
    client, station, tree, worker_a, texts
):
    other = StationFactory(area=tree.community_a)
    code_step = client.post(url(station), {"mobile": worker_a.mobile})["Location"]
    client.post(code_step, {"code": last_code(worker_a.mobile)})
    assert client.get(url(other)).status_code == 200  # a page with the button, no visit
    assert not StationVisit.objects.filter(station=other).exists()


def test_a_rider_who_withdrew_consent_registers_again_before_checking_in(
    client, station, worker_a, texts
):
    services.withdraw_consent(worker_a)
    code_step = client.post(url(station), {"mobile": worker_a.mobile})["Location"]
    response = client.post(code_step, {"code": last_code(worker_a.mobile)})
    assert response["Location"].startswith(reverse("registry:register"))
    assert not StationVisit.objects.exists()


@pytest.mark.parametrize("mobile", ["12345", "", "1380000000a"])
def test_a_wrong_mobile_is_explained_and_nothing_is_counted(client, station, mobile, texts):
    response = client.post(url(station), {"mobile": mobile})
    assert response.status_code == 200
    assert response.context["form"].errors["mobile"]
    assert texts == []
    assert not StationVisit.objects.exists()


def test_no_cookie_remembers_a_mobile(rider, station):
    response = tap(rider, station)
    assert set(response.cookies) <= {settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME}


def test_the_mobile_is_never_logged(client, station, worker_a, caplog, texts):
    with caplog.at_level(logging.DEBUG):
        client.post(url(station), {"mobile": worker_a.mobile})
        client.post(url(station), {"mobile": "13912345678"})
        tap(sign_in_rider(client, worker_a), station)
    assert worker_a.mobile not in caplog.text
    assert "13912345678" not in caplog.text


def test_visits_per_day_counts_each_station_and_day_in_one_query(
    station, tree, worker_a, django_assert_num_queries
):
    other_station = StationFactory(area=tree.community_b)
    far_station = StationFactory(area=tree.community_c)
    today = timezone.now()
    yesterday = today - timedelta(days=1)
    checkin.check_in(station, worker_a, at=yesterday)
    checkin.check_in(station, worker_a, at=today)
    checkin.check_in(station, WorkerFactory(area=tree.community_a), at=today)
    checkin.check_in(other_station, worker_a, at=today)
    checkin.check_in(far_station, worker_a, at=today)
    checkin.check_in(station, worker_a, at=today - timedelta(days=30))  # before `since`
    since = timezone.localdate(yesterday)
    in_district = StationFactory._meta.model.objects.filter(
        area__path__startswith=tree.district.path
    )
    with django_assert_num_queries(1):
        counts = checkin.visits_per_day(in_district, since)
    assert counts == [
        {"station": station.id, "day": since, "visits": 1},
        {"station": station.id, "day": timezone.localdate(today), "visits": 2},
        {"station": other_station.id, "day": timezone.localdate(today), "visits": 1},
    ]
    assert isinstance(counts[0]["day"], date)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_taps_from_one_phone_count_once(tree, worker_a):
    station = StationFactory(area=tree.community_a)
    counted = []
    race([lambda: counted.append(checkin.check_in(station, worker_a).counted)] * 2)
    assert sorted(counted) == [False, True]
    assert StationVisit.objects.count() == 1
