import logging
import threading
from datetime import date, timedelta

import pytest
from django.core.signing import get_cookie_signer
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from registry import services
from registry.models import CheckIn
from stations import checkin
from stations.models import StationVisit
from tests.factories import StationFactory, WorkerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def station(tree):
    return StationFactory(name="建设路暖心驿站", area=tree.community_a)


def url(station):
    return reverse("stations:check_in", args=[station.token])


def check_in(client, station, mobile):
    return client.post(url(station), {"mobile": mobile})


def test_a_registered_rider_checks_in_with_their_mobile(client, station, worker_a):
    page = client.get(url(station))
    assert page.status_code == 200
    assert 'name="csrfmiddlewaretoken"' in page.text
    response = check_in(client, station, "138 0000 0001")
    assert response.status_code == 200
    assert _("Checked in") in response.text
    assert "建设路暖心驿站" in response.text
    assert (
        _("Welcome to %(name)s. Check-ins here today: %(visits)s.")
        % {
            "name": "建设路暖心驿站",
            "visits": 1,
        }
        in response.text
    )
    visit = StationVisit.objects.get()
    assert (visit.station, visit.worker, visit.day) == (station, worker_a, timezone.localdate())


def test_a_station_visit_is_not_a_check_in_with_the_community(client, station, worker_a):
    check_in(client, station, worker_a.mobile)
    assert not CheckIn.objects.exists()


def test_a_second_tap_within_30_minutes_counts_once(client, station, worker_a):
    check_in(client, station, worker_a.mobile)
    again = check_in(client, station, worker_a.mobile)
    assert _("Already checked in") in again.text
    first = StationVisit.objects.get()
    assert timezone.localtime(first.created_at).strftime("%H:%M") in again.text
    assert StationVisit.objects.count() == 1


def test_after_30_minutes_the_same_rider_counts_again(client, station, worker_a):
    check_in(client, station, worker_a.mobile)
    StationVisit.objects.update(created_at=timezone.now() - timedelta(minutes=31))
    check_in(client, station, worker_a.mobile)
    assert StationVisit.objects.count() == 2


def test_visits_of_other_riders_and_other_stations_count_separately(station, tree, worker_a):
    other_rider = WorkerFactory(area=tree.community_a)
    other_station = StationFactory(area=tree.community_a)
    assert checkin.check_in(station, worker_a).visits_that_day == 1
    assert checkin.check_in(station, other_rider).visits_that_day == 2
    result = checkin.check_in(other_station, worker_a)
    assert (result.counted, result.visits_that_day) == (True, 1)


def test_an_unknown_mobile_is_sent_to_register_with_the_stations_community(client, station, tree):
    response = check_in(client, station, "13912345678")
    assert response.status_code == 302
    assert response["Location"] == (
        f"{reverse('registry:register')}?community={tree.community_a.code}"
    )
    page = client.get(response["Location"])
    assert _("This mobile number is not registered yet. Register first: it takes a minute.") in (
        page.text
    )
    assert not StationVisit.objects.exists()


def test_a_rider_who_withdrew_consent_registers_again_before_checking_in(client, station, worker_a):
    services.withdraw_consent(worker_a)
    assert check_in(client, station, worker_a.mobile).status_code == 302
    assert not StationVisit.objects.exists()


def test_a_wrong_mobile_is_explained_and_nothing_is_counted(client, station, worker_a):
    response = check_in(client, station, "12345")
    assert response.status_code == 200
    assert "请输入 11 位大陆手机号（以 13 至 19 开头）。" in response.text
    assert response.context["form"].errors["mobile"]
    assert not StationVisit.objects.exists()


def test_the_phone_remembers_the_mobile_and_checks_in_with_one_tap(client, station, worker_a):
    response = check_in(client, station, worker_a.mobile)
    cookie = response.cookies[checkin.MOBILE_COOKIE]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert cookie["max-age"] == checkin.MOBILE_COOKIE_MAX_AGE
    assert worker_a.mobile not in cookie.value.split(":")[1:]  # signed, the number only once

    page = client.get(url(station))
    assert "138****0001" in page.text
    assert 'name="mobile"' not in page.text
    StationVisit.objects.update(created_at=timezone.now() - timedelta(hours=1))
    assert _("Checked in") in client.post(url(station)).text
    assert StationVisit.objects.count() == 2


def test_in_production_the_cookie_goes_over_https_only(client, station, worker_a, settings):
    settings.SESSION_COOKIE_SECURE = True
    response = check_in(client, station, worker_a.mobile)
    assert response.cookies[checkin.MOBILE_COOKIE]["secure"]


def test_the_remembered_rider_can_check_in_with_another_number(client, station, worker_a):
    other = WorkerFactory(mobile="13700000002", area=station.area)
    check_in(client, station, worker_a.mobile)
    assert 'name="mobile"' in client.get(url(station), {"another": "1"}).text
    check_in(client, station, other.mobile)
    assert StationVisit.objects.filter(worker=other).exists()


def test_a_tampered_cookie_is_ignored(client, station, worker_a, worker_c):
    check_in(client, station, worker_a.mobile)
    signed = client.cookies[checkin.MOBILE_COOKIE].value
    client.cookies[checkin.MOBILE_COOKIE] = signed.replace(worker_a.mobile, worker_c.mobile)
    page = client.get(url(station))
    assert 'name="mobile"' in page.text
    assert "138****0003" not in page.text
    response = client.post(url(station))  # no number and no valid cookie: the form asks for one
    assert response.context["form"].errors["mobile"]
    assert not StationVisit.objects.filter(worker=worker_c).exists()


def test_a_cookie_signed_for_something_else_is_ignored(client, station, worker_a):
    client.cookies[checkin.MOBILE_COOKIE] = get_cookie_signer(salt="other").sign(worker_a.mobile)
    assert 'name="mobile"' in client.get(url(station)).text


def test_the_mobile_is_never_logged(client, station, worker_a, caplog):
    with caplog.at_level(logging.DEBUG):
        check_in(client, station, worker_a.mobile)
        check_in(client, station, "13912345678")
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
    barrier = threading.Barrier(2)
    results, errors = [], []

    def tap():
        try:
            barrier.wait()
            results.append(checkin.check_in(station, worker_a).counted)
        except Exception as error:  # the test reports any failure below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=tap) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(results) == [False, True]
    assert StationVisit.objects.count() == 1


def test_one_network_cannot_try_number_after_number(client, station, worker_a, limit):
    limit("check-in:address", 2, 600)
    check_in(client, station, "13900000001")
    check_in(client, station, "13900000002")
    response = check_in(client, station, worker_a.mobile)
    assert response.status_code == 200
    assert "尝试的号码太多" in response.text
    assert not StationVisit.objects.exists()
