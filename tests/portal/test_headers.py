"""The security headers and cookie flags as production sends them, page by page.

Production settings are read once, at start-up, so the pages are fetched in a fresh interpreter
under DJANGO_ENV=production (over HTTPS, as the proxy forwards it) and their headers compared
here. tests/test_permissions.py checks the headers that hold everywhere on every URL."""

import json
import sys

import pytest

from tests.portal.test_settings import PRODUCTION, run

FETCH = """
import json
import django
from django.conf import settings
django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import override_settings, setup_test_environment
from django.urls import reverse

setup_test_environment()
connection.creation.create_test_db(verbosity=0)
from tests.factories import (
    PASSWORD, AreaFactory, StationFactory, SuggestionFactory, UserFactory, WorkerFactory,
)
from portal.models import AreaLevel, Role
from tests.signin import authenticator, code

community = AreaFactory(code="411402001001", name="建设路社区", level=AreaLevel.COMMUNITY)
staff = UserFactory(username="alice", role=Role.COMMUNITY_STAFF, area=community)
worker = WorkerFactory(area=staff.area)
station = StationFactory(area=staff.area)
suggestion = SuggestionFactory(area=staff.area)
seen = {}


def fetch(name, client, url, method="get", **data):
    response = getattr(client, method)(url, data, secure=True)
    cookies = {
        key: {"secure": bool(c["secure"]), "httponly": bool(c["httponly"]),
              "samesite": c["samesite"]}
        for key, c in response.cookies.items()
    }
    seen[name] = {"status": response.status_code, "headers": dict(response.headers),
                  "cookies": cookies}


# Hashed static file names need collectstatic; headers do not depend on them.
with override_settings(STORAGES={**settings.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}):
    public = Client(HTTP_HOST="portal.example.gov.cn")
    fetch("home", public, "/")
    fetch("station landing", public, reverse("stations:landing", args=[station.token]))
    fetch("suggestion form", public, reverse("feedback:station_suggest", args=[station.token]))
    fetch("tracking page", public, reverse("feedback:track", args=[suggestion.tracking_code]))
    staff_client = Client(HTTP_HOST="portal.example.gov.cn")
    fetch("login page", staff_client, reverse("login"))
    fetch("signing in", staff_client, reverse("login"), "post", username="alice", password=PASSWORD)
    fetch("second factor", staff_client, reverse("second_factor"), "post",
          code=code(authenticator(staff)))
    fetch("roster", staff_client, reverse("registry:workers"))
    fetch("full record", staff_client, reverse("registry:worker_detail", args=[worker.pk]))
    fetch("roster export", staff_client, reverse("registry:workers_export"))
    fetch("dashboard", staff_client, reverse("dashboard:summary"))
    fetch("signing out", staff_client, reverse("logout"), "post")
print(json.dumps(seen))
"""

PERSONAL = [
    "roster",
    "full record",
    "roster export",
    "dashboard",
    "signing in",
    "second factor",
    "signing out",
]


@pytest.fixture(scope="module")
def pages():
    result = run([sys.executable, "-c", FETCH], **PRODUCTION, DATABASE_URL="sqlite:///:memory:")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_every_page_fetched_answered(pages):
    assert {name: page["status"] for name, page in pages.items()} == {
        "home": 200,
        "station landing": 200,
        "suggestion form": 200,
        "tracking page": 200,
        "login page": 200,
        "signing in": 302,
        "second factor": 302,
        "roster": 200,
        "full record": 200,
        "roster export": 200,
        "dashboard": 200,
        "signing out": 200,
    }


def test_every_page_sends_hsts_and_the_protective_headers(pages):
    for name, page in pages.items():
        headers = page["headers"]
        assert headers["Strict-Transport-Security"] == (
            "max-age=31536000; includeSubDomains; preload"
        ), name
        assert headers["X-Content-Type-Options"] == "nosniff", name
        assert headers["X-Frame-Options"] == "DENY", name
        assert headers["Referrer-Policy"] == "same-origin", name
        assert headers["Cross-Origin-Opener-Policy"] == "same-origin", name
        policy = headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy, name
        assert "frame-ancestors 'none'" in policy, name


def test_pages_with_personal_data_are_never_stored(pages):
    for name in PERSONAL:
        assert "no-store" in pages[name]["headers"]["Cache-Control"], name
    assert "no-store" not in pages["home"]["headers"].get("Cache-Control", "")


def test_cookies_are_secure_httponly_and_same_site(pages):
    session = pages["signing in"]["cookies"]["sessionid"]
    assert session == {"secure": True, "httponly": True, "samesite": "Lax"}
    csrf = pages["login page"]["cookies"]["csrftoken"]
    assert csrf["secure"] is True and csrf["samesite"] == "Lax"


def test_signing_out_clears_the_session_cookie(pages):
    cleared = pages["signing out"]["headers"]
    assert "sessionid" in pages["signing out"]["cookies"]
    assert "no-store" in cleared["Cache-Control"]
