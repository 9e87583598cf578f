"""The staff home as a workbench: today's work for the user's role and scope, a count and a link
for each kind, contributed by each app (portal.workbench)."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from feedback.models import State, Task, TaskExtension, TaskSupervision
from points.models import EntryKind, Reward
from points.services.ledger import award
from points.services.rewards import redeem
from portal.inbox import notify
from tests.factories import (
    CareVisitFactory,
    DepartmentFactory,
    SuggestionFactory,
    TaskFactory,
    WorkerFactory,
)

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


def lines(response) -> dict[str, tuple[int, str, bool]]:
    """The workbench's lines: label → (count, link, urgent)."""
    return {
        line.label: (line.count, line.url, line.urgent)
        for _part, part_lines in response.context["work"]
        for line in part_lines
    }


def titles(response) -> list[str]:
    return [str(part.title) for part, _lines in response.context["work"]]


def home(client, user):
    client.force_login(user)
    return client.get(reverse("staff_home"))


def redemption(area, worker):
    reward = Reward.objects.create(area=area, name="雨伞", price=10, stock=5)
    award(worker, 10, EntryKind.ACTIVITY)
    return redeem(reward, worker)


@pytest.fixture
def work(tree, worker_a, department_x, staff_a):
    """Work waiting in community A, and some in its sibling B and in the other district's C."""
    today = timezone.localdate()
    WorkerFactory.create_batch(2, area=tree.community_a)  # with worker_a: 3 to confirm
    WorkerFactory(area=tree.community_b)
    WorkerFactory(area=tree.community_c)
    member_a = WorkerFactory(area=tree.community_a, party_member=True, status="confirmed")
    CareVisitFactory(worker=member_a, due_on=today - 3 * DAY)  # overdue
    CareVisitFactory(worker=member_a, due_on=today)  # due
    CareVisitFactory(worker=member_a, due_on=today + DAY)  # due
    CareVisitFactory(worker=member_a, due_on=today + 5 * DAY)  # not yet
    CareVisitFactory(worker=member_a, due_on=today - DAY, closed_at=timezone.now())  # done
    CareVisitFactory(
        worker=WorkerFactory(area=tree.community_b, party_member=True, status="confirmed"),
        due_on=today - DAY,
    )
    SuggestionFactory.create_batch(2, area=tree.community_a)  # just submitted
    late = SuggestionFactory(area=tree.community_a)
    late.queued_at = timezone.now() - timedelta(days=30)
    late.save()
    SuggestionFactory(area=tree.community_b)
    SuggestionFactory(area=tree.community_c)
    # an accepted suggestion whose only task is done, and one whose task is still open
    done = TaskFactory(
        suggestion__area=tree.community_a, department=department_x, state=Task.State.DONE
    )
    TaskFactory(
        suggestion__area=tree.community_a, department=department_x, due_on=today - DAY
    )  # overdue
    due_today = TaskFactory(
        suggestion__area=tree.community_a,
        department=department_x,
        due_at=timezone.now() + timedelta(minutes=5),
        acknowledge_by=timezone.now() + timedelta(hours=1),  # not acknowledged yet
    )
    TaskSupervision.objects.create(task=due_today, by=staff_a, text="请尽快办理")
    TaskExtension.objects.create(
        task=due_today,
        reason="需要协调物业",
        previous_due_at=due_today.due_at,
        requested_due_at=due_today.due_at + 3 * DAY,
    )
    # a suggestion whose only task came back (退单), and one whose returned task was passed on
    for passed_on in (False, True):
        returned = TaskFactory(
            suggestion__area=tree.community_a,
            department=department_x,
            state=Task.State.RETURNED,
            returned_at=timezone.now(),
            return_reason="不属于本部门职责",
        )
        if passed_on:
            TaskFactory(suggestion=returned.suggestion, department=department_x)
    TaskFactory(  # another district's department
        suggestion__area=tree.community_c,
        department=DepartmentFactory(area=tree.other_district),
        due_on=today - DAY,
    )
    redemption(tree.community_a, worker_a)
    redemption(tree.community_c, WorkerFactory(area=tree.community_c, status="confirmed"))
    return done.suggestion


def test_community_staff_see_their_communitys_work_with_counts_and_links(
    client, tree, staff_a, work
):
    response = home(client, staff_a)
    assert titles(response) == ["台账", "建议诉求", "部门任务", "积分", "消息"]
    counts = lines(response)
    assert counts["待确认登记"] == (3, reverse("registry:pending"), False)
    assert counts["逾期未走访"] == (1, reverse("registry:care_visits"), True)
    assert counts["今明两天应走访"] == (2, reverse("registry:care_visits"), False)
    assert counts["等待研判的建议"] == (3, reverse("feedback:queue"), False)
    days = settings.FEEDBACK_ASSESS_WITHIN_WORKING_DAYS
    assert counts[f"等待超过 {days} 个工作日"] == (1, reverse("feedback:queue"), True)
    ready = reverse("feedback:suggestions") + "?ready=true"
    assert counts["任务全部办结：回复并办结"] == (1, ready, False)
    tasks = reverse("feedback:tasks")
    assert counts["办理中的部门任务"] == (3, tasks, False)
    assert counts["逾期的部门任务"] == (1, tasks + "?state=overdue", True)
    assert counts["被退回的任务（退单）：转派或办结"] == (1, tasks + "?state=returned", False)
    assert counts["待审批的延期申请"] == (1, tasks + "?state=extension", False)
    assert counts["待交付的奖品"] == (1, reverse("points:redemptions") + "?state=requested", False)
    assert counts["未读消息"][0] == 0


def test_the_headline_counts_what_is_late_or_due_first(client, staff_a, work):
    response = home(client, staff_a)
    assert response.context["urgent"] == 3  # a care visit, a suggestion, a task
    assert "3 项已逾期或到期，请先处理。" in response.text


def test_a_returned_task_passed_on_is_no_longer_waiting_nor_ready_to_resolve(
    client, tree, staff_a, department_x
):
    returned = TaskFactory(
        suggestion__area=tree.community_a,
        department=department_x,
        state=Task.State.RETURNED,
        returned_at=timezone.now(),
        return_reason="不属于本部门职责",
    )
    counts = lines(home(client, staff_a))
    assert counts["被退回的任务（退单）：转派或办结"][0] == 1
    assert counts["任务全部办结：回复并办结"][0] == 0  # a returned task is not a done one
    TaskFactory(  # passed on to another department, which did it
        suggestion=returned.suggestion,
        department=DepartmentFactory(area=tree.district),
        state=Task.State.DONE,
    )
    counts = lines(home(client, staff_a))
    assert counts["被退回的任务（退单）：转派或办结"][0] == 0
    assert counts["任务全部办结：回复并办结"][0] == 1


def test_with_nothing_waiting_the_home_says_nothing_is_late(client, tree, staff_a):
    response = home(client, staff_a)
    assert all(line.count == 0 for _part, part in response.context["work"] for line in part)
    assert "没有逾期的事项。" in response.text


def test_the_sibling_communitys_staff_see_only_theirs(client, tree, staff_b, work):
    counts = lines(home(client, staff_b))
    assert counts["待确认登记"][0] == 1
    assert counts["逾期未走访"][0] == 1
    assert counts["等待研判的建议"][0] == 1
    assert counts["逾期的部门任务"][0] == 0
    assert counts["待交付的奖品"][0] == 0


def test_a_handler_sees_their_departments_tasks_and_their_messages(client, handler, work):
    notify(handler, "新任务")
    response = home(client, handler)
    assert titles(response) == ["部门任务", "消息"]
    counts = lines(response)
    tasks = reverse("feedback:tasks")
    assert counts["待签收"] == (1, tasks + "?state=to_acknowledge", True)
    assert counts["未读的督办"] == (1, tasks + "?state=supervised", True)
    assert counts["办理中的任务"] == (3, tasks, False)
    assert counts["逾期的任务"][0] == 1
    assert counts["今明两天到期的任务"][0] == 1
    assert counts["未读消息"] == (1, reverse("inbox"), False)


def test_an_official_reads_suggestions_and_tasks_but_has_no_queue_of_their_own(
    client, official, work
):
    response = home(client, official)
    assert titles(response) == ["建议诉求", "部门任务", "消息"]
    counts = lines(response)
    assert counts["等待研判的建议"][0] == 4  # the district: communities A and B
    assert "任务全部办结：回复并办结" not in counts  # resolving is the community's


def test_the_administrator_sees_every_part_over_every_area(client, administrator, work):
    counts = lines(home(client, administrator))
    assert counts["待确认登记"][0] == 5
    assert counts["等待研判的建议"][0] == 5
    assert counts["逾期的部门任务"][0] == 2


def test_the_flat_list_of_every_page_is_gone(client, staff_a):
    text = home(client, staff_a).text
    assert "您可以在这里做什么" not in text
    assert "list-group-item-action d-flex" in text  # the workbench's lines


def test_ready_to_resolve_links_to_exactly_those_suggestions(client, tree, staff_a, work):
    client.force_login(staff_a)
    page = client.get(reverse("feedback:suggestions"), {"ready": "true"})
    assert [s.pk for s in page.context["page"].object_list] == [work.pk]
    assert work.state == State.ACCEPTED


# The session, the user, its second factor, their area, the areas in scope and the trail; the
# navigation's badges; then each part a query or two: registry 2, suggestions 2 (+1 for the holiday
# calendar, +1 for those who resolve), tasks 3 (a handler's 2), points 1, the inbox 1.
@pytest.mark.parametrize(
    ("persona", "bound"),
    [("staff_a", 20), ("handler", 11), ("official", 14), ("administrator", 18)],
)
def test_the_workbench_takes_a_fixed_number_of_queries_per_role(
    client, request, tree, persona, bound, django_assert_max_num_queries
):
    user = request.getfixturevalue(persona)
    request.getfixturevalue("work")
    client.force_login(user)
    with django_assert_max_num_queries(bound) as first:
        assert client.get(reverse("staff_home")).status_code == 200
    for _more in range(5):
        SuggestionFactory(area=tree.community_a)
        WorkerFactory(area=tree.community_a)
        TaskFactory(suggestion__area=tree.community_a, department=Task.objects.first().department)
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(reverse("staff_home"))
