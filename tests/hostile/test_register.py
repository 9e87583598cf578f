"""Hostile input to registration (双报到): its form, and what staff see of what was registered
(its community steps: test_codes_in_addresses.py)."""

import re
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils.html import escape
from hypothesis import example, given
from hypothesis import strategies as st

from registry.models import Worker
from tests.hostile.strategies import (
    ENCODINGS,
    PAYLOADS,
    assert_clear_refusal,
    assert_never_raw,
    assert_no_server_error,
    check_answer,
    counted,
    examples,
    form_data,
    hostile_client,
    hostile_text,
    html,
    outcome,
    post,
)

pytestmark = pytest.mark.django_db

URL = reverse("registry:register")


COMMUNITY_A = "community A's key"  # the area's primary key, known only once the tree is made
VALID = {
    "name": "张三",
    "mobile": "13812345678",
    "occupation": "food_delivery",
    "platform": "meituan",
    "platform_other": "",
    "area": COMMUNITY_A,
    "political_status": "masses",
    "party_branch": "",
    "membership_held_at": "",
    "is_mobile_party_member": "",
    "id_number": "",
    "consent": "on",
    "sensitive_consent": "",
}


def with_area(tree, data: dict) -> dict:
    return {
        name: tree.community_a.pk if value == COMMUNITY_A else value for name, value in data.items()
    }


@examples(50)
@given(
    data=form_data(VALID),
    community=st.one_of(st.none(), st.just("411402001001"), hostile_text),
    encoding=ENCODINGS,
)
# Digits \d took: full-width and Arabic-Indic ones were stored as a "mobile" (portal.mobile).
@example(data={**VALID, "mobile": "13８００１３８０００"}, community=None, encoding="multipart")
@example(data={**VALID, "mobile": "13٨٠٠١٣٨٠٠٠"}, community=None, encoding="urlencoded")
@example(
    # 110101199001010015, a valid ID number, in Arabic-Indic digits
    data={**VALID, "id_number": "١١٠١٠١١٩٩٠٠١٠١٠٠١٥", "sensitive_consent": "on"},
    community=None,
    encoding="multipart",
)
def test_the_form_answers_anything_with_a_message_and_never_a_500(tree, data, community, encoding):
    sent = with_area(tree, data)
    url = URL if community is None else f"{URL}?{urlencode({'community': community})}"
    with counted("registry:register"):
        response = post(hostile_client(), url, sent, encoding)
        check_answer("registry:register", response, sent)
        assert response.status_code in (200, 302)
        for worker in Worker.objects.all():
            assert re.fullmatch(r"1[3-9][0-9]{9}", worker.mobile), worker.mobile
            assert re.fullmatch(r"([0-9]{17}[0-9X])?", worker.id_number), worker.id_number


short_text = st.one_of(st.sampled_from(PAYLOADS), st.text(max_size=30), hostile_text)


@examples(40)
@given(name=short_text, platform_other=short_text, party_branch=short_text)
def test_what_a_rider_registers_is_shown_escaped_to_staff(
    tree, staff_a, sms, name, platform_other, party_branch
):
    sent = {
        **with_area(tree, VALID),
        "name": name,
        "platform": "other",
        "platform_other": platform_other,
        "political_status": "party_member",
        "party_branch": party_branch,
        "sensitive_consent": "on",
    }
    staff = hostile_client()
    staff.force_login(staff_a)
    cache.clear()  # each example's code is its first this minute
    rider = hostile_client()
    with counted("registry:register (stored)"):
        response = rider.post(URL, sent)
        outcome("registry:register (stored)", response)
        assert_no_server_error(response)
        if response.status_code == 200:
            assert_clear_refusal(response)
            return
        assert response.status_code == 302
        code = sms.last_code("13812345678")
        assert rider.post(reverse("registry:register_code"), {"code": code}).status_code == 302
        worker = Worker.objects.get(mobile="13812345678")
        for page in (
            staff.get(reverse("registry:pending")),
            staff.get(reverse("registry:worker_detail", args=[worker.pk])),
        ):
            assert_no_server_error(page)
            text = html(page)
            assert escape(worker.name) in text
            assert_never_raw(text, sent)
        detail = html(page)
        assert escape(worker.platform_other) in detail
        assert escape(worker.party_branch) in detail
