"""The submitter is told by text message: one message per change they would want to hear of,
sent after commit, never carrying what they wrote, recorded on the staff timeline, tried again
when the provider fails, and stopped from the tracking page."""

import logging
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from feedback import services
from feedback import texts as rider_texts
from feedback.models import State, SuggestionText
from feedback.tasks import send_rider_text, sweep_rider_texts
from registry.services import withdraw_consent
from tests.factories import SuggestionFactory, WorkerFactory

pytestmark = pytest.mark.django_db

SITE = "https://portal.example.gov.cn"
MOBILE = "13912345678"
# What the submitter wrote, and their name: never in a text.
WROTE, NAME = "建设路口井盖缺失，晚上送餐差点摔倒", "王小明"

Kind = SuggestionText.Kind


class ProviderDown:
    """An SMS provider whose network is away."""

    def send(self, mobile, text):
        raise ConnectionError(f"cannot reach the provider for {mobile}")


class ProviderRefuses:
    """An SMS provider that refuses the message (not a network error)."""

    def send(self, mobile, text):
        raise ValueError(f"template rejected: {text}")


@pytest.fixture
def committed(texts, eager_tasks, settings, django_capture_on_commit_callbacks):
    """Run a change as a request would: its after-commit work (the text's task) runs too."""
    settings.SITE_URL = SITE
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def hazard(tree):
    return SuggestionFactory(
        area=tree.community_a, category="hazard", text=WROTE, name=NAME, mobile=MOBILE
    )


def resolve(suggestion, staff, department, handler, reply="井盖已补装，感谢反映"):
    services.accept(suggestion, version=None, by=staff)
    task = services.add_task(
        suggestion, department, instructions="补井盖", due_on=timezone.localdate(), by=staff
    )
    services.complete_task(task, result="已补装", by=handler)
    services.resolve(suggestion, version=None, reply=reply, by=staff)


def timeline(suggestion, *kinds):
    return list(suggestion.events.filter(kind__in=kinds).values_list("kind", "text", "public"))


def assert_nothing_written_in(body):
    assert WROTE not in body and NAME not in body and MOBILE not in body
    for piece in ("井盖缺失", "送餐", "摔倒"):
        assert piece not in body


# One message per change, in Chinese, with the tracking link


def test_each_change_the_submitter_would_want_to_hear_of_sends_one_text(
    hazard, staff_a, department_x, handler, committed, texts
):
    link = f"{SITE}/track/{hazard.tracking_code}/"
    with committed():
        resolve(hazard, staff_a, department_x, handler)
    with committed():
        services.reopen(hazard, comment="又丢了")
    with committed():
        resolve(hazard, staff_a, department_x, handler)
    with committed():
        services.rate(hazard, rating=4)
    assert [mobile for mobile, _body in texts] == [MOBILE] * 6
    bodies = [body for _mobile, body in texts]
    assert bodies == [
        f"您反映的随手拍/隐患已受理，正在办理：{link}",
        f"您反映的随手拍/隐患已办结，请查看答复并评价：{link}",
        f"您反映的随手拍/隐患已重新提交，将再次研判：{link}",
        f"您反映的随手拍/隐患已受理，正在办理：{link}",
        f"您反映的随手拍/隐患已办结，请查看答复并评价：{link}",
        f"您反映的随手拍/隐患已办结归档，感谢参与：{link}",
    ]
    for body in bodies:
        assert_nothing_written_in(body)
        assert len(body) <= 70  # one message, with a site address of 29 characters
    # Assigning, notes and finishing tasks are internal steps: no text for them.
    assert hazard.texts.count() == 6
    assert set(hazard.texts.values_list("state", flat=True)) == {"sent"}


def test_a_rejection_carries_the_staff_reply_and_nothing_the_submitter_wrote(
    hazard, staff_a, committed, texts
):
    with committed():
        services.reject(hazard, version=None, reply="经核实，该路段不属于本社区。", by=staff_a)
    [(mobile, body)] = texts
    assert body == (
        f"您反映的随手拍/隐患未予受理。答复：经核实，该路段不属于本社区。 "
        f"详见：{SITE}/track/{hazard.tracking_code}/"
    )
    assert_nothing_written_in(body)


def test_a_long_reply_is_cut_in_the_text_and_read_in_full_on_the_tracking_page(
    hazard, staff_a, committed, texts
):
    reply = "您好，" + "这是一段很长的答复。" * 30
    with committed():
        services.reject(hazard, version=None, reply=reply, by=staff_a)
    [(_mobile, body)] = texts
    assert reply[: texts_module_cut() - 1] + "…" in body and reply not in body


def texts_module_cut():
    return rider_texts.REPLY_IN_TEXT


def test_the_texts_are_chinese_whatever_the_staff_page_language(
    hazard, staff_a, committed, texts, client
):
    client.force_login(staff_a)
    client.post(reverse("set_language"), {"language": "en"})
    with committed():
        response = client.post(
            reverse("feedback:accept", args=[hazard.pk]), {"version": hazard.version}
        )
    assert response.status_code == 302
    [(_mobile, body)] = texts
    assert body.startswith("您反映的随手拍/隐患已受理")


def test_the_signed_in_riders_own_mobile_is_texted_when_none_was_typed(
    tree, worker_a, staff_a, committed, texts
):
    suggestion = SuggestionFactory(area=tree.community_a, worker=worker_a, mobile="")
    with committed():
        services.accept(suggestion, version=None, by=staff_a)
    assert [mobile for mobile, _body in texts] == [worker_a.mobile]


def test_no_text_without_a_number_or_once_the_riders_consent_is_withdrawn(
    tree, worker_a, staff_a, committed, texts
):
    anonymous = SuggestionFactory(area=tree.community_a)
    withdrawn = SuggestionFactory(area=tree.community_a, worker=worker_a)
    withdraw_consent(worker_a, by=staff_a)
    with committed():
        services.accept(anonymous, version=None, by=staff_a)
        services.accept(withdrawn, version=None, by=staff_a)
    assert texts == []
    assert not SuggestionText.objects.exists()


def test_staff_see_each_text_on_the_timeline_with_the_number_masked(
    hazard, staff_a, committed, texts
):
    with committed():
        services.accept(hazard, version=None, by=staff_a)
    [(kind, text, public)] = timeline(hazard, "sms_sent")
    assert text.startswith("139****5678: 您反映的随手拍/隐患已受理")
    assert public is False
    # The tracking page does not show it.
    assert "sms_sent" not in hazard.events.filter(public=True).values_list("kind", flat=True)


def test_a_rolled_back_change_sends_nothing(hazard, staff_a, committed, texts):
    with committed():
        services.accept(hazard, version=None, by=staff_a)
    texts.clear()
    with committed(), pytest.raises(services.FeedbackError):
        services.accept(hazard, version=None, by=staff_a)  # accepted already
    assert texts == []
    assert hazard.texts.count() == 1


def test_a_duplicate_is_told_it_joins_an_earlier_report_and_then_its_outcome(
    hazard, tree, staff_a, department_x, handler, committed, texts
):
    follower = SuggestionFactory(area=tree.community_a, text="井盖又没了", mobile="13900000001")
    merged = SuggestionFactory(area=tree.community_a, text="同一个井盖", mobile="13900000002")
    quiet = SuggestionFactory(area=tree.community_a, text="没留电话")
    with committed():
        services.mark_duplicate(follower, hazard, version=None, by=staff_a)
        services.merge(merged, hazard, version=None, by=staff_a)
        services.mark_duplicate(quiet, hazard, version=None, by=staff_a)
    assert [(mobile, body.split("：")[0]) for mobile, body in texts] == [
        ("13900000001", "您反映的建议已与同类反映合并办理"),
        ("13900000002", "您反映的建议已与同类反映合并办理"),
    ]
    texts.clear()
    with committed():
        resolve(hazard, staff_a, department_x, handler)
    told = dict(texts)
    assert told["13900000001"] == (
        f"与您反映的建议同类的问题已办结：{SITE}/track/{follower.tracking_code}/"
    )
    assert told["13900000002"].endswith(f"/track/{merged.tracking_code}/")
    assert MOBILE in told and len(told) == 3


# A provider that fails


def test_when_the_provider_is_down_the_change_commits_and_the_failure_is_recorded(
    hazard, staff_a, committed, settings, caplog
):
    settings.SMS_BACKEND = "tests.feedback.test_texts.ProviderDown"
    with caplog.at_level(logging.INFO), committed():
        services.accept(hazard, version=None, by=staff_a)
    hazard.refresh_from_db()
    assert hazard.state == State.ACCEPTED
    text = hazard.texts.get()
    assert (text.state, text.attempts, text.last_error) == ("failed", 1, "ConnectionError")
    [(kind, words, public)] = timeline(hazard, "sms_failed")
    assert words == "139****5678: ConnectionError；第 1 次尝试（共 6 次），稍后重试"
    assert public is False
    # The log names the text and the suggestion by id, never the number or the message.
    assert f"suggestion {hazard.pk} failed: ConnectionError" in caplog.text
    assert MOBILE not in caplog.text and "5678" not in caplog.text
    assert "受理" not in caplog.text


def test_the_sweep_tries_a_failed_text_again_later_and_sends_it_once(
    hazard, staff_a, committed, settings, texts
):
    settings.SMS_BACKEND = "tests.feedback.test_texts.ProviderDown"
    with committed():
        services.accept(hazard, version=None, by=staff_a)
    text = hazard.texts.get()
    tried = text.last_attempt_at
    # Not before its wait is over.
    assert texts_due(tried + timedelta(minutes=9)) == []
    assert texts_due(tried + timedelta(minutes=10)) == [text.pk]
    settings.SMS_BACKEND = "tests.sms.RecordingBackend"
    SuggestionText.objects.filter(pk=text.pk).update(last_attempt_at=tried - timedelta(minutes=10))
    assert sweep_rider_texts.apply().get() == 1
    assert sweep_rider_texts.apply().get() == 0
    assert send_rider_text.apply(args=[text.pk]).get() is None  # a second run sends nothing
    assert [mobile for mobile, _body in texts] == [MOBILE]
    text.refresh_from_db()
    assert (text.state, text.attempts, text.last_error) == ("sent", 2, "")
    assert [kind for kind, _text, _public in timeline(hazard, "sms_sent", "sms_failed")] == [
        "sms_failed",
        "sms_sent",
    ]


def texts_due(now):
    return rider_texts.to_retry(now)


def test_the_waits_grow_and_a_text_is_given_up_after_six_tries(hazard, staff_a, settings):
    settings.SMS_BACKEND = "tests.feedback.test_texts.ProviderRefuses"
    services.accept(hazard, version=None, by=staff_a)
    text = hazard.texts.get()
    waits = []
    for _attempt in range(5):
        rider_texts.send(text.pk)
        text.refresh_from_db()
        waits.append(next(m for m in range(1, 400) if texts_due(late(text, m)) == [text.pk]))
    assert waits == [10, 20, 40, 80, 160]
    rider_texts.send(text.pk)
    text.refresh_from_db()
    assert (text.state, text.attempts, text.last_error) == ("failed", 6, "ValueError")
    last = hazard.events.filter(kind="sms_failed").last()
    assert last.text == "139****5678: ValueError；已尝试 6 次，不再重试"
    assert rider_texts.to_retry(timezone.now() + timedelta(days=1)) == []


def late(text, minutes):
    return text.last_attempt_at + timedelta(minutes=minutes)


def test_a_text_the_task_never_picked_up_is_sent_by_the_sweep(hazard, staff_a, texts):
    services.accept(hazard, version=None, by=staff_a)  # no commit here: the task never ran
    text = hazard.texts.get()
    assert text.state == "pending"
    assert rider_texts.to_retry(text.created_at + timedelta(minutes=1)) == []
    assert rider_texts.sweep(text.created_at + timedelta(minutes=2)) == 1
    assert len(texts_sent()) == 1


def texts_sent():
    from tests import sms

    return sms.outbox


def test_old_news_is_not_sent_after_newer_news(hazard, staff_a, department_x, handler, texts):
    resolve(hazard, staff_a, department_x, handler)  # nothing sent yet: no commit
    accepted, resolved = hazard.texts.order_by("id")
    assert rider_texts.send(resolved.pk) == "sent"
    assert rider_texts.send(accepted.pk) == "dropped"
    assert [body.split("：")[0] for _mobile, body in texts_sent()] == [
        "您反映的随手拍/隐患已办结，请查看答复并评价"
    ]


def test_a_text_not_sent_within_a_day_is_dropped(hazard, staff_a, texts):
    services.accept(hazard, version=None, by=staff_a)
    text = hazard.texts.get()
    SuggestionText.objects.filter(pk=text.pk).update(
        created_at=timezone.now() - timedelta(days=1, minutes=1)
    )
    assert rider_texts.send(text.pk) == "dropped"
    assert texts_sent() == []


def test_the_sweep_is_scheduled_every_ten_minutes():
    task = PeriodicTask.objects.get(task="feedback.tasks.sweep_rider_texts")
    assert (task.interval.every, task.interval.period) == (10, "minutes")


# Stopping the texts


def track(client, suggestion):
    return client.get(reverse("feedback:track", args=[suggestion.tracking_code]))


def test_the_rider_stops_the_texts_from_the_tracking_page(
    client, hazard, staff_a, department_x, handler, committed, texts
):
    page = track(client, hazard).text
    assert "Stop the text messages" in page or "停止接收短信" in page
    with committed():
        response = client.post(reverse("feedback:stop_texts", args=[hazard.tracking_code]))
    assert response.status_code == 302
    page = client.get(response["Location"]).text
    assert "不再发送" in page or "No more text messages" in page
    assert "停止接收短信</button>" not in page
    with committed():
        resolve(hazard, staff_a, department_x, handler)
    assert texts == []
    assert not hazard.texts.exists()
    [(kind, _text, public)] = timeline(hazard, "sms_stopped")
    assert public is False


def test_stopping_drops_a_text_still_waiting_to_be_tried_again(hazard, staff_a, settings):
    settings.SMS_BACKEND = "tests.feedback.test_texts.ProviderDown"
    services.accept(hazard, version=None, by=staff_a)
    text = hazard.texts.get()
    rider_texts.send(text.pk)
    services.stop_texts(hazard)
    text.refresh_from_db()
    assert text.state == "dropped"
    assert rider_texts.to_retry(timezone.now() + timedelta(days=1)) == []


def test_stopping_twice_says_so(client, hazard):
    url = reverse("feedback:stop_texts", args=[hazard.tracking_code])
    client.post(url)
    response = client.post(url, follow=True)
    assert response.status_code == 200
    assert hazard.events.filter(kind="sms_stopped").count() == 1


def test_the_stop_button_shows_only_while_texts_can_still_come(client, tree, hazard, settings):
    settings.LANGUAGE_CODE = "en"
    anonymous = SuggestionFactory(area=tree.community_a)
    closed = SuggestionFactory(area=tree.community_a, mobile=MOBILE, state=State.CLOSED)
    assert "Stop the text messages" in track(client, hazard).text
    assert "Stop the text messages" not in track(client, anonymous).text
    assert "Stop the text messages" not in track(client, closed).text


def test_the_stop_button_needs_a_post(client, hazard):
    url = reverse("feedback:stop_texts", args=[hazard.tracking_code])
    assert client.get(url).status_code == 405
    hazard.refresh_from_db()
    assert hazard.texts_stopped_at is None


# "Is it fixed?"


def test_a_resolved_hazard_is_asked_once_whether_it_is_fixed(
    hazard, staff_a, department_x, handler, settings, committed, texts
):
    settings.FEEDBACK_ASK_IF_FIXED_DAYS = 5
    resolve(hazard, staff_a, department_x, handler)
    resolved_at = hazard.resolved_at
    assert rider_texts.ask_if_fixed(resolved_at + timedelta(days=4, hours=23)) == 0
    with committed():
        assert rider_texts.ask_if_fixed(resolved_at + timedelta(days=5)) == 1
    assert rider_texts.ask_if_fixed(resolved_at + timedelta(days=6)) == 0
    [(mobile, body)] = [(m, b) for m, b in texts if "修好" in b]
    link = f"{SITE}/track/{hazard.tracking_code}/"
    assert body == f"您随手拍反映的隐患修好了吗？请点此告诉我们：{link}"
    assert len(body) <= 70
    assert_nothing_written_in(body)
    assert timeline(hazard, "asked_if_fixed") == [("asked_if_fixed", "", False)]


def test_only_hazards_whose_submitter_can_be_texted_are_asked(
    tree, staff_a, department_x, handler, settings, hazard
):
    other = SuggestionFactory(area=tree.community_a, category="need", mobile=MOBILE)
    anonymous = SuggestionFactory(area=tree.community_a, category="hazard")
    stopped = SuggestionFactory(area=tree.community_a, category="hazard", mobile=MOBILE)
    services.stop_texts(stopped)
    for suggestion in (hazard, other, anonymous, stopped):
        resolve(suggestion, staff_a, department_x, handler)
    later = timezone.now() + timedelta(days=settings.FEEDBACK_ASK_IF_FIXED_DAYS)
    assert list(rider_texts.due_to_ask(later)) == [hazard]


def test_not_fixed_on_the_tracking_page_reopens_it(
    client, hazard, staff_a, department_x, handler, settings
):
    settings.LANGUAGE_CODE = "en"
    resolve(hazard, staff_a, department_x, handler)
    rider_texts.ask_if_fixed(
        hazard.resolved_at + timedelta(days=settings.FEEDBACK_ASK_IF_FIXED_DAYS)
    )
    page = track(client, hazard).text
    assert "Is the hazard fixed?" in page and "It is not fixed" in page
    client.post(
        reverse("feedback:reopen", args=[hazard.tracking_code]), {"comment": "井盖还是没有"}
    )
    hazard.refresh_from_db()
    assert hazard.state == State.SUBMITTED
    assert hazard.events.filter(kind="reopened").get().text == "井盖还是没有"


def test_an_asked_hazard_closes_a_week_after_the_question_not_after_the_resolution(
    hazard, staff_a, department_x, handler, settings
):
    """So the answer "not fixed" can still reopen it: FEEDBACK_ASK_IF_FIXED_DAYS may be longer
    than FEEDBACK_AUTO_CLOSE_DAYS."""
    from feedback import followup

    settings.FEEDBACK_ASK_IF_FIXED_DAYS, settings.FEEDBACK_AUTO_CLOSE_DAYS = 10, 7
    resolve(hazard, staff_a, department_x, handler)
    start = hazard.resolved_at
    assert followup.close_unrated(start + timedelta(days=8)) == 0  # not asked yet
    assert rider_texts.ask_if_fixed(start + timedelta(days=10)) == 1
    assert followup.close_unrated(start + timedelta(days=16)) == 0  # asked 6 days ago
    assert followup.close_unrated(start + timedelta(days=17)) == 1
    hazard.refresh_from_db()
    assert hazard.state == State.CLOSED


def test_a_hazard_nobody_can_be_asked_about_closes_as_any_suggestion(
    tree, staff_a, department_x, handler
):
    from feedback import followup

    anonymous = SuggestionFactory(area=tree.community_a, category="hazard")
    resolve(anonymous, staff_a, department_x, handler)
    assert followup.close_unrated(anonymous.resolved_at + timedelta(days=7)) == 1


def test_a_hazard_reopened_and_resolved_again_is_asked_again(
    hazard, staff_a, department_x, handler, settings
):
    days = timedelta(days=settings.FEEDBACK_ASK_IF_FIXED_DAYS)
    resolve(hazard, staff_a, department_x, handler)
    type(hazard).objects.filter(pk=hazard.pk).update(resolved_at=timezone.now() - days)
    assert rider_texts.ask_if_fixed(timezone.now()) == 1
    services.reopen(hazard, comment="没修好")
    resolve(hazard, staff_a, department_x, handler)
    hazard.refresh_from_db()
    assert rider_texts.ask_if_fixed(hazard.resolved_at + days) == 1
    assert hazard.texts.filter(kind="ask_if_fixed").count() == 2


def test_the_daily_follow_up_asks(hazard, staff_a, department_x, handler, settings):
    from feedback import followup

    resolve(hazard, staff_a, department_x, handler)
    done = followup.follow_up(hazard.resolved_at + timedelta(days=7))
    assert done["asked_if_fixed"] == 1 and done["closed"] == 0


def test_a_worker_without_consent_is_not_asked(tree, staff_a, department_x, handler):
    rider = WorkerFactory(area=tree.community_a)
    hazard = SuggestionFactory(area=tree.community_a, category="hazard", worker=rider)
    resolve(hazard, staff_a, department_x, handler)
    withdraw_consent(rider, by=staff_a)
    assert list(rider_texts.due_to_ask(timezone.now() + timedelta(days=30))) == []


def test_administrators_see_the_failed_texts_in_the_admin_without_number_or_message(
    client, administrator, hazard, staff_a, settings
):
    settings.SMS_BACKEND = "tests.feedback.test_texts.ProviderDown"
    services.accept(hazard, version=None, by=staff_a)
    rider_texts.send(hazard.texts.get().pk)
    client.force_login(administrator)
    page = client.get(reverse("admin:feedback_suggestiontext_changelist"), {"state": "failed"})
    assert page.status_code == 200
    assert "ConnectionError" in page.text and hazard.tracking_code in page.text
    assert MOBILE not in page.text
    assert client.get(reverse("admin:feedback_suggestiontext_add")).status_code == 403


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_the_task_and_the_sweep_sending_the_same_text_at_once_send_it_once(tree, staff_a, texts):
    from functools import partial

    from tests.races import race

    for _round in range(5):
        texts.clear()
        suggestion = SuggestionFactory(area=tree.community_a, mobile=MOBILE)
        # With a broker and no worker the after-commit task waits; eager, it sent it already.
        services.accept(suggestion, version=None, by=staff_a)
        pk = suggestion.texts.get().pk
        assert race([partial(rider_texts.send, pk), partial(rider_texts.send, pk)]) == [
            "done",
            "done",
        ]
        assert len(texts) == 1
        assert suggestion.events.filter(kind="sms_sent").count() == 1
