"""回访: community staff call the submitter of a resolved suggestion who did not rate it online,
and record whether they reached them, how satisfied they are and what was said. A reached call
closes a suggestion still resolved; its satisfaction is counted apart from the online ratings."""

import pytest
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from feedback import services
from feedback.models import Callback, State
from feedback.services import FeedbackError
from portal.models import AuditLog
from tests.factories import SuggestionFactory

pytestmark = pytest.mark.django_db

MOBILE = "13912345678"


@pytest.fixture
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def alice(english, staff_a):
    english.force_login(staff_a)
    return english


@pytest.fixture
def resolved(tree):
    return SuggestionFactory(
        area=tree.community_a,
        category="need",
        text="驿站没有热水",
        name="王小明",
        mobile=MOBILE,
        state=State.RESOLVED,
        reply="已安装饮水机",
        resolved_at=timezone.now(),
    )


def call(suggestion, staff, reached=True, satisfaction=4, words=""):
    return services.record_callback(
        suggestion, reached=reached, satisfaction=satisfaction, words=words, by=staff
    )


def kinds(suggestion):
    return list(suggestion.events.values_list("kind", "public"))


# The service


def test_a_reached_callback_is_recorded_and_closes_the_resolved_suggestion(
    resolved, staff_a, texts
):
    callback = call(resolved, staff_a, satisfaction=4, words="热水有了，挺满意")
    assert (callback.reached, callback.satisfaction, callback.by) == (True, 4, staff_a)
    assert resolved.state == State.CLOSED and resolved.closed_at
    assert resolved.rating is None  # the online rating stays apart
    assert kinds(resolved) == [("callback", False), ("closed", True)]
    event = resolved.events.get(kind="callback")
    assert event.actor == staff_a
    assert event.text == "已联系上，满意度 ★★★★☆\n热水有了，挺满意"
    # The submitter is told it is closed, like any close.
    assert resolved.texts.get().kind == "closed"


def test_a_callback_that_did_not_reach_them_leaves_it_resolved_and_may_be_repeated(
    resolved, staff_a
):
    first = call(resolved, staff_a, reached=False, satisfaction=5, words="无人接听")
    assert first.satisfaction is None  # only a reached submitter's satisfaction counts
    assert resolved.state == State.RESOLVED
    call(resolved, staff_a, reached=True, satisfaction=2, words="还是有点慢")
    assert list(resolved.callbacks.values_list("reached", "satisfaction")) == [
        (False, None),
        (True, 2),
    ]
    assert resolved.state == State.CLOSED


def test_a_suggestion_closed_without_a_rating_may_still_be_called_back(tree, staff_a):
    closed = SuggestionFactory(area=tree.community_a, state=State.CLOSED, mobile=MOBILE)
    call(closed, staff_a, satisfaction=5)
    assert closed.state == State.CLOSED
    assert kinds(closed) == [("callback", False)]


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"state": State.CLOSED, "rating": 5}, "rated"),
        ({"state": State.SUBMITTED}, "state"),
        ({"state": State.ACCEPTED}, "state"),
        ({"state": State.REJECTED}, "state"),
    ],
)
def test_no_callback_once_rated_online_or_before_it_is_resolved(tree, staff_a, fields, code):
    suggestion = SuggestionFactory(area=tree.community_a, mobile=MOBILE, **fields)
    with pytest.raises(FeedbackError) as refused:
        call(suggestion, staff_a)
    assert refused.value.code == code
    assert not Callback.objects.exists()


def test_no_second_callback_once_one_reached_the_submitter(resolved, staff_a):
    call(resolved, staff_a, satisfaction=3)
    with pytest.raises(FeedbackError) as refused:
        call(resolved, staff_a, satisfaction=5)
    assert refused.value.code in ("reached", "rated")
    assert resolved.callbacks.count() == 1


def test_reached_without_a_satisfaction_is_refused(resolved, staff_a):
    with pytest.raises(FeedbackError) as refused:
        call(resolved, staff_a, satisfaction=None)
    assert refused.value.code == "satisfaction"
    for wrong in (0, 6):
        with pytest.raises(FeedbackError):
            call(resolved, staff_a, satisfaction=wrong)
    assert not Callback.objects.exists()


def test_the_database_holds_satisfaction_to_reached_callbacks(resolved):
    with pytest.raises(IntegrityError):
        Callback.objects.create(suggestion=resolved, reached=True, satisfaction=None)


# The page


def callback_url(suggestion):
    return reverse("feedback:callback", args=[suggestion.pk])


def test_the_page_gives_what_the_call_needs_with_the_number_masked(alice, resolved):
    text = alice.get(callback_url(resolved)).text
    assert "王小明" in text and "139****5678" in text and MOBILE not in text
    assert "驿站没有热水" in text and "已安装饮水机" in text
    assert "Did you reach the submitter?" in text
    assert not AuditLog.objects.data_use().exists()


def test_the_full_number_is_shown_on_request_and_logged(alice, resolved, staff_a):
    text = alice.get(callback_url(resolved), {"mobile": "full"}).text
    assert MOBILE in text
    entry = AuditLog.objects.data_use().get()
    assert entry.user == staff_a and entry.description == f"{resolved.tracking_code} mobile"


def test_recording_a_reached_callback_goes_back_to_the_suggestion(alice, resolved):
    response = alice.post(
        callback_url(resolved), {"reached": "yes", "satisfaction": "5", "words": "满意"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("feedback:suggestion", args=[resolved.pk])
    resolved.refresh_from_db()
    assert resolved.state == State.CLOSED
    assert resolved.callbacks.get().satisfaction == 5
    page = alice.get(response["Location"]).text
    assert "Callbacks (回访)" in page and "Reached, satisfaction 5 of 5" in page
    assert "Record a callback" not in page  # no second one


def test_reached_without_satisfaction_shows_the_form_again_with_the_error(alice, resolved):
    response = alice.post(callback_url(resolved), {"reached": "yes"})
    assert response.status_code == 200
    assert "Choose how satisfied the submitter is, 1 to 5." in response.text
    assert not Callback.objects.exists()


@pytest.mark.parametrize(
    "data", [{}, {"reached": "perhaps"}, {"reached": "yes", "satisfaction": "9"}]
)
def test_bad_input_is_shown_again_never_a_500(alice, resolved, data):
    response = alice.post(callback_url(resolved), data)
    assert response.status_code == 200
    assert not Callback.objects.exists()


def test_a_suggestion_rated_online_has_no_form_and_says_why(alice, tree):
    rated = SuggestionFactory(area=tree.community_a, state=State.CLOSED, rating=4)
    text = alice.get(callback_url(rated)).text
    assert "The submitter rated the outcome online: no callback is needed." in text
    assert "Record the callback" not in text
    response = alice.post(callback_url(rated), {"reached": "yes", "satisfaction": "5"})
    assert response.status_code == 200
    assert not Callback.objects.exists()


def test_the_suggestion_page_offers_the_callback_to_its_staff_only(
    alice, resolved, english, official
):
    page = alice.get(reverse("feedback:suggestion", args=[resolved.pk])).text
    assert "Record a callback" in page and callback_url(resolved) in page
    english.force_login(official)
    page = english.get(reverse("feedback:suggestion", args=[resolved.pk])).text
    assert "Callbacks (回访)" in page and "Record a callback" not in page


def test_a_suggestion_still_open_shows_no_callback_section(alice, suggestion_a):
    page = alice.get(reverse("feedback:suggestion", args=[suggestion_a.pk])).text
    assert "Callbacks (回访)" not in page


def test_the_timeline_marks_the_callback(alice, resolved):
    alice.post(callback_url(resolved), {"reached": "no", "words": "关机"})
    page = alice.get(reverse("feedback:suggestion", args=[resolved.pk])).text
    assert "Callback (回访)" in page and "Not reached<br>关机" in page


@pytest.mark.parametrize("calls", [2, 20])
def test_the_callback_page_reads_the_same_few_queries_however_many_calls(
    alice, resolved, staff_a, staff_b, calls, django_assert_max_num_queries
):
    for n in range(calls):
        Callback.objects.create(
            suggestion=resolved, reached=False, words=f"第{n}次", by=staff_a if n % 2 else None
        )
    # session, user, its second factor, its area, the suggestion, its callbacks, navigation badges
    with django_assert_max_num_queries(10):
        response = alice.get(callback_url(resolved))
    assert response.text.count("第") >= calls
    with django_assert_max_num_queries(21):
        alice.get(reverse("feedback:suggestion", args=[resolved.pk]))


def test_staff_of_another_community_get_404(english, staff_b, resolved):
    english.force_login(staff_b)
    assert english.get(callback_url(resolved)).status_code == 404
    response = english.post(callback_url(resolved), {"reached": "yes", "satisfaction": "5"})
    assert response.status_code == 404
    assert not Callback.objects.exists()


def test_officials_read_but_do_not_record_callbacks(english, official, resolved):
    english.force_login(official)
    assert english.get(callback_url(resolved)).status_code == 403


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_staff_recording_a_reached_callback_at_once_make_one(tree, staff_a):
    """Two of the community's staff call the same submitter and save at the same moment."""
    from functools import partial

    from tests.races import race

    def record(pk, satisfaction):
        suggestion = type(resolved_row).objects.get(pk=pk)
        call(suggestion, staff_a, satisfaction=satisfaction)

    for _round in range(5):
        resolved_row = SuggestionFactory(area=tree.community_a, state=State.RESOLVED)
        outcomes = race(
            [partial(record, resolved_row.pk, 5), partial(record, resolved_row.pk, 2)],
            refused=FeedbackError,
        )
        assert sorted(outcomes) == ["done", "reached"]
        assert resolved_row.callbacks.count() == 1
        assert resolved_row.events.filter(kind="closed").count() == 1
