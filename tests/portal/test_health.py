import pytest
from django.urls import reverse

from portal.celery import app as celery_app

pytestmark = pytest.mark.django_db

UNREACHABLE_REDIS = "redis://:s3cret-password@127.0.0.1:1/0"


def test_health_is_ok_when_everything_answers(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok", "broker": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_an_unreachable_broker_gives_503_without_leaking_its_address(client, monkeypatch):
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    monkeypatch.setitem(celery_app.conf, "broker_url", UNREACHABLE_REDIS)
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json() == {
        "status": "failed",
        "database": "ok",
        "cache": "ok",
        "broker": "failed",
    }
    for secret in ("127.0.0.1", "s3cret", ":1/", "redis"):
        assert secret not in response.text


def test_an_unreachable_cache_gives_503(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": UNREACHABLE_REDIS,
        }
    }
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["cache"] == "failed"
    assert "s3cret" not in response.text


def test_health_only_answers_get(client):
    assert client.post(reverse("healthz")).status_code == 405


def test_an_unreachable_object_store_is_degraded_not_failed(client, store_down):
    """Pages and posts without a file still work: the load balancer is to keep the host."""
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {
        "status": "degraded",
        "database": "ok",
        "cache": "ok",
        "broker": "ok",
        "storage": "degraded",
    }
