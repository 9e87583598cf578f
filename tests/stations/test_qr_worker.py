import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.celery import app as celery_app
from stations.models import Station
from tests.stations.test_staff_pages import details


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_makes_the_qr_codes_of_a_new_station_through_redis(
    client, staff_a, tree, media
):
    from celery.contrib.testing.worker import start_worker

    assert not celery_app.conf.task_always_eager
    client.force_login(staff_a)
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        client.post(reverse("stations:add"), details(tree.community_a))
        station = Station.objects.get()
        deadline = timezone.now() + timedelta(seconds=30)
        while station.qr_token != station.token:
            assert timezone.now() < deadline, "the worker did not make the QR codes"
            time.sleep(0.1)
            station.refresh_from_db()
    assert client.get(reverse("stations:qr_png", args=[station.id])).status_code == 200
