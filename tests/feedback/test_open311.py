"""Open311 GeoReport v2 (wiki.open311.org/GeoReport_v2), field by field, in XML and in JSON."""

import json
import xml.etree.ElementTree as ET
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from feedback import apikeys, services
from feedback.models import (
    ApiKey,
    Category,
    Channel,
    IssueType,
    State,
    Suggestion,
    SuggestionPhoto,
)
from tests.factories import SuggestionFactory, TaskFactory, UserFactory

pytestmark = pytest.mark.django_db

FORMATS = ["xml", "json"]
SHANGHAI = ZoneInfo("Asia/Shanghai")
FRIDAY = datetime(2026, 11, 20, 9, 30, tzinfo=SHANGHAI)
SPEC_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]


def url(name, fmt, *args):
    return reverse(f"feedback:open311_{name}", args=[*args, fmt])


def plain(value):
    """One value as both formats can carry it: XML has text or nothing, JSON has types."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def read(response, fmt):
    """The body as a list of flat records (or one record), every value through plain()."""
    assert (
        response["Content-Type"]
        == {
            "xml": "text/xml; charset=utf-8",
            "json": "application/json; charset=utf-8",
        }[fmt]
    )
    if fmt == "json":
        data = response.json()
        if isinstance(data, dict):
            return {key: plain(value) for key, value in data.items()}
        return [{key: plain(value) for key, value in item.items()} for item in data]
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>\n')
    root = ET.fromstring(response.content)
    return [{child.tag: plain(child.text) for child in item} for item in root]


def error_codes(response, fmt, status):
    """The spec's errors document: HTTP status and each error's code and description."""
    assert response.status_code == status
    errors = read(response, fmt)
    if fmt == "xml":
        assert ET.fromstring(response.content).tag == "errors"
    assert errors and all(error["description"] for error in errors)
    return [error["code"] for error in errors]


@pytest.fixture
def key(tree):
    """A live API key of a rider-service app whose requests go to community A."""
    return apikeys.create_key("骑手帮 App", tree.community_a)[1]


@pytest.fixture
def worked_on(tree, department_x, media):
    """An accepted hazard with a department's task, a place, coordinates and two photos (the
    first one hidden by a moderator)."""
    suggestion = SuggestionFactory(
        area=tree.community_a,
        category=Category.HAZARD,
        text="建设路口井盖缺失，晚上很危险",
        state=State.ACCEPTED,
        assessed_at=FRIDAY + timedelta(hours=1),
        submitted_at=FRIDAY,
        address="建设路与平原路交叉口",
        latitude=Decimal("34.414123"),
        longitude=Decimal("115.656789"),
        name="王小明",
        mobile="13812345678",
    )
    for hidden in (True, False):
        SuggestionPhoto.objects.create(
            suggestion=suggestion,
            image=SimpleUploadedFile("p.jpg", b"jpeg"),
            thumbnail=SimpleUploadedFile("t.jpg", b"jpeg"),
            hidden=hidden,
        )
    TaskFactory(suggestion=suggestion, department=department_x, due_on=date(2026, 11, 27))
    return suggestion


def listed(client, fmt="json", **params):
    response = client.get(url("requests", fmt), params)
    assert response.status_code == 200
    return [item["service_request_id"] for item in read(response, fmt)]


# Discovery and services


@pytest.mark.parametrize("fmt", FORMATS)
def test_discovery_names_the_v2_endpoint_and_both_formats(client, settings, fmt):
    settings.SITE_URL = "https://portal.example.cn"
    response = client.get(url("discovery", fmt))
    assert response.status_code == 200
    if fmt == "json":
        document = response.json()
    else:
        root = ET.fromstring(response.content)
        endpoint = root.find("endpoints/endpoint")
        document = {child.tag: child.text for child in root if child.tag != "endpoints"}
        document["endpoints"] = [
            {child.tag: child.text for child in endpoint if child.tag != "formats"}
            | {"formats": [f.text for f in endpoint.find("formats")]}
        ]
    assert document["changeset"] and document["contact"] and document["key_service"]
    (endpoint,) = document["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "https://portal.example.cn/open311/v2"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert endpoint["type"] in ("production", "test")


@pytest.mark.parametrize("fmt", FORMATS)
def test_services_are_the_five_categories_first_with_every_field(client, fmt):
    """Then the issue types (tests/feedback/test_issue_types.py)."""
    services_ = read(client.get(url("services", fmt), headers={"accept-language": "en"}), fmt)
    assert [s["service_code"] for s in services_][:5] == Category.values
    hazard = services_[2]
    assert hazard["service_name"] == "Hazard snapshot"
    assert "hazard" in hazard["keywords"] and hazard["description"] and hazard["group"]
    assert all(s["metadata"] == "false" and s["type"] == "realtime" for s in services_)
    assert list(hazard) == [
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    ]


def test_service_names_follow_the_requests_language(client):
    default = client.get(url("services", "json")).json()[2]["service_name"]
    with translation.override("zh-hans"):
        assert default == str(Category.HAZARD.label)
    english = client.get(url("services", "json"), headers={"accept-language": "en"})
    assert english.json()[2]["service_name"] == "Hazard snapshot"


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_service_definition_has_its_code_and_no_attributes(client, fmt):
    response = client.get(url("service", fmt, "hazard"))
    assert response.status_code == 200
    if fmt == "json":
        assert response.json() == {"service_code": "hazard", "attributes": []}
    else:
        root = ET.fromstring(response.content)
        assert root.tag == "service_definition"
        assert root.findtext("service_code") == "hazard"
        assert list(root.find("attributes")) == []


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("code", ["pothole", "\x00", "a\x00b"])
def test_an_unknown_service_code_is_404_in_the_errors_format(client, fmt, code):
    assert error_codes(client.get(url("service", fmt, code)), fmt, 404) == ["404"]


def test_anyone_may_read_from_another_site_but_not_post(client, key):
    assert client.get(url("services", "json"))["Access-Control-Allow-Origin"] == "*"
    posted = client.post(url("requests", "json"), {**GOOD, "api_key": key})
    assert posted.status_code == 200 and "Access-Control-Allow-Origin" not in posted


def test_an_unknown_format_is_not_served(client):
    assert client.get("/open311/v2/services.html").status_code == 404


# GET requests: the fields


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_request_carries_every_field_of_the_spec(client, settings, worked_on, fmt):
    settings.SITE_URL = "https://portal.example.cn"
    response = client.get(url("requests", fmt), {"start_date": "2026-11-01T00:00:00Z"})
    (request,) = read(response, fmt)
    assert list(request) == SPEC_FIELDS
    assert worked_on.photos.filter(hidden=False).exists()
    assert request == {
        "service_request_id": worked_on.public_id,
        "status": "open",
        "status_notes": None,
        "service_name": request["service_name"],
        "service_code": "hazard",
        "description": "建设路口井盖缺失，晚上很危险",
        "agency_responsible": "梁园区市场监管局",
        "service_notice": request["service_notice"],
        "requested_datetime": "2026-11-20T09:30:00+08:00",
        "updated_datetime": request["updated_datetime"],
        "expected_datetime": "2026-11-27T23:59:59+08:00",
        "address": "建设路与平原路交叉口",
        "address_id": None,
        "zipcode": None,
        "lat": "34.414123",
        "long": "115.656789",
        "media_url": None,  # photos are private: staff and the tracking code's holder only
    }
    assert request["updated_datetime"].endswith("+08:00")
    with translation.override("zh-hans"):
        assert request["service_name"] == str(Category.HAZARD.label)
        assert request["service_notice"] == str(State.ACCEPTED.label)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_resolved_request_is_closed_with_the_reply_and_when_it_was_resolved(
    client, worked_on, staff_a, fmt
):
    worked_on.tasks.update(state="done", result="已补装井盖")
    services.resolve(worked_on, version=None, reply="井盖已补装，感谢反映。", by=staff_a)
    (request,) = read(client.get(url("request", fmt, worked_on.public_id)), fmt)
    assert request["status"] == "closed"
    assert request["status_notes"] == "井盖已补装，感谢反映。"
    assert request["expected_datetime"] is None
    assert request["updated_datetime"] == timezone.localtime(worked_on.resolved_at).isoformat(
        timespec="seconds"
    )


def test_a_rejected_request_answers_to_its_id_as_closed_with_the_reason(client, tree, staff_a):
    suggestion = SuggestionFactory(area=tree.community_a)
    services.reject(suggestion, version=None, reply="不属于受理范围", by=staff_a)
    (request,) = client.get(url("request", "json", suggestion.public_id)).json()
    assert (request["status"], request["status_notes"]) == ("closed", "不属于受理范围")


def test_a_duplicate_reports_its_originals_status_notes_and_agency(
    client, tree, worked_on, staff_a
):
    duplicate = SuggestionFactory(area=tree.community_a, text="井盖没了")
    services.mark_duplicate(duplicate, worked_on, version=None, by=staff_a)
    (request,) = client.get(url("request", "json", duplicate.public_id)).json()
    assert (request["status"], request["agency_responsible"]) == ("open", "梁园区市场监管局")
    worked_on.tasks.update(state="done", result="已补装")
    services.resolve(worked_on, version=None, reply="已补装井盖", by=staff_a)
    (request,) = client.get(url("request", "json", duplicate.public_id)).json()
    assert (request["status"], request["status_notes"]) == ("closed", "已补装井盖")
    assert request["description"] == "井盖没了"
    assert duplicate.public_id in listed(client, status="closed")
    assert duplicate.public_id not in listed(client, status="open")


def test_a_duplicate_of_a_duplicate_follows_the_chain(client, tree, staff_a):
    first, second, third = (SuggestionFactory(area=tree.community_a) for _ in range(3))
    services.mark_duplicate(third, second, version=None, by=staff_a)
    services.mark_duplicate(second, first, version=None, by=staff_a)
    services.reject(first, version=None, reply="信息不足", by=staff_a)
    (request,) = client.get(url("request", "json", third.public_id)).json()
    assert (request["status"], request["status_notes"]) == ("closed", "信息不足")
    assert third.public_id in listed(client, status="closed")


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_personal_data_and_no_tracking_code_in_any_response(
    client, tree, worked_on, staff_a, key, fmt
):
    worked_on.text = "井盖缺失，联系我13987654321"
    worked_on.created_by = staff_a
    worked_on.save()
    posted = client.post(
        url("requests", fmt),
        {
            "api_key": key,
            "service_code": "need",
            "address_string": "平原路",
            "description": "需要充电桩",
            "first_name": "晓",
            "last_name": "李",
            "phone": "13700001111",
            "email": "li@example.cn",
        },
    )
    new = Suggestion.objects.get(channel=Channel.OPEN311)
    bodies = [
        posted,
        client.get(url("requests", fmt)),
        client.get(url("requests", fmt), {"service_request_id": new.public_id}),
        client.get(url("request", fmt, worked_on.public_id)),
        client.get(url("token", fmt, new.public_id)),
    ]
    text = "".join(body.content.decode() for body in bodies)
    for secret in [
        "王小明",
        "13812345678",
        "13987654321",
        "李晓",
        "13700001111",
        "li@example.cn",
        staff_a.name,
        worked_on.tracking_code,
        new.tracking_code,
    ]:
        assert secret not in text
    assert "139****4321" in text


# GET requests: which ones, filters, limits


def test_only_assessed_suggestions_are_listed_and_each_answers_to_its_id(
    client, tree, staff_a, worked_on
):
    waiting = SuggestionFactory(area=tree.community_a)
    rejected = SuggestionFactory(area=tree.community_a)
    services.reject(rejected, version=None, reply="重复提交", by=staff_a)
    assert listed(client, start_date="2026-11-01") == [worked_on.public_id]
    ids = ",".join([waiting.public_id, rejected.public_id])
    assert sorted(listed(client, service_request_id=ids)) == sorted(ids.split(","))


def test_filters_by_service_code_status_and_dates(client, tree, staff_a):
    now = timezone.now()
    hazard = SuggestionFactory(
        area=tree.community_a, category="hazard", state="accepted", assessed_at=now
    )
    need = SuggestionFactory(
        area=tree.community_a,
        category="need",
        state="closed",
        assessed_at=now,
        submitted_at=now - timedelta(days=10),
    )
    helps = SuggestionFactory(
        area=tree.community_a,
        category="help",
        state="resolved",
        assessed_at=now,
        submitted_at=now - timedelta(days=30),
    )
    assert listed(client) == [hazard.public_id, need.public_id, helps.public_id]
    assert listed(client, service_code="need,help") == [need.public_id, helps.public_id]
    assert listed(client, status="open") == [hazard.public_id]
    assert listed(client, status="closed") == [need.public_id, helps.public_id]
    assert listed(client, status="open,closed") == listed(client)
    assert listed(client, service_code=["need", "help"]) == [need.public_id, helps.public_id]
    week_ago = (now - timedelta(days=7)).astimezone(ZoneInfo("UTC"))
    assert listed(client, start_date=week_ago.strftime("%Y-%m-%dT%H:%M:%SZ")) == [hazard.public_id]
    end = timezone.localtime(now - timedelta(days=20)).isoformat(timespec="seconds")
    assert listed(client, end_date=end) == [helps.public_id]
    # service_request_id overrides every other argument.
    assert listed(client, service_request_id=hazard.public_id, service_code="need") == [
        hazard.public_id
    ]


def test_the_default_range_is_the_last_90_days(client, tree):
    old = SuggestionFactory(
        area=tree.community_a,
        state="accepted",
        assessed_at=timezone.now(),
        submitted_at=timezone.now() - timedelta(days=100),
    )
    assert listed(client) == []
    start = (timezone.now() - timedelta(days=101)).date().isoformat()
    assert listed(client, start_date=start) == [old.public_id]


def test_at_most_the_limit_newest_first(client, tree, monkeypatch):
    monkeypatch.setattr("feedback.open311.MAX_REQUESTS", 3)
    made = [
        SuggestionFactory(
            area=tree.community_a,
            state="accepted",
            assessed_at=timezone.now(),
            submitted_at=timezone.now() - timedelta(hours=hours),
        )
        for hours in range(5)
    ]
    assert listed(client) == [s.public_id for s in made[:3]]


@pytest.mark.parametrize("count", [3, 30])
def test_the_list_takes_the_same_queries_for_3_or_30_requests(
    client, tree, department_x, media, django_assert_max_num_queries, count
):
    original = SuggestionFactory(
        area=tree.community_a, state="accepted", assessed_at=timezone.now()
    )
    TaskFactory(suggestion=original, department=department_x)
    for _ in range(count):
        suggestion = SuggestionFactory(
            area=tree.community_a, state="duplicate", original=original, assessed_at=timezone.now()
        )
        TaskFactory(suggestion=suggestion, department=department_x)
        SuggestionPhoto.objects.create(
            suggestion=suggestion,
            image=SimpleUploadedFile("p.jpg", b"jpeg"),
            thumbnail=SimpleUploadedFile("t.jpg", b"jpeg"),
        )
    with django_assert_max_num_queries(6):
        assert len(listed(client, "xml")) == count + 1


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "params",
    [
        {"start_date": "yesterday"},
        {"start_date": "2026-13-01T00:00:00Z"},
        {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"},
        {"start_date": "2026-06-01T00:00:00Z", "end_date": "2026-05-01T00:00:00Z"},
        {"status": "pending"},
        {"service_code": "pothole"},
        {"service_request_id": ",".join(["X"] * 1001)},
    ],
)
def test_bad_filters_are_400_in_the_errors_format(client, fmt, params):
    assert error_codes(client.get(url("requests", fmt), params), fmt, 400) == ["400"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_unknown_request_or_token_is_404(client, fmt):
    assert error_codes(client.get(url("request", fmt, "NOSUCHID")), fmt, 404) == ["404"]
    assert error_codes(client.get(url("token", fmt, "NOSUCHID")), fmt, 404) == ["404"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_token_gives_the_request_id(client, worked_on, fmt):
    (answer,) = read(client.get(url("token", fmt, worked_on.public_id)), fmt)
    assert answer == {"service_request_id": worked_on.public_id, "token": worked_on.public_id}


def test_undecodable_bytes_and_odd_requests_are_never_a_500(client, key):
    bodies = [b"description=%FF%FE&service_code=need&address_string=x", b"\xff\xfe", b"=&&=="]
    for body in bodies:
        response = client.generic(
            "POST",
            f"{url('requests', 'json')}?api_key={key}",
            body,
            content_type="application/x-www-form-urlencoded",
        )
        assert response.status_code in (200, 400)
    assert client.get(url("requests", "json") + "?status=%FF&start_date=%00").status_code == 400
    assert client.get(url("request", "json", "XXXX").replace("XXXX", "%FF")).status_code == 404


def test_markup_and_control_characters_come_back_escaped_and_well_formed(client, tree):
    text = "<script>alert('x')</script> & 路灯\x01坏了"
    suggestion = SuggestionFactory(area=tree.community_a, text=text)
    response = client.get(url("request", "xml", suggestion.public_id))
    assert b"<script>" not in response.content and b"&lt;script&gt;" in response.content
    assert ET.fromstring(response.content).findtext("request/description") == text.replace(
        "\x01", ""
    )
    as_json = client.get(url("request", "json", suggestion.public_id))
    assert json.loads(as_json.content)[0]["description"] == text


# POST requests


@pytest.mark.parametrize("fmt", FORMATS)
def test_posting_with_a_key_files_a_suggestion_in_the_keys_area(client, tree, key, fmt):
    response = client.post(
        url("requests", fmt),
        {
            "api_key": key,
            "jurisdiction_id": "nuanxin.example.cn",
            "service_code": "hazard",
            "lat": "34.41412345",
            "long": "115.656789",
            "description": "路口红绿灯坏了",
            "first_name": "三",
            "last_name": "张",
            "phone": "+86 138-0000-1234",
            "media_url": "http://example.com/photo.jpg",
            "device_id": "abc",
        },
    )
    assert response.status_code == 200
    (answer,) = read(response, fmt)
    assert set(answer) == {"service_request_id", "service_notice"}  # realtime: no token
    suggestion = Suggestion.objects.get(public_id=answer["service_request_id"])
    assert (suggestion.channel, suggestion.area, suggestion.state) == (
        Channel.OPEN311,
        tree.community_a,
        State.SUBMITTED,
    )
    assert (suggestion.category, suggestion.text) == ("hazard", "路口红绿灯坏了")
    assert (suggestion.latitude, suggestion.longitude) == (
        Decimal("34.414123"),
        Decimal("115.656789"),
    )
    assert (suggestion.name, suggestion.mobile) == ("张三", "13800001234")
    assert not suggestion.photos.exists()  # media_url is not fetched
    assert suggestion.events.get().kind == "submitted"
    (request,) = client.get(url("request", "json", answer["service_request_id"])).json()
    assert request["status"] == "open"


def test_posting_with_an_address_and_english_names(client, key):
    response = client.post(
        url("requests", "json"),
        {
            "api_key": key,
            "service_code": "need",
            "address_string": "12 Jianshe Road",
            "description": "x",
            "first_name": "Li",
            "last_name": "Wei",
        },
    )
    assert response.status_code == 200
    suggestion = Suggestion.objects.get()
    assert (suggestion.address, suggestion.name, suggestion.latitude) == (
        "12 Jianshe Road",
        "Li Wei",
        None,
    )


def test_the_key_can_come_in_the_query_string_and_no_csrf_token_is_needed(tree, key):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        f"{url('requests', 'xml')}?api_key={key}",
        {"service_code": "help", "address_string": "平原路", "description": "工资被拖欠"},
    )
    assert response.status_code == 200
    assert Suggestion.objects.filter(category="help").exists()


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_missing_wrong_or_revoked_key_is_403_and_files_nothing(client, tree, key, fmt):
    form = {"service_code": "hazard", "address_string": "平原路", "description": "井盖缺失"}
    assert error_codes(client.post(url("requests", fmt), form), fmt, 403) == ["403"]
    wrong = {**form, "api_key": key + "x"}
    assert error_codes(client.post(url("requests", fmt), wrong), fmt, 403) == ["403"]
    apikeys.revoke(ApiKey.objects.get())
    revoked = {**form, "api_key": key}
    assert error_codes(client.post(url("requests", fmt), revoked), fmt, 403) == ["403"]
    assert not Suggestion.objects.exists()


GOOD = {"service_code": "hazard", "lat": "34.4", "long": "115.6", "description": "井盖缺失"}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("changes", "status"),
    [
        ({"service_code": ""}, 400),
        ({"service_code": "pothole"}, 404),
        ({"description": ""}, 400),
        ({"description": "长" * 4001}, 400),
        ({"lat": "", "long": ""}, 400),
        ({"long": ""}, 400),
        ({"lat": "north"}, 400),
        ({"lat": "200"}, 400),
        ({"long": "NaN"}, 400),
        ({"lat": "inf"}, 400),
        ({"lat": "", "long": "", "address_id": "545483"}, 400),
        ({"address_string": "路" * 201}, 400),
        ({"phone": "12345"}, 400),
        ({"first_name": "名" * 20, "last_name": "姓" * 20}, 400),
        ({"description": "a\x00b"}, 400),
    ],
)
def test_bad_input_is_refused_with_the_spec_status_and_files_nothing(
    client, key, fmt, changes, status
):
    response = client.post(url("requests", fmt), {**GOOD, "api_key": key, **changes})
    assert error_codes(response, fmt, status) == [str(status)]
    assert not Suggestion.objects.exists()


def test_a_4000_character_description_is_accepted(client, key):
    text = "<b>路灯</b>" + "长" * 3991
    assert len(text) == 4000
    response = client.post(url("requests", "json"), {**GOOD, "api_key": key, "description": text})
    assert response.status_code == 200
    assert Suggestion.objects.get().text == text


def test_several_problems_are_several_errors(client, key):
    response = client.post(url("requests", "json"), {"api_key": key, "service_code": "need"})
    descriptions = [error["description"] for error in response.json()]
    assert response.status_code == 400 and len(descriptions) == 2
    assert descriptions[0].startswith("description: ")


def test_posting_is_rate_limited_per_key(client, tree, key, limit):
    limit("open311:key", 2)
    for _ in range(2):
        assert client.post(url("requests", "json"), {**GOOD, "api_key": key}).status_code == 200
    refused = client.post(url("requests", "json"), {**GOOD, "api_key": key})
    assert error_codes(refused, "json", 429) == ["429"]
    assert refused["Retry-After"]
    other = apikeys.create_key("另一个应用", tree.community_b)[1]
    assert client.post(url("requests", "json"), {**GOOD, "api_key": other}).status_code == 200
    assert Suggestion.objects.count() == 3


@pytest.mark.parametrize("fmt", FORMATS)
def test_other_methods_are_405_in_the_errors_format(client, fmt):
    assert error_codes(client.put(url("requests", fmt)), fmt, 405) == ["405"]
    response = client.post(url("services", fmt))
    assert error_codes(response, fmt, 405) == ["405"]
    assert response["Allow"] == "GET"


# API keys: admin and command


def test_an_administrator_makes_a_key_in_admin_sees_it_once_and_revokes_it(
    client, tree, administrator
):
    administrator.is_staff = administrator.is_superuser = True
    administrator.save()
    client.force_login(administrator)
    add_page = client.get(reverse("admin:feedback_apikey_add")).content.decode()
    assert 'name="name"' in add_page and 'name="prefix"' not in add_page
    response = client.post(
        reverse("admin:feedback_apikey_add"),
        {"name": "骑手帮 App", "area": tree.community_a.pk},
        follow=True,
    )
    (shown,) = [m for m in response.context["messages"] if m.level_tag == "warning"]
    raw = str(shown).rsplit(" ", 1)[1]
    key = ApiKey.objects.get()
    assert (key.name, key.area, key.created_by) == ("骑手帮 App", tree.community_a, administrator)
    assert raw.startswith(key.prefix) and raw not in key.key_hash
    assert apikeys.authenticate(raw) == key
    for page in [
        client.get(reverse("admin:feedback_apikey_change", args=[key.pk])),
        client.get(reverse("admin:feedback_apikey_changelist"), {"q": key.prefix}),
    ]:
        assert page.status_code == 200
        assert key.prefix in page.content.decode() and raw not in page.content.decode()
    client.post(
        reverse("admin:feedback_apikey_changelist"),
        {"action": "revoke", "_selected_action": [key.pk]},
    )
    assert apikeys.authenticate(raw) is None
    form = {**GOOD, "api_key": raw}
    assert client.post(url("requests", "json"), form).status_code == 403


def test_the_open311_key_command_creates_lists_and_revokes(tree, capsys):
    call_command("open311_key", "create", "--name", "骑手帮 App", "--area", tree.community_a.code)
    raw = capsys.readouterr().out.splitlines()[1]
    key = apikeys.authenticate(raw)
    assert key.area == tree.community_a
    call_command("open311_key", "list")
    listing = capsys.readouterr().out
    assert key.prefix in listing and "live" in listing and raw not in listing
    call_command("open311_key", "revoke", key.prefix)
    assert apikeys.authenticate(raw) is None
    with pytest.raises(CommandError):
        call_command("open311_key", "revoke", key.prefix)
    with pytest.raises(CommandError):
        call_command("open311_key", "create", "--name", "x", "--area", "000000")


def test_the_command_refuses_a_prefix_that_names_two_keys(tree):
    first = apikeys.create_key("甲", tree.community_a)[0]
    second = apikeys.create_key("乙", tree.community_a)[0]
    ApiKey.objects.filter(pk=second.pk).update(prefix=first.prefix[:4] + "zzzz")
    with pytest.raises(CommandError):
        call_command("open311_key", "revoke", first.prefix[:4])
    assert not ApiKey.objects.filter(revoked_at__isnull=False).exists()


# A real client over HTTP


@pytest.mark.django_db(transaction=True)
def test_the_georeport_client_from_pypi_reads_what_was_posted(live_server, tree):
    """georeport (PyPI) reads services, definitions and requests; it cannot post, so the
    request is posted with requests, the HTTP library georeport itself uses."""
    import requests
    from georeport import GeoReport

    staff = UserFactory(username="s", area=tree.community_a, role="community_staff")
    # Its own: a transactional test may find the seeded issue types flushed by an earlier one.
    IssueType.objects.get_or_create(
        code="hazard-manhole", defaults={"category": "hazard", "name": "井盖破损"}
    )
    raw = apikeys.create_key("骑手帮 App", tree.community_a)[1]
    root = f"{live_server.url}/open311/v2"
    posted = requests.post(
        f"{root}/requests.json",
        data={
            "api_key": raw,
            "service_code": "hazard",
            "lat": "34.4",
            "long": "115.6",
            "description": "井盖缺失",
        },
        timeout=10,
    )
    assert posted.status_code == 200
    request_id = posted.json()[0]["service_request_id"]
    services.accept(Suggestion.objects.get(public_id=request_id), version=None, by=staff)

    for fmt in FORMATS:
        client = GeoReport(root, output_format=fmt)
        codes = [service["service_code"] for service in client.get_service_list()]
        assert codes[:5] == Category.values and "hazard-manhole" in codes
        assert client.get_service_definition("hazard")["service_code"] == "hazard"
        found = client.get_service_requests(service_code="hazard", status="open")
        found = found if isinstance(found, list) else [found]
        assert [request["service_request_id"] for request in found] == [request_id]
        one = client.get_service_request(request_id)
        assert (one["status"], one["service_code"]) == ("open", "hazard")
        assert one["requested_datetime"].endswith("+08:00")
        with pytest.raises(requests.HTTPError):
            client.get_service_request("NOSUCHID")
