"""Riders sign in with their mobile and a texted code (registry.services.riders): the code's
limits, what each refusal says, and that a number nobody registered gets the same answers up to
the code, which then leads on to registration with the number proven."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from registry.models import Worker
from registry.services.riders import CODE_SENT as CODE_STEP_KEY
from registry.services.riders import SESSION_KEY
from tests.factories import WorkerFactory
from tests.registry.test_register import form as registration
from tests.sms import last_code

pytestmark = pytest.mark.django_db


def ask_for_code(client, mobile, **extra):
    return client.post(reverse("registry:sign_in"), {"mobile": mobile}, **extra)


def enter_code(client, code, next_url=""):
    url = reverse("registry:sign_in_code") + (f"?next={next_url}" if next_url else "")
    return client.post(url, {"code": code})


def wrong(code):
    return "000000" if code != "000000" else "111111"


def attempts_left(count):
    return ngettext(
        "That code is not right. You have %(count)d attempt left.",
        "That code is not right. You have %(count)d attempts left.",
        count,
    ) % {"count": count}


def without_csrf(html):
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def signed_in(client):
    return SESSION_KEY in client.session


def test_a_rider_signs_in_with_the_texted_code_and_stays_signed_in_for_30_days(
    client, rider, texts, clock
):
    response = ask_for_code(client, "138 0000 0009")
    assert response.status_code == 302
    assert response["Location"] == reverse("registry:sign_in_code")
    [(mobile, text)] = texts
    assert mobile == "13800000009" and "5" in text
    page = client.get(reverse("registry:sign_in_code")).text
    assert "138****0009" in page and "13800000009" not in page

    response = enter_code(client, last_code("13800000009"))
    assert response["Location"] == reverse("points:me")
    assert client.session[SESSION_KEY] == rider.pk
    days_30 = timedelta(days=30).total_seconds()
    assert client.session.get_expiry_age() == pytest.approx(days_30, abs=5)
    assert response.cookies["sessionid"]["max-age"] == pytest.approx(days_30, abs=5)
    assert rider.name in client.get(reverse("points:me")).text


def test_a_code_works_once(client, rider, texts, clock):
    ask_for_code(client, rider.mobile)
    code = last_code(rider.mobile)
    enter_code(client, code)
    client.post(reverse("registry:sign_out"))
    session = client.session
    session[CODE_STEP_KEY] = rider.mobile
    session.save()
    response = enter_code(client, code)
    assert not signed_in(client)
    assert _("This code has expired or was used. Ask for a new one.") in response.text


@pytest.mark.parametrize(("seconds", "works"), [(299, True), (301, False)])
def test_a_code_expires_after_five_minutes(client, rider, texts, clock, seconds, works):
    ask_for_code(client, rider.mobile)
    clock(seconds)
    response = enter_code(client, last_code(rider.mobile))
    assert signed_in(client) is works
    if not works:
        assert _("This code has expired or was used. Ask for a new one.") in response.text


def test_wrong_guesses_do_not_make_a_code_live_longer(client, rider, texts, clock):
    ask_for_code(client, rider.mobile)
    code = last_code(rider.mobile)
    clock(290)
    enter_code(client, wrong(code))
    clock(11)
    enter_code(client, code)
    assert not signed_in(client)


def test_wrong_codes_say_how_many_attempts_are_left_and_five_spend_the_code(
    client, rider, texts, clock
):
    ask_for_code(client, rider.mobile)
    code = last_code(rider.mobile)
    for left in (4, 3, 2, 1):
        response = enter_code(client, wrong(code))
        assert attempts_left(left) in response.text
    response = enter_code(client, wrong(code))
    spent = _("The code was entered wrong 5 times and no longer works. Ask for a new one.")
    assert spent in response.text
    response = enter_code(client, code)
    assert spent in response.text
    assert not signed_in(client)


def test_a_number_gets_one_code_a_minute(client, rider, texts, clock):
    ask_for_code(client, rider.mobile)
    clock(30)
    response = ask_for_code(client, rider.mobile)
    assert response.status_code == 200
    assert _("We sent a code less than a minute ago. Please wait a minute and ask again.") in (
        response.text
    )
    assert len(texts) == 1
    clock(31)
    assert ask_for_code(client, rider.mobile).status_code == 302
    assert len(texts) == 2


def test_a_number_gets_five_codes_an_hour(client, rider, texts, clock):
    for _attempt in range(5):
        assert ask_for_code(client, rider.mobile).status_code == 302
        clock(61)
    response = ask_for_code(client, rider.mobile)
    assert "这个号码一小时内已获取 5 次验证码，请一小时后再试。" in response.text
    assert len(texts) == 5
    clock(60 * 60)
    assert ask_for_code(client, rider.mobile).status_code == 302
    assert len(texts) == 6


def test_one_network_gets_a_bounded_number_of_codes(client, tree, texts, clock):
    for n in range(30):
        assert ask_for_code(client, f"1390000{n:04d}").status_code == 302
    response = ask_for_code(client, "13900009999")
    assert _("Too many codes were asked for from this network. Please try again in an hour.") in (
        response.text
    )
    other_network = ask_for_code(client, "13900009999", REMOTE_ADDR="10.1.2.3")
    assert other_network.status_code == 302


def test_a_number_nobody_registered_gets_the_same_answers_up_to_the_code(
    client, rider, texts, clock
):
    stranger = "13912345678"
    answers = {}
    for mobile in (rider.mobile, stranger):
        client.cookies.clear()
        first = ask_for_code(client, mobile)
        code_page = client.get(reverse("registry:sign_in_code")).text
        wrong_code = enter_code(client, "000001").text
        again = ask_for_code(client, mobile).text
        answers[mobile] = [
            (first.status_code, first["Location"]),
            without_csrf(code_page).replace(rider.masked_mobile, "?").replace("139****5678", "?"),
            wrong_code.count(attempts_left(4)),
            _("We sent a code less than a minute ago. Please wait a minute and ask again.")
            in again,
        ]
    assert answers[rider.mobile] == answers[stranger]
    # The wrong code's message: in the summary at the top and under the field.
    assert answers[stranger][2:] == [2, True]
    assert [to for to, _text in texts] == [rider.mobile, stranger]


def test_a_new_number_once_proven_registers_without_a_second_code(client, tree, texts, clock):
    mobile = "13912345678"
    start = reverse("registry:sign_in") + f"?next=%2Fme%2F&community={tree.community_a.code}"
    code_url = client.post(start, {"mobile": mobile})["Location"]
    response = client.post(code_url, {"code": last_code(mobile)})
    assert not signed_in(client)
    assert response["Location"] == (
        reverse("registry:register") + f"?next=%2Fme%2F&community={tree.community_a.code}"
    )
    form = client.get(response["Location"]).context["form"]
    assert form.initial["mobile"] == mobile
    clock(61)
    response = client.post(response["Location"], registration(tree, mobile=mobile))
    assert response["Location"] == "/me/"
    assert client.session[SESSION_KEY] == Worker.objects.get(mobile=mobile).pk
    assert len(texts) == 1  # the sign-in's code was the only one


def test_the_proven_number_is_not_someone_elses(client, tree, rider, texts, clock):
    """A number proven on this phone lets it register that number, not another one."""
    mobile = "13912345678"
    client.post(reverse("registry:sign_in"), {"mobile": mobile})
    client.post(reverse("registry:sign_in_code"), {"code": last_code(mobile)})
    clock(61)
    data = registration(tree, mobile=rider.mobile, name="冒名者")
    response = client.post(reverse("registry:register"), data)
    assert response["Location"] == reverse("registry:register_code")
    rider.refresh_from_db()
    assert rider.name == "孙丽"


def test_a_proven_number_must_register_within_half_an_hour(client, tree, texts, clock):
    mobile = "13912345678"
    client.post(reverse("registry:sign_in"), {"mobile": mobile})
    client.post(reverse("registry:sign_in_code"), {"code": last_code(mobile)})
    clock(31 * 60)
    response = client.post(reverse("registry:register"), registration(tree, mobile=mobile))
    assert response["Location"] == reverse("registry:register_code")  # a new code, then
    assert not Worker.objects.exists()


def test_a_rider_who_withdrew_consent_registers_anew_after_the_code(client, tree, texts):
    WorkerFactory(mobile="13900000077", area=tree.community_a, consent_withdrawn_at=timezone.now())
    ask_for_code(client, "13900000077")
    response = enter_code(client, last_code("13900000077"))
    assert response["Location"] == reverse("registry:register")
    assert not signed_in(client)


def test_a_bad_number_is_refused_with_a_message_and_no_text(client, tree, texts):
    response = ask_for_code(client, "12345")
    assert response.status_code == 200
    assert texts == []
    assert SESSION_KEY not in client.session


def test_the_code_page_without_a_number_goes_back_to_the_first_step(client, tree):
    response = client.get(reverse("registry:sign_in_code") + "?next=/me/card/")
    assert response["Location"] == reverse("registry:sign_in") + "?next=%2Fme%2Fcard%2F"


@pytest.mark.parametrize(
    ("next_url", "lands_on"),
    [
        ("/me/card/", "/me/card/"),
        ("https://evil.example/", "/me/"),
        ("//evil.example/", "/me/"),
        ("javascript:alert(1)", "/me/"),
    ],
)
def test_next_is_followed_only_to_pages_of_this_site(
    client, rider, texts, clock, next_url, lands_on
):
    sign_in = client.get(reverse("registry:sign_in"), {"next": next_url})
    assert sign_in.status_code == 200
    response = client.post(
        reverse("registry:sign_in") + "?" + sign_in.wsgi_request.GET.urlencode(),
        {"mobile": rider.mobile},
    )
    code_url = response["Location"]
    response = client.post(code_url, {"code": last_code(rider.mobile)})
    assert response["Location"] == lands_on


def test_a_rider_page_sends_the_rider_to_sign_in_and_back(client, rider, texts, clock):
    response = client.get(reverse("points:card"))
    assert response["Location"] == reverse("registry:sign_in") + "?next=%2Fme%2Fcard%2F"
    response = client.post(response["Location"], {"mobile": rider.mobile})
    response = client.post(response["Location"], {"code": last_code(rider.mobile)})
    assert response["Location"] == reverse("points:card")


def test_a_signed_in_rider_skips_the_sign_in_page(rider_client):
    response = rider_client.get(reverse("registry:sign_in"))
    assert response["Location"] == reverse("points:me")


def test_signing_out_ends_the_riders_session(rider_client):
    response = rider_client.post(reverse("registry:sign_out"), follow=True)
    assert _("You have signed out.") in response.text
    assert rider_client.get(reverse("points:me")).status_code == 302


def test_staff_signed_in_are_not_riders(client, staff_a):
    client.force_login(staff_a)
    response = client.get(reverse("points:me"))
    assert response["Location"].startswith(reverse("registry:sign_in"))


@pytest.mark.services
def test_codes_and_limits_hold_in_redis(client, rider, texts):
    ask_for_code(client, rider.mobile)
    refused = ask_for_code(client, rider.mobile)
    assert _("We sent a code less than a minute ago. Please wait a minute and ask again.") in (
        refused.text
    )
    code = last_code(rider.mobile)
    assert attempts_left(4) in enter_code(client, wrong(code)).text
    assert enter_code(client, code)["Location"] == reverse("points:me")
    assert len(texts) == 1
