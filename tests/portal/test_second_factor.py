"""The second step of a staff sign-in: the code after the password, enrolling an authenticator,
recovery codes, texted codes, and an administrator resetting a lost device."""

import base64
import re
from datetime import timedelta
from io import BytesIO

import pytest
import zxingcpp
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from PIL import Image

from portal import second_factor
from portal.models import AuditLog, SecondFactor
from tests.factories import PASSWORD, UserFactory
from tests.signin import authenticator, code
from tests.sms import last_code

pytestmark = [pytest.mark.django_db, pytest.mark.password_only]

MOBILE = "13800001234"


def password_step(client, user):
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def enter(client, code_text):
    return client.post(reverse("second_factor"), {"code": code_text}, follow=True)


def verified(client) -> bool:
    return client.get(reverse("staff_home")).status_code == 200


def unlocked(device):
    """As if the wait after a wrong code were over (django-otp's throttling runs on its clock)."""
    device.refresh_from_db()
    device.throttling_failure_timestamp = timezone.now() - timedelta(hours=1)
    device.save()


def enrol(client, user):
    """Enrol an authenticator through the pages; the device and the recovery codes shown."""
    client.get(reverse("second_factor_enrol"))
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(reverse("second_factor_enrol"), {"code": code(device)})
    return device, re.findall(r">([a-z2-7]{8})<", response.text)


@pytest.mark.parametrize(
    "url",
    [
        reverse("staff_home"),
        reverse("registry:workers"),
        reverse("dashboard:summary"),
        reverse("password_change"),
        reverse("admin:index"),
        reverse("admin:portal_user_changelist"),
    ],
)
def test_after_the_password_alone_every_staff_page_and_the_admin_ask_for_the_code(
    client, staff_a, administrator, url
):
    authenticator(administrator)
    password_step(client, administrator)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("second_factor") + "?next=")


def test_the_code_page_asks_for_the_apps_code_and_shows_no_menu(client, staff_a):
    authenticator(staff_a)
    response = password_step(client, staff_a).get(reverse("second_factor"))
    assert "打开身份验证器应用" in response.text
    assert reverse("registry:workers") not in response.text
    assert "退出登录" in response.text


def test_the_right_code_signs_in_and_goes_where_the_user_was_going(client, staff_a):
    device = authenticator(staff_a)
    password_step(client, staff_a)
    next_url = client.get(reverse("registry:workers"))["Location"]
    response = client.post(next_url, {"code": code(device), "next": reverse("registry:workers")})
    assert response["Location"] == reverse("registry:workers")
    assert verified(client)


def test_a_wrong_code_is_refused_with_a_message_and_written_to_the_security_log(client, staff_a):
    device = authenticator(staff_a)
    password_step(client, staff_a)
    wrong = f"{(int(code(device)) + 1) % 1_000_000:06d}"
    response = enter(client, wrong)
    assert "验证码不正确" in response.text
    assert not verified(client)
    failure = AuditLog.objects.get(action=AuditLog.Action.SECOND_FACTOR_FAILED)
    assert failure.user == staff_a
    assert wrong not in failure.description


def test_after_a_wrong_code_the_next_try_waits_and_says_how_long(client, staff_a, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 60  # a minute after the first wrong code
    device = authenticator(staff_a)
    password_step(client, staff_a)
    enter(client, f"{(int(code(device)) + 1) % 1_000_000:06d}")
    response = enter(client, code(device))
    assert re.search(r"错误次数过多，请等待 (60|59) 秒后再试", response.text)
    assert not verified(client)
    unlocked(device)
    enter(client, code(device))
    assert verified(client)


def test_a_code_used_once_is_refused_the_second_time(client, staff_a):
    from django.test import Client

    device = authenticator(staff_a)
    the_code = code(device)
    password_step(client, staff_a)
    enter(client, the_code)
    assert verified(client)

    other = password_step(Client(), staff_a)
    response = enter(other, the_code)
    assert "已经用过" in response.text
    assert not verified(other)


def test_the_code_of_the_previous_30_seconds_is_accepted(client, staff_a):
    device = authenticator(staff_a)
    password_step(client, staff_a)
    enter(client, code(device, steps=-1))
    assert verified(client)


def test_a_code_a_minute_old_is_refused(client, staff_a):
    device = authenticator(staff_a)
    password_step(client, staff_a)
    response = enter(client, code(device, steps=-2))
    assert "验证码不正确" in response.text
    assert not verified(client)


def test_words_that_are_no_code_are_refused_with_a_message(client, staff_a):
    authenticator(staff_a)
    password_step(client, staff_a)
    response = enter(client, "12 34")
    assert "请输入 6 位验证码" in response.text
    assert not AuditLog.objects.filter(action=AuditLog.Action.SECOND_FACTOR_FAILED).exists()


def test_a_staff_member_without_a_device_is_sent_to_enrol(client, staff_a):
    response = password_step(client, staff_a).get(reverse("staff_home"))
    assert response["Location"].startswith(reverse("second_factor_enrol"))
    assert client.get(reverse("second_factor"))["Location"] == reverse("second_factor_enrol")


def test_enrolment_shows_a_qr_code_and_the_key_of_the_same_secret(client, staff_a):
    page = password_step(client, staff_a).get(reverse("second_factor_enrol")).text
    device = TOTPDevice.objects.get(user=staff_a, confirmed=False)
    png = base64.b64decode(re.search(r"data:image/png;base64,([^\"]+)", page).group(1))
    (symbol,) = zxingcpp.read_barcodes(Image.open(BytesIO(png)))
    assert symbol.text == device.config_url
    secret = base64.b32encode(device.bin_key).decode()
    assert symbol.text.startswith("otpauth://totp/") and f"secret={secret}" in symbol.text
    typed = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page).group(1)
    assert typed.replace(" ", "") == secret
    # A reload shows the same secret, so a scan already made still works.
    client.get(reverse("second_factor_enrol"))
    assert TOTPDevice.objects.get(user=staff_a).key == device.key


def test_enrolling_with_a_wrong_code_keeps_the_page_and_says_so(client, staff_a):
    password_step(client, staff_a).get(reverse("second_factor_enrol"))
    response = client.post(reverse("second_factor_enrol"), {"code": "12345x"}, follow=True)
    assert "验证码不正确" in response.text
    assert not TOTPDevice.objects.filter(confirmed=True).exists()
    assert not verified(client)


def test_enrolling_signs_in_and_shows_ten_recovery_codes_once(client, staff_a):
    password_step(client, staff_a)
    device, codes = enrol(client, staff_a)
    assert len(set(codes)) == second_factor.RECOVERY_CODES == 10
    assert verified(client)
    assert sorted(StaticToken.objects.values_list("token", flat=True)) == sorted(codes)
    # Only this answer showed them: the enrolment page now sends to the code step.
    assert client.get(reverse("second_factor_enrol"))["Location"] == reverse("second_factor")
    row = AuditLog.objects.get(action=AuditLog.Action.SECOND_FACTOR_ENROLLED)
    assert row.user == staff_a and row.subject == staff_a
    assert not any(c in row.description for c in codes)


def test_a_recovery_code_signs_in_once(client, staff_a):
    from django.test import Client

    password_step(client, staff_a)
    _device, codes = enrol(client, staff_a)
    first = password_step(Client(), staff_a)
    enter(first, codes[0].upper()[:4] + " " + codes[0][4:])
    assert verified(first)
    used = AuditLog.objects.get(action=AuditLog.Action.RECOVERY_CODE_USED)
    assert used.description == "还剩 9 个恢复码"
    again = password_step(Client(), staff_a)
    response = enter(again, codes[0])
    assert "恢复码不正确或已用过" in response.text
    assert not verified(again)


@pytest.fixture
def texted_alice(staff_a, texts):
    staff_a.second_factor = SecondFactor.TEXT_MESSAGE
    staff_a.mobile = MOBILE
    staff_a.save()
    return staff_a


def test_a_staff_member_given_texted_codes_asks_for_one_and_signs_in_with_it(
    client, texted_alice, texts
):
    page = password_step(client, texted_alice).get(reverse("second_factor")).text
    assert "138****1234" in page and "发送验证码" in page
    response = client.post(reverse("second_factor_text"), follow=True)
    assert "验证码已发送至 138****1234" in response.text
    assert texts[-1][0] == MOBILE
    texted = last_code(MOBILE)
    enter(client, texted)
    assert verified(client)
    assert client.session.get("otp_device_id", "").startswith("portal.textmessagedevice/")


def test_a_texted_code_works_once(client, texted_alice, texts):
    from django.test import Client

    password_step(client, texted_alice)
    client.post(reverse("second_factor_text"))
    texted = last_code(MOBILE)
    enter(client, texted)
    other = password_step(Client(), texted_alice)
    response = enter(other, texted)
    assert "已过期或已用过" in response.text
    assert not verified(other)


def test_texted_codes_keep_the_riders_limit_of_one_a_minute(client, texted_alice, texts):
    password_step(client, texted_alice)
    client.post(reverse("second_factor_text"))
    response = client.post(reverse("second_factor_text"), follow=True)
    assert "验证码刚发出不到一分钟" in response.text
    assert len(texts) == 1


def test_with_totp_only_nobody_gets_a_texted_code(client, texted_alice, texts, settings):
    settings.STAFF_SECOND_FACTOR_TOTP_ONLY = True
    password_step(client, texted_alice)
    assert client.get(reverse("staff_home"))["Location"].startswith(reverse("second_factor_enrol"))
    response = client.post(reverse("second_factor_text"), follow=True)
    assert "不通过短信发送" in response.text
    assert texts == []


def test_a_staff_member_on_authenticator_cannot_ask_for_a_text(client, staff_a, texts):
    authenticator(staff_a)
    password_step(client, staff_a)
    client.post(reverse("second_factor_text"))
    assert texts == []


def test_an_administrator_without_a_device_must_enrol_before_the_admin(client, administrator):
    password_step(client, administrator)
    response = client.get(reverse("admin:index"))
    assert response["Location"].startswith(reverse("second_factor_enrol"))


@pytest.fixture
def second_administrator(tree):
    return UserFactory(
        username="ada", role="administrator", area=None, is_staff=True, is_superuser=True
    )


def reset_in_admin(client, account):
    return client.post(
        reverse("admin:portal_user_changelist"),
        {"action": "reset_second_factor", "_selected_action": [account.pk]},
        follow=True,
    )


def test_another_administrator_resets_a_lost_device_and_it_is_logged(
    client, staff_a, administrator
):
    from django.test import Client

    device = authenticator(staff_a)
    alice = password_step(Client(), staff_a)
    enter(alice, code(device))
    assert verified(alice)

    second_factor.reset(staff_a, by=administrator)  # the service; the admin's action below
    assert not TOTPDevice.objects.filter(user=staff_a).exists()
    assert not StaticDevice.objects.filter(user=staff_a).exists()
    row = AuditLog.objects.get(action=AuditLog.Action.SECOND_FACTOR_RESET)
    assert row.user == administrator and row.subject == staff_a
    assert "alice" in row.description and "root" in row.description
    # The session the lost device verified is verified no more: alice enrols again.
    assert alice.get(reverse("staff_home"))["Location"].startswith(reverse("second_factor_enrol"))


def test_the_admin_action_resets_another_and_refuses_oneself(
    client, staff_a, administrator, second_administrator
):
    from django.test import Client

    authenticator(staff_a)
    authenticator(second_administrator)
    root = Client()
    password_step(root, administrator)
    enter(root, code(authenticator(administrator)))
    listed = root.get(reverse("admin:portal_user_changelist"))
    assert [(row.username, row.authenticator) for row in listed.context["cl"].result_list] == [
        ("ada", True),
        ("alice", True),
        ("root", True),
    ]
    response = reset_in_admin(root, staff_a)
    assert "1 个账号将在下次登录时重新设置" in response.text
    listed = root.get(reverse("admin:portal_user_changelist"))
    assert {row.username: row.authenticator for row in listed.context["cl"].result_list} == {
        "ada": True,
        "alice": False,
        "root": True,
    }
    assert not TOTPDevice.objects.filter(user=staff_a).exists()

    response = reset_in_admin(root, administrator)
    assert "不能重置自己的第二重验证" in response.text
    assert TOTPDevice.objects.filter(user=administrator).exists()
    resets = AuditLog.objects.filter(action=AuditLog.Action.SECOND_FACTOR_RESET)
    assert [row.subject for row in resets] == [staff_a]


def test_only_an_administrator_resets_a_second_factor(staff_a, staff_b):
    authenticator(staff_b)
    with pytest.raises(second_factor.SecondFactorError) as refusal:
        second_factor.reset(staff_b, by=staff_a)
    assert refusal.value.code == "administrator"
    assert TOTPDevice.objects.filter(user=staff_b).exists()


def test_an_administrator_chooses_texted_codes_only_with_a_mobile(staff_a):
    from django.core.exceptions import ValidationError

    staff_a.second_factor = SecondFactor.TEXT_MESSAGE
    with pytest.raises(ValidationError) as error:
        staff_a.full_clean()
    assert "mobile" in error.value.message_dict


def test_a_disabled_accounts_signed_in_session_goes_back_to_the_login(client, staff_a):
    device = authenticator(staff_a)
    password_step(client, staff_a)
    enter(client, code(device))
    staff_a.is_active = False
    staff_a.save()
    response = client.get(reverse("staff_home"))
    assert response["Location"].startswith(reverse("login"))
