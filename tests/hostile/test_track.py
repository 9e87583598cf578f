"""Hostile input to the tracking pages: the code lookup, rating the outcome, saying it is not
solved; and the comments shown back, escaped, to the rider and to staff."""

from urllib.parse import quote, urlencode

import pytest
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from hypothesis import example, given
from hypothesis import strategies as st

from feedback import services
from feedback.models import State
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


@pytest.fixture
def resolved(tree, staff_a, department_x, handler):
    """A hazard worked through and resolved: it may be rated, or reopened."""
    suggestion = services.submit(
        {"category": "hazard", "text": "井盖缺失", "name": "", "mobile": ""},
        channel="qr_code",
        area=tree.community_a,
    )
    services.accept(suggestion, version=suggestion.version, by=staff_a, note="已核实")
    task = services.add_task(
        suggestion, department_x, instructions="补装井盖", due_on=timezone.localdate(), by=staff_a
    )
    services.complete_task(task, result="已补装井盖", by=handler)
    suggestion.refresh_from_db()
    services.resolve(suggestion, version=suggestion.version, reply="井盖已补装", by=staff_a)
    suggestion.refresh_from_db()
    return suggestion


@examples(40)
@given(code=st.one_of(hostile_text, st.just("")))
def test_the_code_lookup_answers_any_code_with_a_message(resolved, code):
    form = "feedback:track_lookup"
    with counted(form):
        response = hostile_client().get(f"{reverse(form)}?{urlencode({'code': code})}")
        check_answer(form, response, code)
        assert response.status_code in (200, 302)
        if response.status_code == 200:
            assert_clear_refusal(response)


@examples(30)
@given(code=hostile_text.filter(lambda code: code not in ("", ".", "..")))
@example(code="\x00")  # PostgreSQL refuses a NUL in a query: it was a 500 there
def test_a_tracking_page_answers_any_code_in_its_address(resolved, code):
    pages = ["track", "rate", "reopen"]
    with counted("feedback:track (code in the address)"):
        for name in pages:
            url = reverse(f"feedback:{name}", args=["XXXX"]).replace("XXXX", quote(code, safe=""))
            client = hostile_client()
            response = client.get(url) if name == "track" else client.post(url, {"comment": "x"})
            outcome("feedback:track (code in the address)", response)
            assert_no_server_error(response)
            assert response.status_code in (200, 302, 404, 429)
            assert_never_raw(html(response), code)


@examples(40)
@given(data=form_data({"rating": "4", "comment": "修得很快"}), encoding=ENCODINGS)
def test_rating_answers_anything_with_a_message_and_never_a_500(resolved, data, encoding):
    url = reverse("feedback:rate", args=[resolved.tracking_code])
    with counted("feedback:rate"):
        response = post(hostile_client(), url, data, encoding)
        check_answer("feedback:rate", response, data, key="rating_form")
        assert response.status_code in (200, 302)


@examples(40)
@given(data=form_data({"comment": "井盖又被偷了"}), encoding=ENCODINGS)
def test_reopening_answers_anything_with_a_message_and_never_a_500(resolved, data, encoding):
    url = reverse("feedback:reopen", args=[resolved.tracking_code])
    with counted("feedback:reopen"):
        response = post(hostile_client(), url, data, encoding)
        check_answer("feedback:reopen", response, data, key="reopen_form")
        assert response.status_code in (200, 302)


comment = st.one_of(st.sampled_from(PAYLOADS), hostile_text)


@examples(25)
@given(rating=st.sampled_from(["1", "3", "5"]), comment=comment, reopen=st.booleans())
def test_a_riders_comment_is_shown_escaped_to_the_rider_and_to_staff(
    resolved, staff_a, rating, comment, reopen
):
    name = "reopen" if reopen else "rate"
    form = f"feedback:{name} (stored)"
    staff = hostile_client()
    staff.force_login(staff_a)
    with counted(form):
        response = hostile_client().post(
            reverse(f"feedback:{name}", args=[resolved.tracking_code]),
            {"comment": comment} if reopen else {"rating": rating, "comment": comment},
        )
        outcome(form, response)
        assert_no_server_error(response)
        if response.status_code == 200:
            assert_clear_refusal(response, key=f"{'reopen' if reopen else 'rating'}_form")
            return
        assert response.status_code == 302
        resolved.refresh_from_db()
        track = hostile_client().get(response["Location"])
        page = staff.get(reverse("feedback:suggestion", args=[resolved.pk]))
        for answer in (track, page):
            assert_no_server_error(answer)
            assert_never_raw(html(answer), comment)
        if reopen:
            assert resolved.state == State.SUBMITTED
            said = resolved.events.last().text
            assert linebreaksbr(said) in html(track)  # the public timeline
            assert linebreaksbr(said) in html(page)
        else:
            assert resolved.state == State.CLOSED
            assert escape(resolved.rating_comment) in html(page)
