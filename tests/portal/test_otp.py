"""One-time codes: each purpose its own lifetime (ten minutes unless told), five guesses."""

import re

import pytest

from portal import otp
from tests import sms


@pytest.fixture(autouse=True)
def texts(settings):
    settings.SMS_BACKEND = "tests.sms.RecordingBackend"
    sms.outbox.clear()
    return sms.outbox


def test_a_code_lasts_ten_minutes_unless_its_purpose_says_otherwise(clock, texts):
    otp.send_code("withdraw", "13800000001")
    otp.send_code("short", "13800000001", seconds=300)
    withdraw_code, short_code = (re.search(r"\d{6}", text).group() for _to, text in texts)
    clock(301)
    assert otp.guesses_left("short", "13800000001") is None
    assert not otp.check_code("short", "13800000001", short_code)
    assert otp.check_code("withdraw", "13800000001", withdraw_code)


def test_a_code_kept_for_a_stranger_is_never_texted_but_counts_the_same(clock, texts):
    assert otp.send_code("sign-in", "13912345678", deliver=False)
    assert texts == []
    assert not otp.send_code("sign-in", "13912345678", deliver=False)  # one a minute
    assert not otp.check_code("sign-in", "13912345678", "123456")
    assert otp.guesses_left("sign-in", "13912345678") == 4
