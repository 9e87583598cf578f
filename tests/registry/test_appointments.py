"""A role is an appointment: area, appointing department, a term; active until the term runs out
or staff end it early with a reason. The rosters filter by the roles held today."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from registry.models import WorkerEvent, WorkerRole
from registry.services import appointments
from tests.factories import WorkerFactory, WorkerRoleFactory


def days(n):
    return timezone.localdate() + timedelta(days=n)


@pytest.fixture
def grid_member_a(tree):
    """A grid member of community A whose term ends in ten days."""
    return WorkerRoleFactory(
        worker__area=tree.community_a,
        worker__name="周强",
        role="grid_member",
        starts_on=days(-355),
        ends_on=days(10),
        department="建设路社区居委会",
    )


def test_an_appointment_is_active_within_its_term_and_not_after(tree):
    current = WorkerRoleFactory(ends_on=days(0), worker__area=tree.community_a)
    over = WorkerRoleFactory(starts_on=days(-30), ends_on=days(-1), worker__area=tree.community_a)
    ended = WorkerRoleFactory(ended_on=days(0), worker__area=tree.community_a)
    active = WorkerRole.objects.active(timezone.localdate())
    assert set(active) == {current}
    assert over not in active and ended not in active


def test_the_roster_filters_by_the_role_held_today(client, tree, staff_a):
    holder = WorkerRoleFactory(worker__area=tree.community_a, role="grid_member").worker
    former = WorkerRoleFactory(
        worker__area=tree.community_a, role="grid_member", starts_on=days(-60), ends_on=days(-1)
    ).worker
    client.force_login(staff_a)
    response = client.get(reverse("registry:workers"), {"role": "grid_member"})
    assert list(response.context["page"].object_list) == [holder]
    assert former.pk not in [worker.pk for worker in response.context["page"].object_list]


def test_expiring_appointments_are_listed_a_month_ahead_in_scope(
    client, tree, staff_a, staff_b, grid_member_a, django_assert_max_num_queries
):
    later = WorkerRoleFactory(worker__area=tree.community_a, ends_on=days(31))
    no_end = WorkerRoleFactory(worker__area=tree.community_a)
    for _ in range(4):
        WorkerRoleFactory(worker__area=tree.community_a, ends_on=days(20))
    client.force_login(staff_a)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("registry:appointments_expiring"))
    rows = list(response.context["page"].object_list)
    assert rows[0] == grid_member_a  # soonest first
    assert len(rows) == 5
    assert later not in rows and no_end not in rows
    client.force_login(staff_b)
    assert not client.get(reverse("registry:appointments_expiring")).context["page"].object_list


def test_staff_end_an_appointment_early_with_a_reason(client, staff_a, grid_member_a):
    client.force_login(staff_a)
    url = reverse("registry:appointment_end", args=[grid_member_a.pk])
    response = client.post(url, {"reason": ""})
    assert response.status_code == 302
    grid_member_a.refresh_from_db()
    assert grid_member_a.ended_on is None

    client.post(url, {"reason": "已调离本社区"})
    grid_member_a.refresh_from_db()
    assert (grid_member_a.ended_on, grid_member_a.end_reason) == (days(0), "已调离本社区")
    event = grid_member_a.worker.events.get(kind=WorkerEvent.Kind.APPOINTMENT_ENDED)
    assert (event.actor, event.changes["reason"]) == (staff_a, ["", "已调离本社区"])

    with pytest.raises(appointments.AppointmentError) as refusal:
        appointments.end(grid_member_a, reason="again", by=staff_a)
    assert refusal.value.code == "not_active"


def test_staff_of_another_community_cannot_end_an_appointment(client, staff_b, grid_member_a):
    client.force_login(staff_b)
    url = reverse("registry:appointment_end", args=[grid_member_a.pk])
    assert client.post(url, {"reason": "不合适"}).status_code == 404
    grid_member_a.refresh_from_db()
    assert grid_member_a.ended_on is None


def test_ticking_roles_on_the_record_appoints_and_unticking_ends(tree, staff_a):
    worker = WorkerFactory(area=tree.community_a, status="confirmed")
    WorkerRoleFactory(worker=worker, role="volunteer", starts_on=days(-10))
    changes = appointments.set_roles(worker, ["grid_member"], by=staff_a)
    assert changes == {"roles": [["volunteer"], ["grid_member"]]}
    volunteer = worker.roles.get(role="volunteer")
    grid = worker.roles.get(role="grid_member")
    assert volunteer.ended_on == days(0)
    assert (grid.area, grid.starts_on, grid.ends_on) == (tree.community_a, days(0), None)


def test_a_role_whose_term_ran_out_can_be_given_again(tree, staff_a):
    lapsed = WorkerRoleFactory(
        worker__area=tree.community_a, role="grid_member", starts_on=days(-40), ends_on=days(-5)
    )
    renewed = appointments.appoint(
        lapsed.worker,
        "grid_member",
        area=tree.community_a,
        department="居委会",
        ends_on=None,
        by=staff_a,
    )
    lapsed.refresh_from_db()
    assert lapsed.ended_on == days(-5)
    assert renewed.pk != lapsed.pk
    assert WorkerRole.objects.active(days(0)).get(worker=lapsed.worker) == renewed


def test_the_worker_page_shows_the_appointments_with_their_state(client, staff_a, grid_member_a):
    client.force_login(staff_a)
    page = client.get(reverse("registry:worker_detail", args=[grid_member_a.worker_id]))
    html = page.content.decode()
    assert "建设路社区居委会" in html
    assert reverse("registry:appointment_end", args=[grid_member_a.pk]) in html
