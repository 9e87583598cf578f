"""Each public form's limits per client address, per mobile and per station: they bite, nothing
is stored past them, and they lift when their window has passed. Then the client address behind
a proxy, and the counters kept in Redis across processes."""

import sys

import pytest
from django.core.cache import cache
from django.test import Client, RequestFactory
from django.urls import reverse

from feedback import apikeys
from feedback.models import Suggestion
from portal import ratelimit
from registry.models import Worker
from stations.models import StationVisit
from tests.factories import StationFactory, SuggestionFactory, WorkerFactory
from tests.feedback.test_public import data as suggestion
from tests.feedback.test_public import station_form
from tests.registry.test_register import form as registration
from tests.riders import sign_in_rider

pytestmark = pytest.mark.django_db

HOUR = 60 * 60
NETWORK, OTHER_NETWORK = "198.51.100.7", "203.0.113.9"


@pytest.fixture
def station(tree, media):
    return StationFactory(name="建设路暖心驿站", area=tree.community_a)


@pytest.fixture
def texts(monkeypatch):
    sent = []
    monkeypatch.setattr("portal.otp.send_sms", lambda mobile, text: sent.append(mobile))
    return sent


def post(client, url, data, address=NETWORK):
    return client.post(url, data, REMOTE_ADDR=address)


def register(client, tree, mobile, address=NETWORK):
    return post(client, reverse("registry:register"), registration(tree, mobile=mobile), address)


def test_registrations_are_limited_per_network_and_lift_after_the_hour(client, tree, limit, clock):
    limit("register:address", 2)
    assert register(client, tree, "13800000001").status_code == 302
    assert register(client, tree, "13800000002").status_code == 302
    refused = register(client, tree, "13800000003")
    assert refused.status_code == 429
    assert "内容没有保存" in refused.text
    assert not Worker.objects.filter(mobile="13800000003").exists()
    assert register(client, tree, "13800000003", OTHER_NETWORK).status_code == 302
    clock(HOUR)
    assert register(client, tree, "13800000004").status_code == 302


def test_registrations_are_limited_per_mobile_whatever_the_network(client, tree, limit, clock):
    limit("register:mobile", 1)
    assert register(client, tree, "13800000001").status_code == 302
    assert register(client, tree, "13800000001", OTHER_NETWORK).status_code == 429
    clock(HOUR)
    assert register(client, tree, "13800000001", OTHER_NETWORK).status_code == 302


@pytest.mark.parametrize(
    ("name", "first", "second"),
    [
        # (limit, first post's (address, mobile), second's): the second is refused
        ("suggest:address", (NETWORK, "13800000001"), (NETWORK, "13800000002")),
        ("suggest:mobile", (NETWORK, "13800000001"), (OTHER_NETWORK, "13800000001")),
        ("suggest:station", (NETWORK, "13800000001"), (OTHER_NETWORK, "13800000002")),
    ],
)
def test_suggestions_are_limited_per_network_mobile_and_station(
    client, station, limit, clock, name, first, second
):
    limit(name, 1)
    url = station_form(station)
    assert post(client, url, suggestion(mobile=first[1]), first[0]).status_code == 302
    assert post(client, url, suggestion(mobile=second[1]), second[0]).status_code == 429
    assert Suggestion.objects.count() == 1
    clock(HOUR)
    assert post(client, url, suggestion(mobile=second[1]), second[0]).status_code == 302


def test_another_stations_suggestions_are_not_held_up_by_a_busy_one(client, tree, station, limit):
    limit("suggest:station", 1)
    other = StationFactory(area=tree.community_a)
    assert post(client, station_form(station), suggestion()).status_code == 302
    assert post(client, station_form(station), suggestion(), OTHER_NETWORK).status_code == 429
    assert post(client, station_form(other), suggestion(), OTHER_NETWORK).status_code == 302


def check_in(station, worker, address=NETWORK):
    """The signed-in rider's one tap, from a phone of its own."""
    client = sign_in_rider(Client(), worker)
    return post(client, reverse("stations:check_in", args=[station.token]), {}, address)


@pytest.mark.parametrize(
    ("name", "second_is_same_rider"),
    [("check-in:mobile", True), ("check-in:station", False)],
)
def test_check_ins_are_limited_per_mobile_and_station(
    tree, station, limit, clock, name, second_is_same_rider
):
    first = WorkerFactory(area=tree.community_a, mobile="13900000001")
    second = (
        first
        if second_is_same_rider
        else WorkerFactory(area=tree.community_a, mobile="13900000002")
    )
    limit(name, 1, 600)
    assert check_in(station, first).status_code == 302
    refused = check_in(station, second, OTHER_NETWORK)
    assert refused.status_code == 429
    assert "太多" in refused.text
    assert StationVisit.objects.count() == 1
    clock(HOUR)
    assert check_in(station, second, OTHER_NETWORK).status_code == 302
    # The same rider again within 30 minutes (of the database's clock) is the same visit.
    assert StationVisit.objects.count() == (1 if second_is_same_rider else 2)


@pytest.mark.parametrize("page", ["registry:sign_in", "stations:check_in"])
def test_texted_codes_are_limited_per_network(client, tree, station, texts, limit, clock, page):
    url = reverse(page, args=[station.token] if page == "stations:check_in" else [])
    limit("sms-code:address", 2)
    for mobile in ["13800000001", "13800000002"]:
        assert post(client, url, {"mobile": mobile}).status_code == 302
    refused = post(client, url, {"mobile": "13800000003"})
    assert "这个网络获取验证码的次数太多" in refused.text
    assert post(client, url, {"mobile": "13800000003"}, OTHER_NETWORK).status_code == 302
    clock(HOUR)
    assert post(client, url, {"mobile": "13800000004"}).status_code == 302


def test_texted_codes_per_number_count_sign_in_and_registration_together(
    client, tree, texts, limit, clock
):
    mobile = "13800000001"
    limit("sms-code:mobile", 2)
    assert post(client, reverse("registry:sign_in"), {"mobile": mobile}).status_code == 302
    clock(61)
    assert register(client, tree, mobile).status_code == 302
    clock(61)
    refused = post(client, reverse("registry:sign_in"), {"mobile": mobile}, OTHER_NETWORK)
    assert "这个号码一小时内已获取 2 次验证码" in refused.text
    assert len(texts) == 2
    clock(HOUR)
    assert post(client, reverse("registry:sign_in"), {"mobile": mobile}).status_code == 302
    assert len(texts) == 3


def test_guessing_tracking_codes_is_stopped_per_network_and_lifts(client, tree, limit, clock):
    suggestion = SuggestionFactory(area=tree.community_a)
    track = reverse("feedback:track", args=[suggestion.tracking_code])
    limit("track-miss:address", 2, 600)
    for _ in range(2):
        unknown = reverse("feedback:track", args=["ABCDEFGHJK"])
        assert client.get(unknown, REMOTE_ADDR=NETWORK).status_code == 404
    assert client.get(track, REMOTE_ADDR=NETWORK).status_code == 429  # even the right code
    assert client.get(track, REMOTE_ADDR=OTHER_NETWORK).status_code == 200
    clock(600)
    assert client.get(track, REMOTE_ADDR=NETWORK).status_code == 200


def test_open311_posts_are_limited_per_key_and_lift(client, tree, limit, clock):
    key = apikeys.create_key("骑手帮 App", tree.community_a)[1]
    url = reverse("feedback:open311_requests", args=["json"])
    request = {"service_code": "hazard", "lat": "34.4", "long": "115.6", "description": "井盖缺失"}
    limit("open311:key", 1)
    assert client.post(url, {**request, "api_key": key}).status_code == 200
    refused = client.post(url, {**request, "api_key": key})
    assert refused.status_code == 429 and refused["Retry-After"] == "3600"
    clock(HOUR)
    assert client.post(url, {**request, "api_key": key}).status_code == 200
    assert Suggestion.objects.count() == 2


def test_a_mobile_number_is_not_kept_in_the_counters_key(settings):
    # A local-memory cache, whose keys can be listed; the key is made the same for Redis.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    ratelimit.allow("suggest:mobile", "13812345678")
    assert not [key for key in cache._cache if "13812345678" in key]


def test_a_typo_in_a_rate_limits_name_stops_start_up():
    from tests.portal.test_settings import run

    result = run([sys.executable, "manage.py", "check"], RATE_LIMITS='{"suggest:adress": [1, 60]}')
    assert result.returncode == 1
    assert "RATE_LIMITS names no such limit: suggest:adress" in result.stderr


@pytest.mark.parametrize(
    "limits",
    [
        '{"suggest:address": 40}',
        '{"suggest:address": [40, -1]}',
        '{"suggest:address": ["40", 3600]}',
    ],
)
def test_a_rate_limit_that_is_not_two_whole_numbers_stops_start_up(limits):
    from tests.portal.test_settings import run

    result = run([sys.executable, "manage.py", "check"], RATE_LIMITS=limits)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(
        "Configuration error: RATE_LIMITS suggest:address must be [attempts, seconds]"
    )


# The client address behind a proxy


def address(settings, proxies, remote, forwarded=None, trusted=("127.0.0.1",)):
    settings.PROXY_COUNT = proxies
    settings.PROXY_ADDRESSES = list(trusted)
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return ratelimit.client_address(RequestFactory().get("/", **meta))


def test_without_a_proxy_forwarded_addresses_are_ignored(settings):
    assert address(settings, 0, NETWORK, forwarded="10.9.9.9") == NETWORK


def test_behind_one_proxy_the_address_it_appended_counts_not_what_the_client_wrote(settings):
    assert address(settings, 1, "127.0.0.1", forwarded=NETWORK) == NETWORK
    assert address(settings, 1, "127.0.0.1", forwarded=f"10.9.9.9, {NETWORK}") == NETWORK
    assert address(settings, 1, "127.0.0.1") == "127.0.0.1"  # the proxy's own health check


def test_behind_two_proxies_the_outer_ones_address_counts(settings):
    forwarded = f"10.9.9.9, {NETWORK}, 10.0.0.2"
    assert address(settings, 2, "127.0.0.1", forwarded=forwarded) == NETWORK


def test_forwarded_addresses_are_believed_only_from_the_proxy(settings):
    assert address(settings, 1, OTHER_NETWORK, forwarded="10.9.9.9") == OTHER_NETWORK
    assert address(settings, 1, "172.18.0.3", forwarded=NETWORK, trusted=["*"]) == NETWORK


def test_a_forwarded_value_that_is_no_address_is_not_believed(settings):
    assert address(settings, 1, "127.0.0.1", forwarded="<script>") == "127.0.0.1"


def test_the_staff_login_lock_takes_its_address_from_behind_the_proxy(client, staff_a, settings):
    from tests.factories import PASSWORD

    settings.PROXY_COUNT = 1
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("login"),
            {"username": "alice", "password": "wrong"},
            HTTP_X_FORWARDED_FOR=NETWORK,
        )
    locked = client.post(
        reverse("login"), {"username": "alice", "password": PASSWORD}, HTTP_X_FORWARDED_FOR=NETWORK
    )
    assert locked.status_code == 429
    # Alice at another network, behind the same proxy, is not locked out.
    elsewhere = client.post(
        reverse("login"),
        {"username": "alice", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR=OTHER_NETWORK,
    )
    assert elsewhere.status_code == 302


# Counted in Redis: every web process sees the same count


COUNT_ONCE = """
import django
django.setup()
from portal import ratelimit
print(ratelimit.allow("suggest:address", "198.51.100.7"))
"""


@pytest.mark.services
def test_the_counters_are_shared_by_every_process_through_redis(settings, limit):
    from tests.portal.test_settings import run

    assert "Redis" in settings.CACHES["default"]["BACKEND"]
    limit("suggest:address", 3)
    variables = {"REDIS_URL": settings.REDIS_URL, "RATE_LIMITS": '{"suggest:address": [3, 3600]}'}
    # Two other interpreters, as two gunicorn workers would be.
    answers = [run([sys.executable, "-c", COUNT_ONCE], **variables).stdout.strip() for _ in "ab"]
    assert answers == ["True", "True"]
    assert ratelimit.allow("suggest:address", NETWORK)  # the third, in this process
    assert not ratelimit.allow("suggest:address", NETWORK)


@pytest.mark.services
def test_in_redis_each_limit_is_counted_and_its_counter_expires_with_its_window(settings, limit):
    from django.core.cache import cache

    limit("check-in:station", 1, seconds=60)
    limit("check-in:mobile", 5, seconds=600)
    station, mobile = ("check-in:station", "redis-window"), ("check-in:mobile", "13800009999")
    assert ratelimit.allow_all(station, mobile)
    assert not ratelimit.allow_all(station, mobile)  # the station's one is used up
    assert ratelimit.allow_all(mobile)  # the mobile's third of five
    redis = cache._cache.get_client()
    windows = {
        name: redis.ttl(cache.make_key(ratelimit._bucket(name, key, seconds)))
        for (name, key), seconds in ((station, 60), (mobile, 600))
    }
    assert 0 < windows["check-in:station"] <= 60
    assert 60 < windows["check-in:mobile"] <= 600
    assert cache.get(ratelimit._bucket(*mobile, 600)) == 3
