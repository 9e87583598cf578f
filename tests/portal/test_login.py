from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone

from tests.factories import PASSWORD
from tests.signin import authenticator, code

pytestmark = pytest.mark.django_db

NAT_ADDRESS = "10.20.30.40"


def log_in(client, username, password, address=NAT_ADDRESS):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def fail_until_locked(client, username, settings, address=NAT_ADDRESS):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, username, "wrong password", address)


def test_the_login_page_is_in_chinese(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "工作人员登录" in response.text
    assert 'lang="zh-hans"' in response.text


def test_the_right_password_then_the_code_lead_to_the_staff_home_with_a_greeting(client, staff_a):
    device = authenticator(staff_a)
    response = log_in(client, "alice", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("staff_home")
    second_step = client.get(reverse("staff_home"))
    assert second_step["Location"] == reverse("second_factor") + "?next=/staff/"
    response = client.post(second_step["Location"], {"code": code(device), "next": "/staff/"})
    assert response["Location"] == "/staff/"
    assert "已登录：张敏。" in client.get(reverse("staff_home")).text


def test_a_logged_in_user_opening_the_login_page_goes_to_the_staff_home(client, staff_a):
    client.force_login(staff_a)
    assert client.get(reverse("login"))["Location"] == reverse("staff_home")


def test_a_wrong_password_says_so_in_chinese_and_logs_nobody_in(client, staff_a):
    response = log_in(client, "alice", "wrong password")
    assert response.status_code == 200
    assert "请输入一个正确的" in response.text
    assert "_auth_user_id" not in client.session


def test_repeated_wrong_passwords_lock_the_username_from_that_address(client, staff_a, settings):
    fail_until_locked(client, "alice", settings)
    response = log_in(client, "alice", PASSWORD)
    assert response.status_code == 429
    assert "登录失败次数过多" in response.text
    assert "15 分钟" in response.text
    assert "_auth_user_id" not in client.session


def test_a_locked_username_does_not_lock_colleagues_behind_the_same_nat(
    client, staff_a, staff_b, settings
):
    fail_until_locked(client, "alice", settings)
    assert log_in(client, "bob", PASSWORD).status_code == 302


def test_the_same_username_from_another_address_is_not_locked(client, staff_a, settings):
    fail_until_locked(client, "alice", settings)
    assert log_in(client, "alice", PASSWORD, address="192.0.2.7").status_code == 302


def test_the_lock_lifts_after_the_cool_off_time(client, staff_a, settings):
    fail_until_locked(client, "alice", settings)
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    )
    assert log_in(client, "alice", PASSWORD).status_code == 302


def test_logging_out_ends_the_session_and_says_so(client, staff_a):
    client.force_login(staff_a)
    response = client.post(reverse("logout"))
    assert response.status_code == 200
    assert "您已退出登录" in response.text
    assert client.get(reverse("staff_home")).status_code == 302


def test_logging_out_needs_a_post(client, staff_a):
    client.force_login(staff_a)
    assert client.get(reverse("logout")).status_code == 405
