"""招募令: staff publish a call, riders apply on its page, staff accept (which appoints the role)
or decline with a reason; the call shows on the stations' landing pages of its area and on 我的."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from registry.models import Application, RecruitmentCall, WorkerEvent, WorkerRole
from registry.services import recruitment
from tests.factories import RecruitmentCallFactory, WorkerFactory, WorkerRoleFactory
from tests.riders import sign_in_rider


@pytest.fixture
def call_a(tree, staff_a):
    """A call for two grid members in community A, open for a week."""
    return RecruitmentCallFactory(area=tree.community_a, created_by=staff_a)


def apply_url(call):
    return reverse("registry:apply", args=[call.code])


def test_staff_publish_a_call_in_their_scope(client, tree, staff_a):
    client.force_login(staff_a)
    deadline = timezone.localdate() + timedelta(days=10)
    response = client.post(
        reverse("registry:call_new"),
        {
            "role": "food_safety",
            "area": tree.community_a.pk,
            "wanted": 3,
            "duties": "检查驿站周边餐饮后厨",
            "deadline": deadline.isoformat(),
            "department": "梁园区市场监管局",
            "term_ends_on": (deadline + timedelta(days=365)).isoformat(),
        },
    )
    call = RecruitmentCall.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("registry:call", args=[call.pk])
    assert (call.role, call.area, call.wanted, call.created_by) == (
        "food_safety",
        tree.community_a,
        3,
        staff_a,
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"deadline": -1}, "deadline"),
        ({"term_ends_on": 3}, "term_ends_on"),
        ({"wanted": 0}, "wanted"),
        ({"area": "community_c"}, "area"),
    ],
)
def test_a_call_with_bad_input_is_refused(client, tree, staff_a, change, field):
    client.force_login(staff_a)
    today = timezone.localdate()
    data = {
        "role": "grid_member",
        "area": tree.community_a.pk,
        "wanted": 2,
        "duties": "巡查",
        "deadline": (today + timedelta(days=5)).isoformat(),
        "department": "建设路社区居委会",
        "term_ends_on": "",
    }
    for key, value in change.items():
        if key in ("deadline", "term_ends_on"):
            data[key] = (today + timedelta(days=value)).isoformat()
        elif key == "area":
            data[key] = getattr(tree, value).pk
        else:
            data[key] = value
    response = client.post(reverse("registry:call_new"), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not RecruitmentCall.objects.exists()


def test_a_signed_in_rider_applies_once_with_a_few_words(client, rider, call_a):
    sign_in_rider(client, rider)
    response = client.post(apply_url(call_a), {"message": "晚上有空，熟悉建设路"})
    assert response.status_code == 302
    application = Application.objects.get()
    assert (application.worker, application.status) == (rider, Application.Status.PENDING)
    assert rider.events.filter(kind=WorkerEvent.Kind.APPLIED).exists()

    client.post(apply_url(call_a), {"message": "再报一次"})
    assert Application.objects.count() == 1
    with pytest.raises(recruitment.RecruitmentError) as refusal:
        recruitment.apply(call_a, rider, "again")
    assert refusal.value.code == "already_applied"


def test_a_rider_not_signed_in_is_sent_to_sign_in(client, call_a):
    response = client.post(apply_url(call_a), {"message": "我想报名"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("registry:sign_in"))
    assert not Application.objects.exists()


def test_an_empty_message_is_refused(client, rider, call_a):
    sign_in_rider(client, rider)
    response = client.post(apply_url(call_a), {"message": "  "})
    assert response.status_code == 200
    assert not Application.objects.exists()


def test_nobody_applies_after_the_deadline(client, rider, call_a):
    call_a.deadline = timezone.localdate() - timedelta(days=1)
    call_a.save()
    sign_in_rider(client, rider)
    response = client.post(apply_url(call_a), {"message": "我想报名"}, follow=True)
    assert not Application.objects.exists()
    assert _("The deadline of this call has passed.") in response.content.decode()


@pytest.mark.parametrize(
    ("setup", "code"),
    [
        ("pending_rider", "not_confirmed"),
        ("filled", "filled"),
        ("holds_role", "already_appointed"),
    ],
)
def test_an_application_is_refused_when(tree, rider, staff_a, call_a, setup, code):
    worker = rider
    if setup == "pending_rider":
        worker = WorkerFactory(area=tree.community_a)
    elif setup == "filled":
        call_a.wanted = 1
        call_a.save()
        other = recruitment.apply(
            call_a, WorkerFactory(area=tree.community_a, status="confirmed"), "我"
        )
        recruitment.accept(other, by=staff_a)
    else:
        WorkerRoleFactory(worker=rider, role=call_a.role)
    with pytest.raises(recruitment.RecruitmentError) as refusal:
        recruitment.apply(call_a, worker, "我想报名")
    assert refusal.value.code == code


def test_accepting_appoints_the_role_for_the_calls_term_with_a_timeline_row(
    client, staff_a, rider, call_a
):
    application = recruitment.apply(call_a, rider, "我想报名")
    client.force_login(staff_a)
    response = client.post(reverse("registry:accept", args=[application.pk]))
    assert response.status_code == 302
    application.refresh_from_db()
    appointment = application.appointment
    assert application.status == Application.Status.ACCEPTED
    assert application.decided_by == staff_a
    assert (appointment.worker, appointment.role, appointment.area) == (
        rider,
        "grid_member",
        call_a.area,
    )
    assert (appointment.department, appointment.starts_on, appointment.ends_on) == (
        call_a.department,
        timezone.localdate(),
        call_a.term_ends_on,
    )
    event = rider.events.get(kind=WorkerEvent.Kind.APPOINTED)
    assert (event.actor, event.changes["role"]) == (staff_a, ["", "grid_member"])


def test_no_more_are_accepted_than_the_call_wants(tree, staff_a, call_a):
    call_a.wanted = 1
    call_a.save()
    first, second = (
        recruitment.apply(call_a, WorkerFactory(area=tree.community_a, status="confirmed"), "我")
        for _n in range(2)
    )
    recruitment.accept(first, by=staff_a)
    with pytest.raises(recruitment.RecruitmentError) as refusal:
        recruitment.accept(second, by=staff_a)
    assert refusal.value.code == "filled"
    assert WorkerRole.objects.count() == 1


def test_an_application_is_decided_once(staff_a, rider, call_a):
    application = recruitment.apply(call_a, rider, "我想报名")
    recruitment.decline(application, reason="名额已满", by=staff_a)
    with pytest.raises(recruitment.RecruitmentError) as refusal:
        recruitment.accept(application, by=staff_a)
    assert refusal.value.code == "decided"


def test_declining_needs_a_reason_and_the_rider_sees_it(client, staff_a, rider, call_a):
    application = recruitment.apply(call_a, rider, "我想报名")
    client.force_login(staff_a)
    client.post(reverse("registry:decline", args=[application.pk]), {"reason": ""})
    application.refresh_from_db()
    assert application.status == Application.Status.PENDING

    client.post(reverse("registry:decline", args=[application.pk]), {"reason": "需常住本社区"})
    application.refresh_from_db()
    assert (application.status, application.reason) == (Application.Status.DECLINED, "需常住本社区")
    assert rider.events.filter(kind=WorkerEvent.Kind.DECLINED).exists()

    client.logout()
    page = sign_in_rider(client, rider).get(reverse("points:me")).content.decode()
    assert "需常住本社区" in page
    assert str(Application.Status.DECLINED.label) in page


def test_staff_of_another_community_cannot_decide(client, staff_b, rider, call_a):
    application = recruitment.apply(call_a, rider, "我想报名")
    client.force_login(staff_b)
    assert client.post(reverse("registry:accept", args=[application.pk])).status_code == 404
    assert (
        client.post(
            reverse("registry:decline", args=[application.pk]), {"reason": "不合适"}
        ).status_code
        == 404
    )
    application.refresh_from_db()
    assert application.status == Application.Status.PENDING


def test_the_call_shows_on_the_landing_pages_of_its_area_only(client, tree, station_a, call_a):
    other = RecruitmentCallFactory(area=tree.community_c, duties="文化路社区招募社会监督员")
    html = client.get(reverse("stations:landing", args=[station_a.token])).content.decode()
    assert apply_url(call_a) in html
    assert apply_url(other) not in html


def test_a_call_of_the_street_shows_in_its_communities_but_a_closed_one_does_not(
    client, tree, station_a
):
    street = RecruitmentCallFactory(area=tree.street)
    closed = RecruitmentCallFactory(
        area=tree.community_a, deadline=timezone.localdate() - timedelta(days=1)
    )
    html = client.get(reverse("stations:landing", args=[station_a.token])).content.decode()
    assert apply_url(street) in html
    assert apply_url(closed) not in html


def test_my_page_lists_open_calls_and_my_applications(client, tree, rider, call_a):
    other = RecruitmentCallFactory(area=tree.community_c)
    sign_in_rider(client, rider)
    page = client.get(reverse("points:me")).content.decode()
    assert apply_url(call_a) in page
    assert apply_url(other) not in page

    recruitment.apply(call_a, rider, "我想报名")
    page = client.get(reverse("points:me")).content.decode()
    assert apply_url(call_a) not in page  # answered: shown as an application instead
    assert str(Application.Status.PENDING.label) in page


def test_the_call_list_and_page_are_in_scope_and_bounded(
    client, tree, staff_a, staff_b, call_a, django_assert_max_num_queries
):
    for _n in range(5):
        RecruitmentCallFactory(area=tree.community_a)
        recruitment.apply(call_a, WorkerFactory(area=tree.community_a, status="confirmed"), "我")
    RecruitmentCallFactory(area=tree.community_b)
    client.force_login(staff_a)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("registry:calls"))
    assert len(response.context["page"].object_list) == 6
    with django_assert_max_num_queries(12):
        response = client.get(reverse("registry:call", args=[call_a.pk]))
    assert len(response.context["page"].object_list) == 5
    client.force_login(staff_b)
    assert client.get(reverse("registry:call", args=[call_a.pk])).status_code == 404
