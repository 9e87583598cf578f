"""What hostile input looks like, and what every answer to it must be.

The strategies mix a fixed list of nasty samples (markup, SQL, NUL, 10,000 characters, the RTL
override, emoji, mixed scripts) with hypothesis' own text (control characters included; no lone
surrogates, which no UTF-8 request can carry), wrong types (lists, numbers, files where text is
expected) and missing fields. The checks: never a 5xx; a redisplayed form says what is wrong, in
the visitor's language; markup sent in comes back escaped wherever it is shown.
"""

import json
import os
import re
import traceback
from collections import Counter, defaultdict
from contextlib import contextmanager
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.utils.html import escape
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# Examples run per form or endpoint, and what they got (shown after the run, by conftest.py).
RUNS: Counter = Counter()
OUTCOMES: defaultdict = defaultdict(Counter)


# On CI the same examples every run, so a red run is reproducible and says nothing about luck;
# elsewhere new ones each time (a failure prints how to reproduce it).
ON_CI = bool(os.environ.get("CI"))


def examples(count: int):
    """Hypothesis settings for one form's test: `count` examples, no deadline (a request that
    renders a page is slow next to a pure function), no example database left in the checkout."""
    return settings(
        max_examples=count,
        deadline=None,
        database=None,
        derandomize=ON_CI,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


# Markup that must never come back raw: each is long enough never to occur in a page by chance.
PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "<svg/onload=alert(2)>",
    "</textarea><script>alert(3)</script>",
    "'><iframe src=javascript:alert(4)>",
]
NASTY = [
    *PAYLOADS,
    "'; DROP TABLE registry_worker; --",
    "' OR '1'='1' --",
    "1); SELECT pg_sleep(5); --",
    "%00",
    "\x00",
    "建设路\x00口",
    "x" * 10_000,
    "路" * 10_000,
    "\u202egpj.exe",
    "建设路\u202e口井盖\u202c缺失",
    "🚴‍♂️🔥😀👍🏽🇨🇳",
    "张三 Ivan Иванов ヤマダ 김철수 محمد",
    "{{ request }}{% debug %}${7*7}%s%n",
    "\r\nSet-Cookie: hacked=1",
    "\u200b\u200d\ufeff",
    "\x1b[2J\x07\x08\x0b\x0c\x7f",
    "１３８００１３８０００",  # full-width digits, as a Chinese IME types them
    "13٨٠٠١٣٨٠٠٠",  # Arabic-Indic digits after "13"
    "13800138000\n",
    "NaN",
    "-Infinity",
    "1e400",
    "-0",
    "0x10",
    "9999-12-31",
    "0001-01-01T00:00:00+08:00",
    "../../../etc/passwd",
    "javascript:alert(1)",
    " ",
    "",
]
CHARACTERS = st.characters(codec="utf-8")  # control characters and NUL included, no surrogates

hostile_text = st.one_of(
    st.sampled_from(NASTY),
    st.text(CHARACTERS, max_size=200),
    st.builds(
        lambda before, payload, after: before + payload + after,
        st.text(CHARACTERS, max_size=30),
        st.sampled_from(PAYLOADS),
        st.text(CHARACTERS, max_size=30),
    ),
    # Long text without generating every character: one character many times.
    st.builds(lambda character, count: character * count, CHARACTERS, st.integers(3000, 12000)),
)
wrong_type = st.one_of(
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.lists(st.one_of(hostile_text, st.integers()), max_size=3),  # a field sent several times
    st.builds(
        lambda content: SimpleUploadedFile("x.txt", content, content_type="text/plain"),
        st.binary(max_size=64),
    ),
)
hostile_value = st.one_of(hostile_text, hostile_text, wrong_type)

MISSING = object()


def form_data(valid: dict, hostile: dict | None = None) -> st.SearchStrategy:
    """A form's fields, each missing, valid (a value, or a strategy making one: a file cannot be
    sent twice), or hostile (`hostile` overrides that strategy for some fields), and now and then
    a field the form does not know."""
    hostile = hostile or {}
    fields = {
        name: st.one_of(
            st.just(MISSING),
            value if isinstance(value, st.SearchStrategy) else st.just(value),
            hostile.get(name, hostile_value),
        )
        for name, value in valid.items()
    }
    unknown = st.dictionaries(
        st.sampled_from(["id", "pk", "state", "is_staff", "csrf"]), hostile_text
    )
    return st.builds(
        lambda data, extra: {
            **extra,
            **{name: value for name, value in data.items() if value is not MISSING},
        },
        st.fixed_dictionaries(fields),
        st.one_of(st.just({}), unknown),
    )


ENCODINGS = st.sampled_from(["multipart", "urlencoded", "json"])


def post(client: Client, url: str, data: dict, encoding: str = "multipart", **extra):
    """POST `data` as a browser's multipart form, a urlencoded one, or (a wrong content type)
    JSON; files go as multipart whatever was asked."""
    has_files = any(
        isinstance(value, SimpleUploadedFile)
        or (isinstance(value, list) and any(isinstance(v, SimpleUploadedFile) for v in value))
        for value in data.values()
    )
    if encoding == "multipart" or has_files:
        return client.post(url, data, **extra)
    if encoding == "urlencoded":
        body = urlencode({key: _plain(value) for key, value in data.items()}, doseq=True)
        return client.post(url, body, content_type="application/x-www-form-urlencoded", **extra)
    body = json.dumps({key: _plain(value) for key, value in data.items()})
    return client.post(url, body, content_type="application/json", **extra)


def _plain(value):
    if isinstance(value, list):
        return [str(item) for item in value]
    return str(value)


def hostile_client(**defaults) -> Client:
    """A client that shows a 500 as a status instead of raising the view's exception."""
    return Client(raise_request_exception=False, **defaults)


def _refuse_nul(execute, sql, params, many, context):
    """PostgreSQL refuses a NUL in a query's text ("A string literal cannot contain NUL"): do
    the same on SQLite, so a lookup with a NUL fails on both, not only on CI's second pass."""
    rows = params if many else [params]
    for row in rows or []:
        values = row.values() if isinstance(row, dict) else (row or [])
        if any(isinstance(value, str) and "\x00" in value for value in values):
            raise ValueError("A string literal cannot contain NUL (0x00) characters.")
    return execute(sql, params, many, context)


@contextmanager
def counted(form: str):
    """One example: counted, with an empty cache (rate limits and one-time codes), and rolled
    back afterwards, so each example starts from the fixtures' data."""
    RUNS[form] += 1
    cache.clear()
    with transaction.atomic(), connection.execute_wrapper(_refuse_nul):
        yield
        transaction.set_rollback(True)


def outcome(form: str, response) -> None:
    OUTCOMES[form][response.status_code] += 1


def assert_no_server_error(response) -> None:
    if response.status_code >= 500:
        detail = ""
        if getattr(response, "exc_info", None):
            detail = "".join(traceback.format_exception(*response.exc_info))
        pytest.fail(f"{response.status_code} for {response.wsgi_request.get_full_path()}\n{detail}")


CJK = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]")


def html(response) -> str:
    return response.content.decode("utf-8", errors="replace")


def assert_never_raw(page: str, *sent) -> None:
    """No payload that went in comes back as markup."""
    for value in _strings(sent):
        for payload in PAYLOADS:
            if payload in value:
                assert payload not in page, f"{payload!r} shown unescaped"


def _strings(values):
    for value in values:
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            yield from _strings(value.values())
        elif isinstance(value, list | tuple):
            yield from _strings(value)


def form_in(response, key: str = "form"):
    """The bound form the page was rendered with, or None."""
    if response.context is None:
        return None
    try:
        form = response.context[key]
    except KeyError:
        return None
    return form if getattr(form, "is_bound", False) else None


def assert_clear_refusal(response, key: str = "form") -> list[str]:
    """A redisplayed form shows each of its errors, and each is in Chinese (zh-Hans is the
    default language: no Accept-Language, no cookie). Returns the messages."""
    form = form_in(response, key)
    assert form is not None, "no form on the page"
    messages = [str(message) for errors in form.errors.values() for message in errors]
    assert messages, "the form came back without saying what is wrong"
    page = html(response)
    for message in messages:
        assert escape(message) in page, f"error not shown: {message!r}"
        assert CJK.search(message), f"error not in Chinese: {message!r}"
    return messages


def check_answer(form: str, response, sent, key: str = "form") -> None:
    """What every answer to hostile input must be: no 5xx; a bound form redisplayed with a
    clear message; no payload raw in the page."""
    outcome(form, response)
    assert_no_server_error(response)
    if response.status_code == 200 and form_in(response, key) is not None:
        assert_clear_refusal(response, key)
    if response.get("Content-Type", "").startswith("text/html"):
        assert_never_raw(html(response), sent)
