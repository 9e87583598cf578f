"""Staff sessions end after idle time and at logout; riders stay signed in on their phone."""

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import PASSWORD
from tests.riders import sign_in_rider
from tests.signin import sign_in

pytestmark = pytest.mark.django_db

MINUTE = 60


@pytest.fixture
def alice(client, staff_a, clock):
    sign_in(client, staff_a, PASSWORD)
    return client


def test_a_staff_member_at_work_stays_signed_in(alice, clock, settings):
    for _ in range(4):
        clock(settings.STAFF_IDLE_MINUTES * MINUTE - MINUTE)
        assert alice.get(reverse("staff_home")).status_code == 200


def test_a_session_left_idle_is_signed_out_with_a_message(alice, clock, settings):
    assert settings.STAFF_IDLE_MINUTES == 30
    key = alice.session.session_key
    clock(31 * MINUTE)
    response = alice.get(reverse("registry:workers"), follow=True)
    assert response.redirect_chain[0][0].startswith(reverse("login"))
    assert "您已超过 30 分钟没有操作，已自动退出。" in response.text
    assert not Session.objects.filter(session_key=key).exists()
    assert alice.get(reverse("staff_home")).status_code == 302


def test_logging_out_ends_the_session_on_the_server(alice):
    cookie = alice.cookies["sessionid"].value  # a copy someone kept, to replay
    alice.post(reverse("logout"))
    assert not Session.objects.filter(session_key=cookie).exists()
    alice.cookies["sessionid"] = cookie
    assert alice.get(reverse("staff_home")).status_code == 302


def test_a_signed_in_rider_is_not_signed_out_for_being_idle(client, worker_a, clock):
    sign_in_rider(client, worker_a)
    clock(6 * 60 * MINUTE)
    assert client.get(reverse("points:me")).status_code == 200


def session_writes(client, url):
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return [q for q in queries if q["sql"].startswith("UPDATE") and "django_session" in q["sql"]]


def test_the_last_request_time_is_written_once_a_minute_not_on_every_request(alice, clock):
    url = reverse("staff_home")
    alice.get(url)
    clock(10)
    assert session_writes(alice, url) == []
    clock(MINUTE)
    assert len(session_writes(alice, url)) == 1
