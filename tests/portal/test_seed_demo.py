from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from feedback import apikeys, followup
from feedback.models import (
    ApiKey,
    CalendarDay,
    Category,
    Channel,
    Department,
    Event,
    State,
    Suggestion,
    Task,
    TaskEscalation,
)
from points.models import (
    Account,
    Activity,
    ActivityKind,
    Certificate,
    Entry,
    EntryKind,
    Redemption,
    RedemptionState,
    Reward,
    SignUp,
    TeamMember,
    VolunteerTeam,
)
from points.selectors import volunteer_record
from portal.models import Area, AreaLevel, Role, User
from registry.demo import JOBS
from registry.models import (
    CheckIn,
    Enterprise,
    EnterpriseKind,
    PartyOrganisation,
    PoliticalStatus,
    Worker,
    WorkerEvent,
    WorkerRole,
    WorkerRoleKind,
    WorkerStatus,
)
from stations.models import Station, StationAmenity, StationKind, StationStandard

pytestmark = pytest.mark.django_db


def seed(settings, debug=True, *args):
    settings.DEBUG = debug
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def everything():
    """What the demo consists of, for comparing two runs."""
    return (
        list(Area.objects.values_list("code", "name", "path", "parent__code")),
        list(User.objects.values_list("username", "password", "area__code")),
        list(Worker.objects.order_by("mobile").values_list("mobile", "name", "status", "area")),
        list(
            WorkerEvent.objects.order_by("id").values_list("worker__mobile", "kind", "created_at")
        ),
        list(CheckIn.objects.order_by("id").values_list("worker__mobile", "created_at")),
        list(WorkerRole.objects.order_by("id").values_list("worker__mobile", "role")),
        list(Enterprise.objects.values_list("name", "area", "parent__name", "workforce")),
        list(Station.objects.values_list("name", "area", "token", "hours", "latitude")),
        list(StationAmenity.objects.order_by("id").values_list("station", "amenity")),
        list(StationStandard.objects.order_by("id").values_list("station", "item")),
        list(Department.objects.values_list("name", "area", "parent__name", "handlers")),
        list(CalendarDay.objects.values_list("date", "name", "is_working_day")),
        list(Suggestion.objects.values_list("tracking_code", "state", "text", "submitted_at")),
        list(Event.objects.order_by("id").values_list("suggestion", "kind", "created_at")),
        list(Task.objects.values_list("suggestion", "department", "due_on", "state")),
        list(TaskEscalation.objects.values_list("task", "level", "department", "created_at")),
        list(Entry.objects.order_by("id").values_list("worker", "amount", "cause")),
        list(Account.objects.order_by("worker").values_list("worker", "balance")),
        list(VolunteerTeam.objects.values_list("name", "area")),
        list(TeamMember.objects.values_list("team", "worker")),
        list(Activity.objects.values_list("title", "area", "starts_at", "signed_up")),
        list(SignUp.objects.values_list("activity", "worker", "attended_at", "cancelled_at")),
        list(Reward.objects.values_list("area", "name", "price", "stock", "active")),
        list(Redemption.objects.values_list("reward", "worker", "pickup_code", "state")),
        list(Certificate.objects.values_list("serial", "worker", "minutes", "revoked_at")),
        list(ApiKey.objects.values_list("name", "key_hash")),
    )


def people():
    """The demo workers without their dates, which count back from the day of the run."""
    return list(
        Worker.objects.order_by("mobile").values_list(
            "mobile",
            "name",
            "occupation",
            "platform",
            "platform_other",
            "area__code",
            "political_status",
            "party_branch",
            "membership_held_at",
            "is_mobile_party_member",
            "status",
            "roles__role",
        )
    )


def test_it_creates_a_small_city_with_one_staff_user_per_role(settings):
    seed(settings)
    counts = {level: Area.objects.filter(level=level).count() for level in AreaLevel}
    assert counts == {
        AreaLevel.PROVINCE: 0,
        AreaLevel.CITY: 1,
        AreaLevel.DISTRICT: 2,
        AreaLevel.STREET: 4,
        AreaLevel.COMMUNITY: 8,
    }
    assert set(User.objects.values_list("role", flat=True)) == set(Role)
    for community in Area.objects.filter(level=AreaLevel.COMMUNITY):
        assert community.parent.level == AreaLevel.STREET
        assert community.code.startswith(community.parent.code)
        assert community.name.endswith("社区")


def test_running_it_again_changes_nothing(settings):
    seed(settings)
    before = everything()
    out = seed(settings)
    assert everything() == before
    assert "(0 new)" in out
    assert "(20 new)" not in out


def test_without_debug_it_neither_prints_nor_sets_the_demo_password(settings):
    from portal.management.commands.seed_demo import DEMO_PASSWORD

    out = seed(settings, debug=False)
    assert DEMO_PASSWORD not in out
    assert not User.objects.get(username="zhangmin").has_usable_password()


def test_in_debug_it_prints_the_demo_password(settings):
    from portal.management.commands.seed_demo import DEMO_PASSWORD

    out = seed(settings, debug=True)
    assert DEMO_PASSWORD in out
    assert User.objects.get(username="zhangmin").check_password(DEMO_PASSWORD)


def test_every_community_has_forty_workers_of_every_kind(settings):
    seed(settings)
    assert Worker.objects.count() == 320
    for community in Area.objects.filter(level=AreaLevel.COMMUNITY):
        workers = Worker.objects.filter(area=community)
        party = workers.filter(political_status__in=PoliticalStatus.party())
        assert workers.count() == 40
        assert party.count() == 6
        assert workers.filter(status=WorkerStatus.PENDING).count() == 6
        assert workers.filter(status=WorkerStatus.LEFT, left_at__isnull=False).count() == 2
        assert workers.filter(roles__isnull=False).distinct().count() >= 6
        mobile_members = party.filter(is_mobile_party_member=True)
        assert mobile_members.count() == 2
        for member in mobile_members:
            assert member.party_branch.startswith(community.name)
            assert member.membership_held_at not in ("", member.party_branch)
    for worker in Worker.objects.all():
        assert worker.platform in JOBS[worker.occupation][1]
        assert (worker.platform_other != "") == (worker.platform == "other")
    assert set(WorkerRole.objects.values_list("role", flat=True)) == set(WorkerRoleKind)


def test_the_timelines_tell_the_story_of_each_worker_in_order(settings):
    seed(settings)
    now = timezone.now()
    for worker in Worker.objects.prefetch_related("events"):
        events = {event.kind: event.created_at for event in worker.events.all()}
        assert events[WorkerEvent.Kind.REGISTERED] == worker.created_at < now
        if worker.status != WorkerStatus.PENDING:
            assert worker.created_at < worker.confirmed_at < now
        if worker.status == WorkerStatus.LEFT:
            assert worker.confirmed_at < worker.left_at == events[WorkerEvent.Kind.LEFT] < now
    eight_weeks_ago = now - timedelta(weeks=8)
    for member in Worker.objects.filter(
        political_status__in=PoliticalStatus.party(), status=WorkerStatus.CONFIRMED
    ):
        recent = member.check_ins.filter(as_party_member=True, created_at__gte=eight_weeks_ago)
        weeks = {(now - check_in.created_at).days // 7 for check_in in recent}
        assert len(weeks) >= 2
        assert not member.check_ins.filter(created_at__gt=now).exists()


def test_the_enterprise_ledger_has_the_platforms_and_their_local_stations(settings):
    seed(settings)
    platforms = Enterprise.objects.filter(kind=EnterpriseKind.PLATFORM)
    assert set(platforms.values_list("name", flat=True)) == {
        "美团",
        "饿了么",
        "顺丰速运",
        "京东物流",
        "滴滴出行",
        "货拉拉",
    }
    assert set(platforms.values_list("area__level", flat=True)) == {AreaLevel.CITY}
    branches = Enterprise.objects.filter(kind=EnterpriseKind.BRANCH).select_related("parent")
    assert branches.count() == 14
    for branch in branches:
        assert branch.parent.platform == branch.platform
        assert branch.area.level in (AreaLevel.STREET, AreaLevel.COMMUNITY)
        assert branch.workforce > 0 and branch.contact_phone
    assert set(branches.values_list("party_organisation", flat=True)) == set(PartyOrganisation)


def forget_workers():
    Redemption.objects.all().delete()  # they protect their riders
    Certificate.objects.all().delete()  # so do certificates
    Worker.objects.all().delete()


def test_the_demo_is_the_same_on_every_run(settings):
    seed(settings)
    first = people()
    forget_workers()
    seed(settings)
    assert people() == first


def count_queries(*args, settings):
    queries = []

    def counter(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        out = seed(settings, True, *args)
    return len(queries), out


def test_the_workers_option_adds_searchable_synthetic_workers_in_bulk(settings):
    seed(settings)
    demo_only, _ = count_queries(settings=settings)
    with_workers, out = count_queries("--workers", "500", settings=settings)
    assert with_workers - demo_only < 50  # one by one would take 500 or more
    assert "Synthetic workers: 500 (500 new)." in out
    synthetic = Worker.objects.filter(mobile__startswith="170")
    assert synthetic.count() == 500
    assert Worker.objects.count() == 320 + 500
    assert not synthetic.filter(Q(name_pinyin="") | Q(mobile_tail="")).exists()
    assert synthetic.filter(roles__isnull=False).exists()


def test_the_workers_option_tops_up_to_the_same_workers(settings):
    seed(settings, True, "--workers", "300")
    assert "(0 new)" in seed(settings, True, "--workers", "300")
    assert "Synthetic workers: 500 (200 new)." in seed(settings, True, "--workers", "500")
    topped_up = people()
    forget_workers()
    seed(settings, True, "--workers", "500")
    assert people() == topped_up


def test_a_negative_number_of_workers_is_refused(settings):
    with pytest.raises(CommandError):
        seed(settings, True, "--workers", "-1")


def test_the_demo_has_stations_of_every_kind_around_shangqiu_with_their_qr_codes(
    settings, media, eager_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        out = seed(settings)
    assert "Demo stations: 24 (24 new)." in out
    stations = Station.objects.all()
    assert set(stations.values_list("kind", flat=True)) == set(StationKind)
    for community in Area.objects.filter(level=AreaLevel.COMMUNITY):
        assert stations.filter(area=community).count() == 3
    for station in stations:
        # GCJ-02 around the centre of 商丘, 34.41 N 115.65 E
        assert abs(float(station.latitude) - 34.41) < 0.05
        assert abs(float(station.longitude) - 115.65) < 0.05
        assert station.qr_token == station.token and station.qr_png and station.qr_svg
        assert station.amenities.exists() and station.standard.count() >= 5
        assert station.open_24h or station.hours
        assert (station.offer != "") == (station.kind == StationKind.MERCHANT)
    assert stations.filter(open_24h=True).exists()
    assert any(s.hours.get("5") == [["17:00", "02:00"]] for s in stations)  # past midnight
    (closed,) = stations.filter(temporarily_closed=True)
    assert closed.closure_reason


def test_the_demo_has_suggestions_in_every_state_with_their_timelines(settings):
    seed(settings)
    now = timezone.now()
    suggestions = Suggestion.objects.prefetch_related("events")
    assert {suggestion.state for suggestion in suggestions} == set(State)
    for suggestion in suggestions:
        events = list(suggestion.events.all())
        assert events[0].kind == Event.Kind.SUBMITTED
        assert events[0].created_at == suggestion.submitted_at
        moments = [event.created_at for event in events]
        assert moments == sorted(moments) and moments[-1] < now
        if suggestion.state in (State.DUPLICATE, State.MERGED):
            assert suggestion.original
    from_stations = suggestions.filter(channel=Channel.QR_CODE, station__isnull=False)
    assert from_stations.count() >= 3
    assert suggestions.filter(category=Category.HAZARD).count() >= 2
    assert Entry.objects.filter(kind=EntryKind.HAZARD_ACCEPTED).exists()
    # Waiting too long for assessment: the follow-up will remind the assessors.
    assert followup.waiting_too_long(timezone.localdate()).exists()
    # Resolved and waiting for a rating, closed with one, and closed without.
    assert suggestions.filter(state=State.RESOLVED, reply__gt="").exists()
    assert suggestions.filter(state=State.CLOSED, rating__isnull=False).exists()
    assert suggestions.filter(state=State.CLOSED, rating__isnull=True).exists()


def test_the_demos_stations_show_what_was_done_and_what_is_open_with_me_too(settings):
    from feedback.selectors import done_near

    seed(settings)
    shown = Suggestion.objects.filter(summary_approved_at__isnull=False)
    stations = {suggestion.station for suggestion in shown}
    parts = [done_near(station) for station in stations]
    assert any(part["done"] for part in parts) and any(part["open"] for part in parts)
    assert any(row["supporters"] for part in parts for row in part["open"])
    assert all(s.summary_approved_at < timezone.now() for s in shown)


def test_an_accepted_suggestion_has_an_overdue_task_escalated_to_the_parent_department(settings):
    seed(settings)
    today = timezone.localdate()
    accepted = Task.objects.open().filter(suggestion__state=State.ACCEPTED)
    assert accepted.filter(due_on__gte=today).exists()
    (overdue,) = accepted.filter(due_on__lt=today)
    escalation = overdue.escalations.get()
    assert escalation.department == overdue.department.parent
    assert overdue.events.filter(kind=Event.Kind.TASK_ESCALATED, public=True).exists()
    handler = escalation.department.handlers.get()
    assert overdue in Task.objects.for_handler(handler)


def test_the_demo_has_a_department_tree_with_handlers_and_enters_no_holidays(settings):
    seed(settings)
    (root,) = Department.objects.filter(parent__isnull=True)
    assert root.name == "梁园区委社会工作部"
    assert root.children.count() >= 6
    for department in Department.objects.all():
        assert department.active
        assert department.handlers.filter(role=Role.DEPARTMENT_HANDLER, is_active=True).exists()
        assert department.area.is_within(root.area)
    # The holidays come from the State Council's notices (chinese-calendar): the demo enters none.
    assert not CalendarDay.objects.exists()


@pytest.fixture
def raw_keys(monkeypatch):
    """The raw value of every API key the demo makes."""
    made = []
    create_key = apikeys.create_key

    def remember(*args, **kwargs):
        key, raw = create_key(*args, **kwargs)
        made.append(raw)
        return key, raw

    monkeypatch.setattr(apikeys, "create_key", remember)
    return made


def test_the_open311_key_is_printed_in_debug_only(settings, raw_keys):
    out = seed(settings, debug=False)
    [raw] = raw_keys
    assert raw not in out
    assert apikeys.authenticate(raw) == ApiKey.objects.get()

    ApiKey.objects.all().delete()
    out = seed(settings, debug=True)
    raw = raw_keys[-1]
    assert raw in out
    assert apikeys.authenticate(raw).area.code == "411402"

    out = seed(settings, debug=True)  # made once: a second run neither makes nor shows one
    assert len(raw_keys) == 2 and raw not in out
    assert ApiKey.objects.count() == 1


def test_the_demo_has_teams_activities_rewards_and_a_ledger_that_adds_up(settings, star_levels):
    out = seed(settings)
    assert "Demo points: 3 teams, 23 activities, 56 rewards, 7 redemptions" in out
    now = timezone.now()
    for team in VolunteerTeam.objects.all():
        assert team.members.count() >= 6
        assert not team.members.exclude(worker__status=WorkerStatus.CONFIRMED).exists()
    activities = Activity.objects.all()
    assert set(activities.values_list("kind", flat=True)) == set(ActivityKind)
    assert activities.filter(station__isnull=False).exists()
    assert activities.filter(team__isnull=False).exists()
    past = activities.filter(ends_at__lt=now)
    coming = activities.filter(starts_at__gt=now, sign_up_deadline__gt=now)
    assert past.count() >= 3 and coming.count() >= 3
    for activity in past:
        attended = activity.sign_ups.filter(attended_at__isnull=False)
        assert attended.exists()
        assert Entry.objects.filter(kind=EntryKind.ACTIVITY, note=activity.title).count() == (
            attended.count()
        )
        # the riders who came signed in and out by the QR code: the activity's length counted
        length = (activity.ends_at - activity.starts_at).total_seconds() // 60
        assert not attended.exclude(minutes=length).exists()
    # 骑聚三营's year of station shifts earns its riders a volunteer star (我的 shows it)
    team = VolunteerTeam.objects.get(name="骑聚三营")
    assert all(volunteer_record(m.worker)["stars"] >= 1 for m in team.members.all())
    # and the most served of them has the year's certificate, issued again after a revoked one
    valid = Certificate.objects.get(revoked_at__isnull=True)
    revoked = Certificate.objects.get(revoked_at__isnull=False)
    assert valid.worker == revoked.worker and valid.minutes >= 100 * 60
    assert revoked.revoked and revoked.revoke_reason and not valid.revoked
    for activity in coming:
        assert activity.signed_up == activity.sign_ups.active().count() > 0
        assert not activity.sign_ups.filter(attended_at__isnull=False).exists()
    assert any(0 < activity.places_left <= 2 for activity in coming)  # nearly full
    assert SignUp.objects.filter(cancelled_at__isnull=False).exists()
    assert not SignUp.objects.filter(signed_up_at__gt=now).exists()

    for community in Area.objects.filter(level=AreaLevel.COMMUNITY):
        shop = Reward.objects.filter(area=community)
        assert shop.count() >= 5
        assert shop.filter(active=True, stock=0).exists()  # out of stock
        assert shop.filter(active=False).exists()
    redemptions = Redemption.objects.select_related("reward", "worker")
    assert set(redemptions.values_list("state", flat=True)) == set(RedemptionState)
    for redemption in redemptions:
        assert redemption.worker.area_id == redemption.reward.area_id
    refunded = redemptions.filter(state=RedemptionState.CANCELLED)
    assert Entry.objects.filter(kind=EntryKind.REFUND).count() == refunded.count()
    assert set(Entry.objects.values_list("kind", flat=True)) >= {
        EntryKind.ACTIVITY,
        EntryKind.ADJUSTMENT,
        EntryKind.REDEMPTION,
        EntryKind.REFUND,
    }
    assert Entry.objects.filter(kind=EntryKind.ADJUSTMENT, amount__lt=0).exists()

    out = StringIO()
    call_command("verify_points", stdout=out)  # raises CommandError on any difference
    assert "Every balance equals the sum of its ledger." in out.getvalue()


def test_the_demo_dashboard_has_figures_and_twelve_weeks_of_check_ins(settings):
    from dashboard.summary import Period, Summary
    from stations.models import StationVisit

    out = seed(settings)
    assert "Dashboard: figures counted from" in out
    assert "Demo station check-ins:" in out
    visits = StationVisit.objects.count()
    assert visits > 24 * 12
    assert "(0 new)" in seed(settings).split("Demo station check-ins:")[1].splitlines()[0]
    assert StationVisit.objects.count() == visits
    today = timezone.localdate()
    city = Area.objects.get(code="411400")
    dashboard = Summary(city, Period(today - timedelta(days=100), today))
    assert dashboard.total.registered() == Worker.objects.exclude(status="left").count()
    assert dashboard.total.total(dashboard.total.period, "checkins") == visits
    assert sum(dashboard.trends["checkins"]) == visits
