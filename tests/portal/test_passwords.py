"""Staff passwords: the rules a new one must meet, the history, expiry, and a new account (or one
an administrator set) choosing its own at the next sign-in."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal import passwords
from portal.models import AuditLog, PasswordHistory
from tests.factories import PASSWORD, UserFactory
from tests.signin import authenticator, code

pytestmark = pytest.mark.django_db

GOOD = "Qiuzhi-jianshe-7road"


def change(client, new, old=PASSWORD):
    return client.post(
        reverse("password_change"),
        {"old_password": old, "new_password1": new, "new_password2": new},
        follow=True,
    )


@pytest.fixture
def alice(client, staff_a):
    client.force_login(staff_a)
    return client


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Short-1a", "密码长度太短"),
        ("739184620573", "密码只包含数字"),
        ("password1234", "这个密码太常见了"),
        ("woaini1314520", "这是最常见的密码之一"),
        ("5201314woaini1314", "这是最常见的密码之一"),
        ("zhangwei19900101", "这是最常见的密码之一"),
    ],
)
def test_a_weak_password_is_refused_with_the_reason(alice, staff_a, password, message):
    response = change(alice, password)
    assert message in response.text
    staff_a.refresh_from_db()
    assert staff_a.check_password(PASSWORD)


def test_a_password_like_the_username_is_refused(client, tree):
    user = UserFactory(username="jianshelu2026", area=tree.community_a)
    client.force_login(user)
    response = change(client, "jianshelu2026!")
    assert "密码跟 用户名 太相似了" in response.text


def test_the_staff_home_links_to_changing_the_password(alice):
    page = alice.get(reverse("staff_home")).text
    assert f'href="{reverse("password_change")}">修改密码</a>' in page


def test_the_rules_are_shown_beside_the_new_password(alice):
    page = alice.get(reverse("password_change")).text
    assert "必须包含至少 12 个字符" in page
    assert "woaini1314" in page
    assert "最近 5 次" in page


def test_a_good_password_is_set_logged_and_the_session_goes_on(alice, staff_a):
    response = change(alice, GOOD)
    assert "新密码已设置" in response.text
    staff_a.refresh_from_db()
    assert staff_a.check_password(GOOD)
    assert staff_a.password_changed_at > timezone.now() - timedelta(minutes=1)
    assert alice.get(reverse("staff_home")).status_code == 200
    row = AuditLog.objects.get(action=AuditLog.Action.PASSWORD_CHANGED)
    assert row.user == staff_a and row.subject == staff_a
    assert GOOD not in row.description and PASSWORD not in row.description


def test_the_old_password_must_be_right(alice, staff_a):
    response = change(alice, GOOD, old="not-my-password")
    assert "旧密码不正确" in response.text
    assert not AuditLog.objects.filter(action=AuditLog.Action.PASSWORD_CHANGED).exists()


def test_none_of_the_last_passwords_may_come_back(alice, staff_a, settings):
    settings.PASSWORD_HISTORY = 2
    change(alice, GOOD)
    change(alice, "Second-good-pass-99", old=GOOD)
    response = change(alice, GOOD, old="Second-good-pass-99")
    assert "您最近用过这个密码" in response.text
    response = change(alice, "Second-good-pass-99", old="Second-good-pass-99")
    assert "您最近用过这个密码" in response.text
    # Only the hashes are kept, as many as the setting asks.
    assert PasswordHistory.objects.filter(user=staff_a).count() == 2
    assert not PasswordHistory.objects.filter(password__contains="Second").exists()
    change(alice, "Third-good-pass-77", old="Second-good-pass-99")
    response = change(alice, GOOD, old="Third-good-pass-77")
    assert "新密码已设置" in response.text


def test_an_expired_password_must_be_changed_after_the_code(client, staff_a, settings):
    settings.PASSWORD_EXPIRY_DAYS = 90
    staff_a.password_changed_at = timezone.now() - timedelta(days=91)
    staff_a.save()
    client.force_login(staff_a)
    response = client.get(reverse("registry:workers"))
    assert response["Location"].startswith(reverse("password_change") + "?next=")
    assert "您的密码已过期" in client.get(response["Location"]).text
    response = client.post(
        response["Location"],
        {
            "old_password": PASSWORD,
            "new_password1": GOOD,
            "new_password2": GOOD,
            "next": reverse("registry:workers"),
        },
    )
    assert response["Location"] == reverse("registry:workers")
    assert client.get(reverse("registry:workers")).status_code == 200


def test_passwords_do_not_expire_when_the_setting_is_off(alice, staff_a, settings):
    settings.PASSWORD_EXPIRY_DAYS = 0
    staff_a.password_changed_at = timezone.now() - timedelta(days=3000)
    staff_a.save()
    assert alice.get(reverse("staff_home")).status_code == 200


@pytest.mark.password_only
def test_with_an_expired_password_the_password_alone_cannot_change_it(client, staff_a, settings):
    settings.PASSWORD_EXPIRY_DAYS = 90
    staff_a.password_changed_at = timezone.now() - timedelta(days=91)
    staff_a.save()
    device = authenticator(staff_a)
    client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert client.get(reverse("password_change"))["Location"].startswith(reverse("second_factor"))
    change(client, GOOD)
    staff_a.refresh_from_db()
    assert staff_a.check_password(PASSWORD)
    response = client.post(reverse("second_factor"), {"code": code(device)})
    assert client.get(response["Location"])["Location"].startswith(reverse("password_change"))


@pytest.mark.password_only
def test_a_new_account_chooses_its_password_then_enrols(client, tree):
    newcomer = UserFactory(username="xiaowang", area=tree.community_a, password_changed_at=None)
    client.post(reverse("login"), {"username": "xiaowang", "password": PASSWORD})
    response = client.get(reverse("staff_home"))
    assert response["Location"].startswith(reverse("password_change"))
    assert "您的密码是管理员设置的" in client.get(response["Location"]).text
    # Enrolling is not yet open, nor is any staff page.
    assert client.get(reverse("second_factor_enrol")).status_code == 302
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": GOOD, "new_password2": GOOD},
    )
    assert client.get(response["Location"])["Location"].startswith(reverse("second_factor_enrol"))
    newcomer.refresh_from_db()
    assert not passwords.must_change(newcomer)


def test_a_password_an_administrator_sets_is_logged_and_must_be_changed(
    client, administrator, staff_a
):
    client.force_login(administrator)
    url = reverse("admin:auth_user_password_change", args=[staff_a.pk])
    response = client.post(
        url,
        {"password1": GOOD, "password2": GOOD, "usable_password": "true"},
        follow=True,
    )
    assert response.status_code == 200
    staff_a.refresh_from_db()
    assert staff_a.check_password(GOOD)
    assert passwords.must_change(staff_a)
    row = AuditLog.objects.get(action=AuditLog.Action.PASSWORD_CHANGED)
    assert row.user == administrator and row.subject == staff_a
    assert "root" in row.description and GOOD not in row.description

    alice = Client()
    alice.force_login(staff_a)
    assert alice.get(reverse("staff_home"))["Location"].startswith(reverse("password_change"))
