"""The loop's state changes: what each allows, what it refuses, and what it records."""

from functools import partial

import pytest

from feedback import services
from feedback.models import Event, State, Suggestion, Task
from feedback.services import FeedbackError
from points.models import Entry
from points.services.ledger import balance
from portal.models import Notification
from tests.factories import SuggestionFactory, TaskFactory, WorkerFactory
from tests.races import race


def kinds(suggestion):
    return list(suggestion.events.values_list("kind", flat=True))


def test_submit_links_the_signed_in_rider_and_records_the_channel(tree, worker_a):
    suggestion = services.submit(
        {"category": "hazard", "text": "井盖缺失"},
        channel="qr_code",
        area=tree.community_a,
        worker=worker_a,
    )
    assert suggestion.worker == worker_a
    assert suggestion.state == State.SUBMITTED
    assert len(suggestion.tracking_code) == 10
    assert suggestion.channel == "qr_code"
    assert suggestion.events.get().kind == "submitted"


def test_a_typed_mobile_links_no_one_on_the_public_form(tree, worker_a):
    """Whoever types a rider's mobile does not file in their name (nor earn them points)."""
    suggestion = services.submit(
        {"category": "hazard", "text": "井盖缺失", "mobile": worker_a.mobile},
        channel="qr_code",
        area=tree.community_a,
    )
    assert suggestion.worker is None


def test_staff_entering_it_link_the_worker_by_the_mobile_they_were_given(tree, worker_a, staff_a):
    suggestion = services.submit(
        {"category": "hazard", "text": "井盖缺失", "mobile": worker_a.mobile},
        channel="meeting",
        area=tree.community_a,
        by=staff_a,
    )
    assert suggestion.worker == worker_a


def test_accept_moves_to_accepted_and_writes_who_and_from_what(suggestion_a, staff_a):
    services.accept(suggestion_a, version=suggestion_a.version, by=staff_a)
    assert suggestion_a.state == State.ACCEPTED
    event = suggestion_a.events.get()
    assert (event.kind, event.actor, event.from_state, event.to_state) == (
        "accepted",
        staff_a,
        "submitted",
        "accepted",
    )


def test_a_stale_form_is_refused_and_changes_nothing(suggestion_a, staff_a, staff_b):
    seen = suggestion_a.version
    services.accept(suggestion_a, version=seen, by=staff_a)
    stale = type(suggestion_a).objects.get(pk=suggestion_a.pk)
    stale.state = State.SUBMITTED  # what the second staff member's page still shows
    with pytest.raises(FeedbackError) as refused:
        services.reject(stale, version=seen, reply="不属于受理范围", by=staff_b)
    assert refused.value.code == "state"
    suggestion_a.refresh_from_db()
    assert suggestion_a.state == State.ACCEPTED and suggestion_a.reply == ""


def test_same_state_but_older_version_is_a_conflict(suggestion_a, staff_a):
    seen = suggestion_a.version
    services.transfer(suggestion_a, suggestion_a.area.parent, version=seen, by=staff_a)
    with pytest.raises(FeedbackError) as refused:
        services.accept(suggestion_a, version=seen, by=staff_a)
    assert refused.value.code == "conflict"


def test_reject_needs_a_reply(suggestion_a, staff_a):
    with pytest.raises(FeedbackError):
        services.reject(suggestion_a, version=None, reply="  ", by=staff_a)
    assert not suggestion_a.events.exists()


def test_duplicate_follows_the_root_original(tree, suggestion_a, staff_a):
    first = SuggestionFactory(area=tree.community_a)
    services.mark_duplicate(suggestion_a, first, version=None, by=staff_a)
    third = SuggestionFactory(area=tree.community_a)
    services.mark_duplicate(third, suggestion_a, version=None, by=staff_a)
    assert third.original == first
    with pytest.raises(FeedbackError):
        services.mark_duplicate(first, first, version=None, by=staff_a)


def test_merge_moves_photos_and_text_to_the_original(tree, suggestion_a, staff_a):
    keep = SuggestionFactory(area=tree.community_a)
    services.merge(suggestion_a, keep, version=None, by=staff_a)
    assert suggestion_a.state == State.MERGED
    note = keep.events.get(kind=Event.Kind.MERGED_IN)
    assert suggestion_a.text in note.text and not note.public


def test_the_whole_loop_with_rating(suggestion_a, staff_a, department_x, handler):
    services.accept(suggestion_a, version=None, by=staff_a)
    task = services.add_task(
        suggestion_a,
        department_x,
        instructions="安装路灯",
        due_on=suggestion_a.submitted_at.date(),
        by=staff_a,
    )
    assert Notification.objects.filter(user=handler).count() == 1
    with pytest.raises(FeedbackError):
        services.resolve(suggestion_a, version=None, reply="已安装", by=staff_a)
    services.add_note(task, "已联系供电所", by=handler)
    services.complete_task(task, result="路灯已安装", by=handler)
    with pytest.raises(FeedbackError):
        services.complete_task(task, result="again", by=handler)
    services.resolve(suggestion_a, version=None, reply="路灯已安装，感谢反映", by=staff_a)
    services.rate(suggestion_a, rating=5, comment="很快")
    with pytest.raises(FeedbackError):
        services.rate(suggestion_a, rating=1)
    assert suggestion_a.state == State.CLOSED and suggestion_a.rating == 5
    assert kinds(suggestion_a) == [
        "accepted",
        "task_assigned",
        "task_note",
        "task_done",
        "resolved",
        "rated",
    ]


def test_not_solved_reopens_for_assessment(suggestion_a, staff_a, department_x):
    TaskFactory(suggestion=suggestion_a, department=department_x, state=Task.State.DONE)
    type(suggestion_a).objects.filter(pk=suggestion_a.pk).update(state=State.ACCEPTED)
    suggestion_a.refresh_from_db()
    services.resolve(suggestion_a, version=None, reply="已处理", by=staff_a)
    services.reopen(suggestion_a, comment="路灯还是不亮")
    assert suggestion_a.state == State.SUBMITTED and suggestion_a.resolved_at is None


def test_accepted_hazard_awards_points_once(tree, staff_a):
    worker = WorkerFactory(area=tree.community_a)
    hazard = SuggestionFactory(area=tree.community_a, category="hazard", worker=worker)
    services.accept(hazard, version=None, by=staff_a)
    # not solved, reassessed and accepted again: still one award
    type(hazard).objects.filter(pk=hazard.pk).update(state=State.SUBMITTED)
    hazard.refresh_from_db()
    services.accept(hazard, version=None, by=staff_a)
    assert Entry.objects.filter(worker=worker).count() == 1
    assert balance(worker) == 10


def test_an_accepted_suggestion_that_is_not_a_hazard_awards_nothing(tree, staff_a):
    worker = WorkerFactory(area=tree.community_a)
    suggestion = SuggestionFactory(area=tree.community_a, worker=worker)
    services.accept(suggestion, version=None, by=staff_a)
    assert balance(worker) == 0


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_staff_acting_at_once_cannot_both_succeed(tree, staff_a, staff_b):
    """Alice accepts while Bob rejects the same suggestion, both from the same page version."""

    def accept(pk):
        services.accept(Suggestion.objects.get(pk=pk), version=0, by=staff_a)

    def reject(pk):
        services.reject(
            Suggestion.objects.get(pk=pk), version=0, reply="不属于受理范围", by=staff_b
        )

    for _round in range(10):
        suggestion = SuggestionFactory(area=tree.community_a)
        outcomes = race(
            [partial(accept, suggestion.pk), partial(reject, suggestion.pk)], refused=FeedbackError
        )
        assert sorted(outcomes) in (["conflict", "done"], ["done", "state"])
        suggestion.refresh_from_db()
        assert suggestion.events.count() == 1
        assert (suggestion.state == State.REJECTED) == bool(suggestion.reply)
