"""Hostile input to the Open311 API: GET filters and ids, POST requests with or without a key.
Every answer is a well-formed document in the format asked for, with the spec's errors document
(a code and a description naming the parameter) for every refusal; never a 5xx."""

import json
import xml.etree.ElementTree as ET
from urllib.parse import quote, urlencode

import pytest
from django.urls import reverse
from hypothesis import example, given
from hypothesis import strategies as st

from feedback import apikeys, open311
from feedback.models import Suggestion
from tests.hostile.strategies import (
    NASTY,
    PAYLOADS,
    assert_no_server_error,
    counted,
    examples,
    form_data,
    hostile_client,
    hostile_text,
    outcome,
    post,
)

pytestmark = pytest.mark.django_db

FORMATS = st.sampled_from(["xml", "json"])
CONTENT_TYPES = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}
ERROR_STATUSES = {400, 403, 404, 405, 429}


@pytest.fixture
def key(tree):
    return apikeys.create_key("骑手帮 App", tree.community_a)[1]


def read(response, fmt):
    """The body parsed; for a refusal, the errors as (code, description) pairs."""
    assert response["Content-Type"] == CONTENT_TYPES[fmt]
    if fmt == "json":
        body = json.loads(response.content)
        if response.status_code >= 400:
            return [(error["code"], error["description"]) for error in body]
        return body
    root = ET.fromstring(response.content)
    if response.status_code >= 400:
        assert root.tag == "errors"
        return [(int(e.findtext("code")), e.findtext("description")) for e in root]
    return root


def check(endpoint: str, response, fmt: str):
    outcome(endpoint, response)
    assert_no_server_error(response)
    assert response.status_code == 200 or response.status_code in ERROR_STATUSES
    body = read(response, fmt)
    if response.status_code >= 400:
        assert body, "an error without a description"
        for code, description in body:
            assert code == response.status_code
            assert description and description.strip()
    return body


date = st.one_of(
    st.sampled_from(
        [
            "2026-11-01",
            "2026-11-01T00:00:00Z",
            "2026-11-01T08:00:00+08:00",
            "9999-12-31",
            "9999-12-31T23:59:59-12:00",
            "0001-01-01",
            "0001-01-01T00:00:00+08:00",
            "2026-02-30",
            "2026-11-01T25:00:00",
            "2026-11-01T00:00:00+99:00",
        ]
    ),
    st.datetimes().map(lambda moment: moment.isoformat()),
    hostile_text,
)
filters = form_data(
    {
        "service_request_id": "ABCDEFGHJK,KBJCAWZ925",
        "service_code": "hazard,complaint",
        "start_date": "2026-11-01",
        "end_date": "2026-11-30T00:00:00+08:00",
        "status": "open,closed",
        "jurisdiction_id": "shangqiu",
    },
    hostile={"start_date": date, "end_date": date},
)


@examples(60)
@given(params=filters, fmt=FORMATS)
# 90 days past year 9999 or before year 1, or year 1 shifted to UTC: OverflowError, a 500.
@example(params={"start_date": "9999-12-31"}, fmt="json")
@example(params={"end_date": "0001-01-01"}, fmt="xml")
@example(params={"start_date": "0001-01-01T00:00:00+08:00"}, fmt="json")
@example(params={"start_date": "0001-01-01", "end_date": "0001-01-02"}, fmt="xml")
@example(params={"end_date": "9999-12-31T23:59:59-12:00"}, fmt="json")
def test_the_request_list_answers_any_filter_with_a_document(tree, params, fmt):
    query = urlencode(
        {
            key: [str(v) for v in value] if isinstance(value, list) else str(value)
            for key, value in params.items()
        },
        doseq=True,
    )
    endpoint = "open311: GET requests"
    with counted(endpoint):
        response = hostile_client().get(
            f"{reverse('feedback:open311_requests', args=[fmt])}?{query}"
        )
        check(endpoint, response, fmt)


@examples(40)
@given(
    name=st.sampled_from(["service", "request", "token"]),
    value=hostile_text.filter(lambda value: value not in ("", ".", "..")),
    fmt=FORMATS,
)
@example(name="request", value="\x00", fmt="json")  # a NUL: a 500 on PostgreSQL
@example(name="token", value="建设路\x00口", fmt="xml")
def test_an_id_in_the_address_is_answered_with_a_document(suggestion_a, name, value, fmt):
    url = reverse(f"feedback:open311_{name}", args=["XXXX", fmt]).replace(
        "XXXX", quote(value, safe="")
    )
    endpoint = "open311: GET services/requests/tokens by id"
    with counted(endpoint):
        response = hostile_client().get(url)
        if (
            response.status_code == 404
            and "Content-Type" in response
            and "html" in response["Content-Type"]
        ):
            # A "/" or a "." made it another address: Django's own 404 page, not the API's.
            outcome(endpoint, response)
            return
        check(endpoint, response, fmt)


VALID_POST = {
    "service_code": "hazard",
    "lat": "34.414123",
    "long": "115.656789",
    "address_string": "建设路与平原路交叉口",
    "address_id": "",
    "description": "建设路口井盖缺失，晚上很危险",
    "first_name": "三",
    "last_name": "张",
    "phone": "13812345678",
    "email": "rider@example.com",
    "device_id": "device-1",
    "account_id": "1",
    "media_url": "https://example.com/photo.jpg",
    "attribute[x]": "y",
}
coordinate = st.one_of(
    st.sampled_from(["nan", "inf", "-inf", "1e400", "90.0000001", "-180.0000001", "0x10", "1_0"]),
    st.floats().map(str),
    hostile_text,
)


@examples(60)
@given(
    data=form_data(VALID_POST, hostile={"lat": coordinate, "long": coordinate}),
    with_key=st.sampled_from(["right", "wrong", "missing", "in the query"]),
    fmt=FORMATS,
    encoding=st.sampled_from(["urlencoded", "multipart", "json"]),
)
def test_posting_a_request_answers_anything_with_a_document(
    tree, key, data, with_key, fmt, encoding
):
    url = reverse("feedback:open311_requests", args=[fmt])
    if with_key == "right":
        data = {**data, "api_key": key}
    elif with_key == "wrong":
        data = {**data, "api_key": "0" * 48}
    elif with_key == "in the query":
        url += f"?api_key={key}"
    endpoint = "open311: POST requests"
    with counted(endpoint):
        response = post(hostile_client(), url, data, encoding)
        check(endpoint, response, fmt)
        if with_key in ("wrong", "missing"):
            assert response.status_code == 403
        if response.status_code == 200:
            suggestion = Suggestion.objects.get()
            assert suggestion.channel == "open311"
            assert_round_trip(suggestion, fmt)
        else:
            assert not Suggestion.objects.exists()


description = st.one_of(st.sampled_from(PAYLOADS + NASTY), hostile_text)


@examples(30)
@given(description=description, address=st.one_of(st.sampled_from(PAYLOADS), hostile_text))
def test_what_a_client_posts_comes_back_intact_in_both_formats(tree, key, description, address):
    sent = {**VALID_POST, "api_key": key, "description": description, "address_string": address}
    endpoint = "open311: POST requests (stored)"
    with counted(endpoint):
        response = hostile_client().post(reverse("feedback:open311_requests", args=["json"]), sent)
        check(endpoint, response, "json")
        if response.status_code == 200:
            assert_round_trip(Suggestion.objects.get(), "xml")
            assert_round_trip(Suggestion.objects.get(), "json")


def assert_round_trip(suggestion, fmt):
    """GET requests/<id> gives back the stored text, mobile numbers masked: JSON exactly; XML
    well-formed, without the control characters XML 1.0 cannot carry, its line ends read as XML
    reads them (a CR becomes a LF)."""
    url = reverse("feedback:open311_request", args=[suggestion.public_id, fmt])
    response = hostile_client().get(url)
    body = check("open311: GET requests/<id> (stored)", response, fmt)
    description = open311.MOBILE_IN_TEXT.sub(r"\1****\2", suggestion.text)
    (request,) = body
    if fmt == "json":
        assert request["description"] == description
        assert request["address"] == (suggestion.address or None)
    else:
        assert request.findtext("service_request_id") == suggestion.public_id
        as_xml = open311.NOT_IN_XML.sub("", description).replace("\r\n", "\n").replace("\r", "\n")
        assert request.findtext("description") == as_xml
