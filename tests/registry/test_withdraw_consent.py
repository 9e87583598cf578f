"""A rider withdraws consent themselves, proving the number is theirs with a texted code."""

import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from registry.models import WorkerEvent, WorkerStatus

pytestmark = pytest.mark.django_db

TEXTS = []


class RecordingBackend:
    def send(self, mobile, text):
        TEXTS.append((mobile, text))


@pytest.fixture(autouse=True)
def texts(settings):
    settings.SMS_BACKEND = "tests.registry.test_withdraw_consent.RecordingBackend"
    TEXTS.clear()
    cache.clear()
    return TEXTS


def ask_for_code(client, mobile="138 0000 0001"):
    return client.post(reverse("registry:withdraw"), {"mobile": mobile}, follow=True)


def sent_code():
    return re.search(r"\d{6}", TEXTS[-1][1]).group()


def test_a_rider_withdraws_consent_with_the_texted_code(client, worker_a, texts):
    response = ask_for_code(client)
    assert "138****0001" in response.text
    assert texts[0][0] == "13800000001"
    response = client.post(reverse("registry:withdraw_confirm"), {"code": sent_code()}, follow=True)
    assert "您已撤回同意" in response.text
    worker_a.refresh_from_db()
    assert worker_a.consent_withdrawn_at and worker_a.status == WorkerStatus.LEFT
    event = worker_a.events.get(kind=WorkerEvent.Kind.CONSENT_WITHDRAWN)
    assert event.actor is None


def test_an_unregistered_number_gets_the_same_answer_and_no_text(client, tree, texts):
    response = ask_for_code(client, "13912345678")
    assert "139****5678" in response.text
    again = client.post(reverse("registry:withdraw"), {"mobile": "13912345678"})
    assert "验证码刚发出不到一分钟" in again.text
    assert texts == []


def test_a_wrong_code_changes_nothing(client, worker_a, texts):
    ask_for_code(client)
    wrong = "000000" if sent_code() != "000000" else "111111"
    response = client.post(reverse("registry:withdraw_confirm"), {"code": wrong})
    assert "验证码不对或已过期" in response.text
    worker_a.refresh_from_db()
    assert worker_a.consent_withdrawn_at is None


def test_five_wrong_guesses_spend_the_code(client, worker_a, texts):
    ask_for_code(client)
    code = sent_code()
    wrong = "000000" if code != "000000" else "111111"
    for _guess in range(5):
        client.post(reverse("registry:withdraw_confirm"), {"code": wrong})
    client.post(reverse("registry:withdraw_confirm"), {"code": code})
    worker_a.refresh_from_db()
    assert worker_a.consent_withdrawn_at is None


def test_a_number_gets_one_code_a_minute(client, worker_a, texts):
    ask_for_code(client)
    response = ask_for_code(client)
    assert "请等一分钟" in response.text
    assert len(texts) == 1


def test_a_code_works_once(client, worker_a, texts):
    ask_for_code(client)
    code = sent_code()
    client.post(reverse("registry:withdraw_confirm"), {"code": code})
    again = client.post(reverse("registry:withdraw"), {"mobile": "13800000001"})
    assert "验证码刚发出不到一分钟" in again.text
    response = client.post(reverse("registry:withdraw_confirm"), {"code": code})
    assert response.status_code == 302  # nothing waits for a code any more
    assert worker_a.events.filter(kind=WorkerEvent.Kind.CONSENT_WITHDRAWN).count() == 1


@pytest.mark.parametrize("mobile", ["12345", "2380000000a", ""])
def test_a_malformed_number_gets_a_message(client, tree, mobile, texts):
    response = client.post(reverse("registry:withdraw"), {"mobile": mobile})
    assert response.status_code == 200
    assert texts == []
