"""A small data set whose dashboard figures are counted by hand.

All in the test tree: A and B are communities of 平原街道 (梁园区), C is in 睢阳区. "Old" means
40 days ago: outside this week and this month, inside the period `OLD_PERIOD`.

community A
  workers     张一 courier/meituan confirmed, today · 张二 food/eleme confirmed, old ·
              张三 food/eleme pending, today · 张四 left · 党一 party member (mobile), reported
              as a party member · 党二 party member, not reported            → registered 5
  enterprises 2, one with a party branch
  care visits one overdue (due yesterday), one due next week, one closed
  station     a warm station with 2 of the active standard items, 3 check-ins today, 1 old
  suggestions one waiting; one resolved today after 2 days, rated 4; one resolved old after
              5 days, rated 2; one accepted with a task of department X overdue since yesterday
  points      张一 earns 10 (activity) today and 5 (hazard) old, spends 6 today
  volunteers  张一 is in a team and attended an activity today
community B   王一 courier/sf confirmed, today · a merchant station with no standard items
community C   李一 truck/huolala pending, today · 1 enterprise with a party branch
"""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from dashboard import refresh
from dashboard.summary import Period
from feedback.models import State
from points.models import Entry, EntryKind, SignUp, TeamMember, VolunteerTeam
from registry.models import CheckIn
from stations.models import StandardItem, StationStandard, StationVisit
from tests.factories import (
    ActivityFactory,
    CareVisitFactory,
    EnterpriseFactory,
    StationFactory,
    SuggestionFactory,
    TaskFactory,
    WorkerFactory,
)

OLD = 40  # days ago


@dataclass
class Counted:
    today: object
    old_period: Period


def days_ago(days, hour=10):
    moment = timezone.localtime() - timedelta(days=days)
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0)


def make_worker(
    area, name, occupation="food_delivery", platform="eleme", status="confirmed", created=0, **extra
):
    worker = WorkerFactory(
        name=name, area=area, occupation=occupation, platform=platform, status=status, **extra
    )
    type(worker).objects.filter(pk=worker.pk).update(created_at=days_ago(created))
    return worker


@pytest.fixture
def counted(tree, department_x):
    today = timezone.localdate()
    a, b, c = tree.community_a, tree.community_b, tree.community_c
    zhang1 = make_worker(a, "张一", occupation="courier", platform="meituan")
    make_worker(a, "张二", created=OLD)
    make_worker(a, "张三", status="pending")
    make_worker(a, "张四", status="left", left_at=timezone.now())
    party1 = make_worker(a, "党一", party_member=True, is_mobile_party_member=True)
    party2 = make_worker(a, "党二", party_member=True)
    CheckIn.objects.create(worker=party1, area=a, as_party_member=True, channel="self")
    CheckIn.objects.create(worker=party2, area=a, as_party_member=False, channel="self")
    make_worker(b, "王一", occupation="courier", platform="sf")
    make_worker(c, "李一", occupation="truck", platform="huolala", status="pending")

    EnterpriseFactory(area=a, party_organisation="own_branch")
    EnterpriseFactory(area=a)
    EnterpriseFactory(area=c, party_organisation="joint_branch")

    CareVisitFactory(worker=party1, due_on=today - timedelta(days=1))
    CareVisitFactory(worker=party2, due_on=today + timedelta(days=7))
    CareVisitFactory(worker=party2, due_on=today, closed_at=timezone.now())

    station = StationFactory(area=a, kind="warm_station")
    StationFactory(area=b, kind="merchant", offer="骑手9折")
    for item in StandardItem.objects.filter(active=True)[:2]:
        StationStandard.objects.create(station=station, item=item)
    for _ in range(3):
        StationVisit.objects.create(station=station, worker=zhang1, day=today)
    StationVisit.objects.create(station=station, worker=zhang1, day=today - timedelta(days=OLD))

    SuggestionFactory(area=a)
    suggestion_with(a, State.RESOLVED, submitted=2, resolved=0, rating=4)
    suggestion_with(a, State.RESOLVED, submitted=OLD + 5, resolved=OLD, rating=2)
    overdue = TaskFactory(
        suggestion=SuggestionFactory(area=a, state=State.ACCEPTED, assessed_at=days_ago(1)),
        department=department_x,
        due_on=today - timedelta(days=1),
    )
    type(overdue).objects.filter(pk=overdue.pk).update(created_at=days_ago(1))

    Entry.objects.create(worker=zhang1, amount=10, kind=EntryKind.ACTIVITY, created_at=days_ago(0))
    Entry.objects.create(
        worker=zhang1, amount=5, kind=EntryKind.HAZARD_ACCEPTED, created_at=days_ago(OLD)
    )
    Entry.objects.create(
        worker=zhang1, amount=-6, kind=EntryKind.REDEMPTION, created_at=days_ago(0)
    )
    team = VolunteerTeam.objects.create(name="骑聚三营", area=a)
    TeamMember.objects.create(team=team, worker=zhang1)
    activity = ActivityFactory(area=a, starts_at=timezone.now() - timedelta(hours=3))
    SignUp.objects.create(activity=activity, worker=zhang1, attended_at=timezone.now())

    refresh.rebuild()
    return Counted(today, Period(today - timedelta(days=OLD + 3), today - timedelta(days=OLD - 3)))


def suggestion_with(area, state, *, submitted, resolved, rating):
    suggestion = SuggestionFactory(area=area, state=state)
    type(suggestion).objects.filter(pk=suggestion.pk).update(
        submitted_at=days_ago(submitted),
        assessed_at=days_ago(submitted),
        resolved_at=days_ago(resolved, hour=12),
        rating=rating,
        rated_at=days_ago(resolved, hour=12),
    )
    return suggestion


@pytest.fixture
def english(client, settings):
    """Labels and pages in English, the msgids these tests assert."""
    from django.utils import translation

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield client
