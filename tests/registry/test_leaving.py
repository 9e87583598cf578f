"""Leaving (离职/迁出), withdrawing consent, and the administrator's anonymisation (PIPL)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from registry.models import CheckIn, Worker, WorkerEvent, WorkerStatus
from tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db


def test_a_worker_who_leaves_keeps_the_record_and_its_history(client, staff_a, worker_a):
    client.force_login(staff_a)
    response = client.post(
        reverse("registry:worker_leave", args=[worker_a.id]), {"reason": "回老家了"}, follow=True
    )
    assert "已标记为离开，记录仍然保留。" in response.text
    worker_a.refresh_from_db()
    assert worker_a.status == WorkerStatus.LEFT and worker_a.left_at
    event = worker_a.events.get(kind=WorkerEvent.Kind.LEFT)
    assert event.actor == staff_a and event.changes["reason"] == ["", "回老家了"]
    assert "回老家了" in response.text


def test_leaving_twice_is_refused_with_a_message(client, staff_a, worker_a):
    client.force_login(staff_a)
    client.post(reverse("registry:worker_leave", args=[worker_a.id]))
    response = client.post(reverse("registry:worker_leave", args=[worker_a.id]), follow=True)
    assert "这位劳动者已经标记为离开。" in response.text
    assert worker_a.events.filter(kind=WorkerEvent.Kind.LEFT).count() == 1


def test_withdrawing_consent_takes_the_worker_off_the_current_roster(client, staff_a, worker_a):
    client.force_login(staff_a)
    client.post(reverse("registry:worker_withdraw_consent", args=[worker_a.id]))
    worker_a.refresh_from_db()
    assert worker_a.consent_withdrawn_at and worker_a.status == WorkerStatus.LEFT
    assert worker_a.events.filter(kind=WorkerEvent.Kind.CONSENT_WITHDRAWN).exists()
    assert "张三" not in client.get(reverse("registry:workers")).text


def test_an_administrator_erases_a_departed_workers_details_but_keeps_the_counts(
    client, administrator, tree
):
    worker = WorkerFactory(
        name="张三",
        mobile="13800000001",
        area=tree.community_a,
        political_status="party_member",
        party_branch="建设路党支部",
        id_number="11010519491231002X",
        sensitive_consented_at=timezone.now(),
        status=WorkerStatus.LEFT,
    )
    CheckIn.objects.create(worker=worker, area=tree.community_a, channel="self")
    worker.events.create(kind=WorkerEvent.Kind.UPDATED, changes={"name": ["张山", "张三"]})
    client.force_login(administrator)
    response = client.post(reverse("registry:worker_anonymise", args=[worker.id]), follow=True)
    assert "个人信息已删除" in response.text
    worker.refresh_from_db()
    assert (worker.name, worker.name_pinyin, worker.id_number, worker.party_branch) == (
        "",
        "",
        "",
        "",
    )
    assert not worker.mobile.startswith("1") and "13800000001" not in response.text
    assert worker.anonymised_at
    # What the statistics count stays: the community, the occupation, the party membership.
    assert (
        Worker.objects.filter(area=tree.community_a, political_status="party_member").count() == 1
    )
    assert worker.check_ins.count() == 1
    assert not worker.events.exclude(changes={}).exists()


def test_only_a_worker_who_left_can_be_anonymised(client, administrator, worker_a):
    client.force_login(administrator)
    response = client.post(reverse("registry:worker_anonymise", args=[worker_a.id]), follow=True)
    assert "只有已离开或撤回同意的劳动者才能匿名化。" in response.text
    worker_a.refresh_from_db()
    assert worker_a.name == "张三"


def test_two_anonymised_workers_do_not_clash_on_the_mobile_number(administrator, tree):
    from registry import services

    first, second = WorkerFactory.create_batch(2, area=tree.community_a, status=WorkerStatus.LEFT)
    services.anonymise(first, by=administrator)
    services.anonymise(second, by=administrator)
    assert Worker.objects.filter(anonymised_at__isnull=False).count() == 2


def test_an_anonymised_record_cannot_be_edited(client, staff_a, administrator, tree):
    from registry import services

    worker = WorkerFactory(area=tree.community_a, status=WorkerStatus.LEFT)
    services.anonymise(worker, by=administrator)
    client.force_login(staff_a)
    response = client.get(reverse("registry:worker_edit", args=[worker.id]), follow=True)
    assert "这条记录已匿名化。" in response.text


def test_withdrawing_consent_closes_open_care_visits_so_no_reminder_follows(staff_a, tree):
    from datetime import date

    from registry import services
    from registry.care import remind_due_visits
    from registry.models import CareVisit

    worker = WorkerFactory(
        area=tree.community_a,
        political_status="party_member",
        sensitive_consented_at=timezone.now(),
    )
    visit = CareVisit.objects.create(
        worker=worker, trigger="job_change", due_on=date.today(), responsible=staff_a
    )
    services.withdraw_consent(worker)
    visit.refresh_from_db()
    assert visit.closed_at is not None
    assert remind_due_visits(date.today()) == 0


def test_anonymising_erases_the_care_visit_notes(administrator, staff_a, tree):
    from datetime import date

    from registry import services
    from registry.models import CareVisit

    worker = WorkerFactory(
        area=tree.community_a,
        political_status="party_member",
        sensitive_consented_at=timezone.now(),
        status=WorkerStatus.LEFT,
    )
    CareVisit.objects.create(
        worker=worker, trigger="life_change", trigger_notes="家人住院", due_on=date.today()
    )
    services.anonymise(worker, by=administrator)
    visit = worker.care_visits.get()
    assert (visit.trigger_notes, visit.closed_by) == ("", administrator)


def test_the_administrator_finds_whom_to_erase_with_one_filter(client, administrator, tree):
    from registry import services

    withdrawn, erased = WorkerFactory.create_batch(2, area=tree.community_a)
    WorkerFactory(area=tree.community_a, status=WorkerStatus.LEFT)
    services.withdraw_consent(withdrawn)
    services.withdraw_consent(erased)
    services.anonymise(erased, by=administrator)
    client.force_login(administrator)
    response = client.get(reverse("registry:workers"), {"status": "to_erase"})
    assert list(response.context["page"].object_list) == [withdrawn]
