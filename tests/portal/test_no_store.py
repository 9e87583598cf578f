"""Pages that may show personal data are never kept by a browser or proxy."""

import pytest
from django.urls import reverse

from tests.riders import sign_in_rider

pytestmark = pytest.mark.django_db


def no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_staff_pages_are_not_stored(client, staff_a, worker_a):
    client.force_login(staff_a)
    for url in [
        reverse("staff_home"),
        reverse("registry:workers"),
        reverse("registry:worker_detail", args=[worker_a.pk]),
        reverse("dashboard:summary"),
        reverse("dashboard:export"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert no_store(response), url
        assert "private" in response["Cache-Control"]


def test_logging_in_and_out_answers_are_not_stored(client, staff_a):
    from tests.factories import PASSWORD

    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    assert no_store(response)
    response = client.post(reverse("logout"))
    assert no_store(response)


def test_a_signed_in_riders_pages_are_not_stored(client, worker_a):
    sign_in_rider(client, worker_a)
    response = client.get(reverse("points:me"))
    assert response.status_code == 200
    assert no_store(response)


def test_public_pages_without_a_session_may_be_cached(client, tree):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert not no_store(response)
