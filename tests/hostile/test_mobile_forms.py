"""Hostile input to the forms that take a rider's mobile and then a texted code: registering,
checking in at a station, signing in to see one's points."""

from urllib.parse import urlencode, urlsplit

import pytest
from django.core.cache import cache
from django.urls import reverse
from hypothesis import example, given
from hypothesis import strategies as st

from registry.services import riders
from tests.hostile.strategies import (
    ENCODINGS,
    check_answer,
    counted,
    examples,
    form_data,
    hostile_client,
    hostile_text,
    post,
)
from tests.registry.test_register import form as registration
from tests.riders import sign_in_rider

pytestmark = pytest.mark.django_db

MOBILE = "13800000001"  # worker_a's
mobile_data = form_data({"mobile": MOBILE})
code_data = form_data({"code": "123456"})


def with_mobile_in_session(key: str):
    client = hostile_client()
    session = client.session
    session[key] = MOBILE
    session.save()
    return client


@examples(30)
@given(data=code_data, right_code=st.booleans(), encoding=ENCODINGS)
def test_the_registration_code_answers_anything_with_a_message(
    tree, sms, data, right_code, encoding
):
    with counted("registry:register_code"):
        cache.clear()  # each example's code is its first this minute
        client = hostile_client()
        client.post(reverse("registry:register"), registration(tree, mobile=MOBILE))
        if right_code:
            data = {**data, "code": sms.last_code(MOBILE)}
        response = post(client, reverse("registry:register_code"), data, encoding)
        check_answer("registry:register_code", response, data)
        assert response.status_code in (200, 302)


@examples(40)
@given(data=mobile_data, signed_in=st.booleans(), encoding=ENCODINGS)
def test_checking_in_answers_any_mobile_with_a_message(
    station_a, worker_a, sms, data, signed_in, encoding
):
    url = reverse("stations:check_in", args=[station_a.token])
    with counted("stations:check_in"):
        client = hostile_client()
        if signed_in:
            sign_in_rider(client, worker_a)
        response = post(client, url, data, encoding)
        check_answer("stations:check_in", response, data)
        assert response.status_code in (200, 302)


next_url = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "https://evil.example/",
            "//evil.example/",
            "/\\evil.example",
            "javascript:alert(1)",
            "\x00/me/",
            "/me/card/",
        ]
    ),
    hostile_text,
)


def refused_as_too_long(response, next_) -> bool:
    """Django answers 400 rather than redirect to a URL over 16,384 characters (DisallowedRedirect),
    which a `next` of thousands of characters makes."""
    return response.status_code == 400 and len(urlencode({"next": next_ or ""})) > 16_000


@examples(40)
@given(data=mobile_data, next_=next_url, encoding=ENCODINGS)
@example(data={"mobile": MOBILE}, next_="/" + "路" * 10_000, encoding="multipart")
def test_signing_in_answers_any_mobile_with_a_message(worker_a, sms, data, next_, encoding):
    url = reverse("registry:sign_in") + ("" if next_ is None else f"?{urlencode({'next': next_})}")
    with counted("registry:sign_in"):
        response = post(hostile_client(), url, data, encoding)
        check_answer("registry:sign_in", response, data)
        assert response.status_code in (200, 302) or refused_as_too_long(response, next_)


@examples(40)
@given(data=code_data, right_code=st.booleans(), next_=next_url, encoding=ENCODINGS)
# redirect() took a `next` with neither "/" nor "." for a URL name: NoReverseMatch, a 500.
@example(data={}, right_code=True, next_='"><img src=x onerror=alert(1)>', encoding="multipart")
@example(data={}, right_code=True, next_="<script>alert(1)</script>", encoding="multipart")
def test_the_sign_in_code_answers_anything_and_never_leaves_the_site(
    worker_a, sms, data, right_code, next_, encoding
):
    query = "" if next_ is None else f"?{urlencode({'next': next_})}"
    with counted("registry:sign_in_code"):
        client = with_mobile_in_session(riders.CODE_SENT)
        if right_code:
            client.post(reverse("registry:sign_in"), {"mobile": MOBILE})
            data = {**data, "code": sms.last_code(MOBILE)}
        response = post(client, reverse("registry:sign_in_code") + query, data, encoding)
        check_answer("registry:sign_in_code", response, data)
        assert response.status_code in (200, 302) or refused_as_too_long(response, next_)
        if response.status_code == 302:
            target = urlsplit(response["Location"])
            assert not target.scheme and not target.netloc, response["Location"]
            assert response["Location"].startswith("/") and not response["Location"].startswith(
                ("//", "/\\")
            )
