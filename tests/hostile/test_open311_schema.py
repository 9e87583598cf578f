"""schemathesis against docs/open311.openapi.yaml, through the WSGI application in-process: for
every operation it sends the schema's examples, then generated and deliberately wrong parameters
and bodies. Checked: never a 5xx, every status, content type, header and JSON body as the
document says; every XML body well-formed, under the root element of its resource.

The checks that data valid by the schema is accepted, and invalid refused, are left out: the
schema types the parameters as the spec does (strings, numbers), while the API also refuses what
no schema says (a NUL, lat without long, a range over 90 days), and that is what
tests/hostile/test_open311.py asserts, with messages.
"""

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import schemathesis
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from feedback import apikeys
from feedback.models import Category, State, SuggestionPhoto
from tests.factories import SuggestionFactory, TaskFactory
from tests.hostile.strategies import ON_CI, OUTCOMES, RUNS

SPEC = Path(__file__).resolve().parents[2] / "docs" / "open311.openapi.yaml"
schema = schemathesis.openapi.from_path(SPEC)

# The root element of each resource's XML (feedback.open311.render's `root`).
XML_ROOTS = {
    "discovery": "discovery",
    "services": "services",
    "services/": "service_definition",
    "requests": "service_requests",
    "requests/": "service_requests",
    "tokens/": "service_requests",
}


def xml_is_well_formed(ctx, response, case):
    """An XML answer parses, with the resource's root element (or <errors> for a refusal)."""
    if not response.headers.get("content-type", [""])[0].startswith("text/xml"):
        return None
    root = ET.fromstring(response.content)
    resource = case.operation.path.removeprefix("/open311/v2/").split(".")[0].split("{")[0]
    expected = "errors" if response.status_code >= 400 else XML_ROOTS[resource]
    assert root.tag == expected, f"<{root.tag}>, not <{expected}>"
    return True


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    xml_is_well_formed,
]


@pytest.fixture
def application(settings):
    """The WSGI application, without closing the database connection after each request, as
    Django's test client does: on PostgreSQL that would end the test's transaction."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def published(tree, department_x, media):
    """What the list shows: an accepted hazard with a task and a photo (the schema's example
    id), a resolved one with its reply, and one marked a duplicate of it."""
    now = timezone.now()
    hazard = SuggestionFactory(
        area=tree.community_a,
        public_id="KBJCAWZ925",
        category=Category.HAZARD,
        text="建设路口井盖缺失 <script>alert(1)</script> 13812345678",
        state=State.ACCEPTED,
        assessed_at=now,
        address="建设路与平原路交叉口",
        latitude="34.414123",
        longitude="115.656789",
    )
    TaskFactory(suggestion=hazard, department=department_x)
    SuggestionPhoto.objects.create(
        suggestion=hazard,
        image=SimpleUploadedFile("p.jpg", b"jpeg"),
        thumbnail=SimpleUploadedFile("t.jpg", b"jpeg"),
    )
    resolved = SuggestionFactory(
        area=tree.community_a,
        state=State.RESOLVED,
        assessed_at=now,
        resolved_at=now,
        reply="已修好\x1b\x0b",  # characters XML 1.0 cannot carry
    )
    SuggestionFactory(
        area=tree.community_a, state=State.DUPLICATE, original=resolved, assessed_at=now
    )
    return hazard


@pytest.fixture
def key(tree):
    return apikeys.create_key("骑手帮 App", tree.community_a)[1]


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    database=None,
    derandomize=ON_CI,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_answers_as_its_openapi_document_says(case, application, published, key):
    documented = case.method.lower() in schema.raw_schema["paths"][case.operation.path]
    # The coverage phase also tries the methods a path does not have (405 and the Allow header).
    name = f"schemathesis: {case.operation.label if documented else 'other methods'}"
    cache.clear()  # the key's hourly allowance
    if case.method == "POST" and isinstance(case.body, dict) and "api_key" in case.body:
        case.body = {**case.body, "api_key": key}  # a live key, so the form itself is reached
    response = case.call(app=application)
    RUNS[name] += 1
    OUTCOMES[name][response.status_code] += 1
    case.validate_response(response, checks=CHECKS)
