"""The confirmation queue opens each registration: confirm, refuse with a reason (the rider reads
it on 我的), or merge it into the worker it repeats, with that worker's history kept."""

import pytest
from django.urls import reverse
from django.utils import timezone

from feedback.models import Suggestion
from points.models import Entry, EntryKind
from points.services.activities import sign_up
from points.services.ledger import award, balance
from portal.models import AuditLog
from registry import services
from registry.models import CheckIn, WorkerEvent, WorkerStatus
from stations.models import StationVisit
from tests.factories import ActivityFactory, SuggestionFactory, WorkerFactory
from tests.riders import sign_in_rider

pytestmark = pytest.mark.django_db


@pytest.fixture
def kept(tree):
    """张三 on the roster since the survey list, confirmed, with another mobile."""
    return WorkerFactory(
        name="张三",
        mobile="13900000009",
        area=tree.community_a,
        status=WorkerStatus.CONFIRMED,
        confirmed_at=timezone.now(),
    )


def test_the_queue_opens_each_registration_on_a_review_page_with_the_likely_duplicates(
    client, staff_a, worker_a, kept, django_assert_max_num_queries
):
    client.force_login(staff_a)
    queue = client.get(reverse("registry:pending"))
    assert reverse("registry:review", args=[worker_a.id]) in queue.text
    with django_assert_max_num_queries(14):
        response = client.get(reverse("registry:review", args=[worker_a.id]))
    assert response.status_code == 200
    assert "13800000001" in response.text  # the full record, for the one deciding
    assert "139****0009" in response.text  # the likely duplicate, masked
    assert f'name="kept" value="{kept.id}"' in response.text
    assert AuditLog.objects.filter(action=AuditLog.Action.VIEWED, subject_id=worker_a.id).exists()


def test_a_decided_registration_opens_the_workers_page_instead(client, staff_a, worker_a):
    services.confirm(worker_a, by=staff_a)
    client.force_login(staff_a)
    response = client.get(reverse("registry:review", args=[worker_a.id]))
    assert response.url == reverse("registry:worker_detail", args=[worker_a.id])


def test_refusing_needs_a_reason_and_the_rider_reads_it_on_their_page(client, staff_a, worker_a):
    client.force_login(staff_a)
    url = reverse("registry:refuse", args=[worker_a.id])
    response = client.post(url, {"reason": "  "}, follow=True)
    assert "请说明不予确认的原因。" in response.text
    worker_a.refresh_from_db()
    assert worker_a.status == WorkerStatus.PENDING

    response = client.post(url, {"reason": "不在本社区工作，请选择实际工作的社区"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("registry:pending")
    assert "张三" in response.text and "不予确认" in response.text
    worker_a.refresh_from_db()
    assert worker_a.status == WorkerStatus.LEFT
    assert worker_a.refusal_reason == "不在本社区工作，请选择实际工作的社区"
    event = worker_a.events.get(kind=WorkerEvent.Kind.REFUSED)
    assert event.actor == staff_a

    rider = sign_in_rider(client.__class__(), worker_a)
    page = rider.get(reverse("points:me"))
    assert "社区未确认你的登记" in page.text
    assert "不在本社区工作，请选择实际工作的社区" in page.text
    assert f"?community={worker_a.area.code}" in page.text


def test_a_refused_registration_cannot_then_be_confirmed(client, staff_a, worker_a):
    services.refuse(worker_a, reason="信息不实", by=staff_a)
    client.force_login(staff_a)
    response = client.post(reverse("registry:confirm", args=[worker_a.id]), follow=True)
    assert "这份登记已不在等待确认。" in response.text
    worker_a.refresh_from_db()
    assert worker_a.status == WorkerStatus.LEFT


def test_registering_again_after_a_refusal_waits_for_confirmation_anew(staff_a, worker_a):
    services.refuse(worker_a, reason="姓名有误", by=staff_a)
    details = {
        field: getattr(worker_a, field)
        for field in ["name", "mobile", "occupation", "platform", "area", "political_status"]
    }
    services.register(details, sensitive_consent=False, channel="self")
    worker_a.refresh_from_db()
    assert worker_a.status == WorkerStatus.PENDING
    assert worker_a.refused_at is None and worker_a.refusal_reason == ""


def test_the_pending_rider_sees_that_the_community_has_yet_to_confirm(client, worker_a):
    page = sign_in_rider(client, worker_a).get(reverse("points:me"))
    assert "待社区确认" in page.text


def test_the_workers_page_carries_the_same_decisions_while_it_waits(
    client, staff_a, official, worker_a, kept
):
    client.force_login(staff_a)
    page = client.get(reverse("registry:worker_detail", args=[worker_a.id]))
    assert reverse("registry:refuse", args=[worker_a.id]) in page.text
    assert reverse("registry:duplicate", args=[worker_a.id]) in page.text
    assert 'name="back" value="worker"' in page.text
    response = client.post(
        reverse("registry:refuse", args=[worker_a.id]), {"reason": "重复", "back": "worker"}
    )
    assert response.url == reverse("registry:worker_detail", args=[worker_a.id])
    page = client.get(reverse("registry:worker_detail", args=[worker_a.id]))
    assert reverse("registry:refuse", args=[worker_a.id]) not in page.text
    assert "重复" in page.text
    # Officials read the record but decide nothing.
    client.force_login(official)
    page = client.get(reverse("registry:worker_detail", args=[kept.id]))
    assert reverse("registry:duplicate", args=[kept.id]) not in page.text


def test_marking_a_duplicate_moves_its_history_to_the_kept_worker(
    client, staff_a, worker_a, kept, station_a
):
    """Check-ins, points, suggestions, visits and activity places go over; the duplicate's record
    stays, not active, pointing at the kept worker."""
    CheckIn.objects.create(worker=worker_a, area=worker_a.area, channel="self")
    award(worker_a, 7, EntryKind.GRID_DUTY)
    award(kept, 3, EntryKind.GRID_DUTY)
    suggestion = SuggestionFactory(area=worker_a.area, worker=worker_a, mobile=worker_a.mobile)
    StationVisit.objects.create(station=station_a, worker=worker_a, day=timezone.localdate())
    activity = ActivityFactory(area=worker_a.area)
    place = sign_up(activity, worker_a)

    client.force_login(staff_a)
    response = client.post(
        reverse("registry:duplicate", args=[worker_a.id]), {"kept": kept.id}, follow=True
    )
    assert "已将 张三 的登记合并到 张三" in response.text
    worker_a.refresh_from_db()
    assert worker_a.merged_into == kept
    assert worker_a.status == WorkerStatus.LEFT
    assert kept.check_ins.count() == 1 and worker_a.check_ins.count() == 0
    assert balance(kept) == 10 and balance(worker_a) == 0
    # The ledger stays append-only: the duplicate's own entries stay, a pair moves the balance.
    assert list(Entry.objects.filter(kind=EntryKind.MERGED).values_list("worker", "amount")) == [
        (kept.id, 7),
        (worker_a.id, -7),
    ]
    assert Suggestion.objects.get(pk=suggestion.pk).worker == kept
    assert StationVisit.objects.get().worker == kept
    place.refresh_from_db()
    assert place.worker == kept
    assert worker_a.events.filter(kind=WorkerEvent.Kind.MERGED, actor=staff_a).exists()
    assert kept.events.filter(kind=WorkerEvent.Kind.MERGED, actor=staff_a).exists()
    kept_page = client.get(reverse("registry:worker_detail", args=[kept.id]))
    assert "138****0001" in kept_page.text  # the timeline names the duplicate it took in
    assert reverse("registry:worker_detail", args=[worker_a.id]) in kept_page.text
    duplicate_page = client.get(reverse("registry:worker_detail", args=[worker_a.id]))
    assert reverse("registry:worker_detail", args=[kept.id]) in duplicate_page.text


def test_the_rider_of_a_merged_registration_is_told_which_number_to_sign_in_with(
    client, staff_a, worker_a, kept
):
    services.merge_duplicate(worker_a, kept=kept, by=staff_a)
    page = sign_in_rider(client, worker_a).get(reverse("points:me"))
    assert "139****0009" in page.text


def test_a_duplicate_is_found_by_the_kept_workers_full_mobile_typed_any_way(
    client, staff_a, worker_a, kept
):
    client.force_login(staff_a)
    client.post(
        reverse("registry:duplicate", args=[worker_a.id]),
        {"mobile": "+86 １３９ ０００ ０００ ０９"},
    )
    worker_a.refresh_from_db()
    assert worker_a.merged_into == kept


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "请选择这份登记重复的人员。"),
        ({"mobile": "13700000000"}, "你的辖区内没有使用这个手机号的人员。"),
        ({"kept": "999999"}, "选择一个有效的选项"),
        ({"kept": "abc"}, "选择一个有效的选项"),
    ],
)
def test_a_duplicate_without_a_worker_to_keep_says_what_is_missing(
    client, staff_a, worker_a, kept, data, message
):
    client.force_login(staff_a)
    response = client.post(reverse("registry:duplicate", args=[worker_a.id]), data, follow=True)
    assert response.status_code == 200
    assert message in response.text
    worker_a.refresh_from_db()
    assert worker_a.merged_into is None and worker_a.status == WorkerStatus.PENDING


def test_a_worker_outside_the_users_scope_cannot_be_the_one_kept(
    client, tree, staff_a, worker_a, worker_c
):
    client.force_login(staff_a)
    client.post(reverse("registry:duplicate", args=[worker_a.id]), {"kept": worker_c.id})
    client.post(reverse("registry:duplicate", args=[worker_a.id]), {"mobile": worker_c.mobile})
    worker_a.refresh_from_db()
    assert worker_a.merged_into is None


def test_a_registration_is_no_duplicate_of_itself_nor_of_a_merged_record(staff_a, worker_a, kept):
    with pytest.raises(services.RegistryError):
        services.merge_duplicate(worker_a, kept=worker_a, by=staff_a)
    other = WorkerFactory(area=worker_a.area)
    services.merge_duplicate(other, kept=worker_a, by=staff_a)
    with pytest.raises(services.RegistryError) as refused:
        services.merge_duplicate(kept, kept=other, by=staff_a)
    assert refused.value.code in ("not_pending", "kept_inactive")


def test_a_merge_that_fails_half_way_changes_nothing(staff_a, worker_a, kept, monkeypatch):
    CheckIn.objects.create(worker=worker_a, area=worker_a.area, channel="self")

    def broken(sender, **kwargs):
        raise RuntimeError("receiver failed")

    services.worker_merged.connect(broken, dispatch_uid="test.broken")
    try:
        with pytest.raises(RuntimeError):
            services.merge_duplicate(worker_a, kept=kept, by=staff_a)
    finally:
        services.worker_merged.disconnect(dispatch_uid="test.broken")
    worker_a.refresh_from_db()
    assert worker_a.merged_into is None and worker_a.check_ins.count() == 1
