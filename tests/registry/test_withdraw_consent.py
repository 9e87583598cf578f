"""A rider withdraws consent themselves, signed in: the sign-in's texted code proved the number."""

import pytest
from django.urls import reverse

from registry.models import WorkerEvent, WorkerStatus
from registry.services.riders import SESSION_KEY
from tests.riders import sign_in_rider
from tests.sms import last_code

pytestmark = pytest.mark.django_db


def test_a_signed_in_rider_withdraws_consent_with_one_question(client, worker_a):
    sign_in_rider(client, worker_a)
    page = client.get(reverse("registry:withdraw"))
    assert "138****0001" in page.text and worker_a.name in page.text
    response = client.post(reverse("registry:withdraw"), follow=True)
    assert "您已撤回同意" in response.text
    worker_a.refresh_from_db()
    assert worker_a.consent_withdrawn_at and worker_a.status == WorkerStatus.LEFT
    event = worker_a.events.get(kind=WorkerEvent.Kind.CONSENT_WITHDRAWN)
    assert event.actor is None
    assert SESSION_KEY not in client.session  # signed out: the record is no longer theirs to use


def test_without_signing_in_the_rider_signs_in_first_and_comes_back(client, worker_a, texts):
    response = client.get(reverse("registry:withdraw"))
    assert response["Location"] == reverse("registry:sign_in") + "?next=%2Fregister%2Fwithdraw%2F"
    code_step = client.post(response["Location"], {"mobile": worker_a.mobile})
    back = client.post(code_step["Location"], {"code": last_code(worker_a.mobile)})
    assert back["Location"] == reverse("registry:withdraw")
    worker_a.refresh_from_db()
    assert worker_a.consent_withdrawn_at is None  # nothing happens before the rider asks


def test_a_post_without_a_rider_changes_nothing(client, worker_a):
    response = client.post(reverse("registry:withdraw"))
    assert response.status_code == 302
    worker_a.refresh_from_db()
    assert worker_a.consent_withdrawn_at is None


def test_a_second_tap_is_the_same_outcome(client, worker_a):
    sign_in_rider(client, worker_a)
    client.post(reverse("registry:withdraw"))
    sign_in_rider(client, worker_a)  # a second tab still signed in
    assert client.post(reverse("registry:withdraw"))["Location"] in (
        reverse("registry:withdrawn"),
        reverse("registry:sign_in") + "?next=%2Fregister%2Fwithdraw%2F",
    )
    assert worker_a.events.filter(kind=WorkerEvent.Kind.CONSENT_WITHDRAWN).count() == 1
