"""Issue types (sub-types below each category): the seeded list, the rider's buttons, staff
choosing and changing them, the points and the department they propose, the Open311 services."""

import pytest
from django.conf import settings
from django.contrib.admin.sites import site
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from feedback import services
from feedback.models import Category, Event, IssueType, State, Suggestion
from feedback.services import FeedbackError
from feedback.task_forms import TaskForm, proposed_department
from points.services.ledger import balance
from portal.models import AuditLog
from tests.factories import DepartmentFactory, StationFactory, SuggestionFactory, WorkerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def station(tree, media):
    return StationFactory(name="建设路暖心驿站", area=tree.community_a)


def kind(code) -> IssueType:
    return IssueType.objects.get(code=code)


def suggest(client, station, **data):
    return client.post(
        reverse("feedback:station_suggest", args=[station.token]),
        {"category": "suggestion", "text": "楼道里有人飞线充电", **data},
    )


# The seeded list


def test_the_seeded_types_are_what_grid_members_and_supervisors_report():
    names = set(IssueType.objects.values_list("name", flat=True))
    assert {"飞线充电", "占道停车", "井盖破损", "消防通道堵塞", "食品安全", "网络交易"} <= names
    assert {"交通安全"} <= names
    assert kind("hazard-wire-charging").category == Category.HAZARD
    assert kind("complaint-online-trading").category == Category.COMPLAINT
    # an open manhole cannot wait days; most types take the default urgency class
    assert kind("hazard-manhole").urgency.name == "紧急"
    assert kind("need-rest").urgency is None
    # every category has its own, and only hazards carry points
    assert set(IssueType.objects.values_list("category", flat=True)) == set(Category.values)
    assert not IssueType.objects.exclude(category="hazard").filter(points__isnull=False).exists()


@translation.override("en")
def test_administrators_cannot_use_a_categorys_code_or_give_points_to_a_non_hazard(
    administrator,
):
    request = RequestFactory().get("/")
    request.user = administrator
    admin_form = site._registry[IssueType].get_form(request)
    taken = admin_form(
        {"category": "need", "name": "停车难", "code": "hazard", "order": 1, "active": "on"}
    )
    assert "code" in taken.errors
    points = admin_form(
        {"category": "need", "name": "停车难", "code": "need-parking", "order": 1, "points": 5}
    )
    assert not points.is_valid()
    assert "Only hazard reports earn points." in str(points.errors)
    fine = admin_form({"category": "need", "name": "停车难", "code": "need-parking", "order": 1})
    assert fine.is_valid(), fine.errors


# The rider's buttons


def test_the_stylesheet_shows_the_chosen_categorys_kinds_for_every_category():
    """Showing only the chosen category's kinds is CSS, one selector per category: a new
    category without one would never show its kinds where the browser has :has()."""
    css = (settings.BASE_DIR / "static" / "css" / "portal.css").read_text()
    for category in Category.values:
        chosen = f'form:has([name="category"][value="{category}"]:checked)'
        assert f'{chosen} .issue-type-group[data-category="{category}"]' in css
        assert f'{chosen}:has(.issue-type-group[data-category="{category}"]) .issue-types' in css


def test_the_form_offers_each_categorys_types_as_big_buttons_under_its_name(english, station):
    IssueType.objects.filter(code="hazard-road-parking").update(active=False)
    response = english.get(reverse("feedback:station_suggest", args=[station.token]))
    html = response.text
    hazard = html.index('data-category="hazard"')
    assert html.index("Hazard snapshot", hazard) < html.index("飞线充电", hazard)
    assert 'class="btn-check"' in html and "issue_types.js" in html
    assert "占道停车" not in html  # retired: no longer offered
    assert "Not sure, or none of these" in html
    # the buttons name the types; grouped in the categories' order
    groups = [html.index(f'data-category="{category}"') for category in Category.values]
    assert groups == sorted(groups)


def test_a_rider_who_picks_a_type_files_it_under_the_types_category(english, station):
    """Without JavaScript every type shows: one picked under another category than the one
    chosen says more than the category."""
    response = suggest(english, station, issue_type=kind("hazard-wire-charging").pk)
    assert response.status_code == 302
    suggestion = Suggestion.objects.get()
    assert (suggestion.category, suggestion.issue_type.name) == ("hazard", "飞线充电")
    track = english.get(response["Location"])
    assert "Hazard snapshot · 飞线充电" in track.text


def test_the_type_is_optional_and_a_retired_or_made_up_one_is_refused(english, station):
    assert suggest(english, station).status_code == 302
    assert Suggestion.objects.get().issue_type is None
    IssueType.objects.filter(code="hazard-manhole").update(active=False)
    for value in [kind("hazard-manhole").pk, "999999", "x"]:
        response = suggest(english, station, issue_type=value)
        assert response.status_code == 200
        assert "Choose one of the kinds shown, or none." in response.text
    assert Suggestion.objects.count() == 1


# Staff


def test_staff_accept_with_a_type_and_the_hazard_earns_the_types_points(tree, staff_a):
    worker = WorkerFactory(area=tree.community_a)
    report = SuggestionFactory(area=tree.community_a, category="suggestion", worker=worker)
    with translation.override("zh-hans"):
        services.accept(report, version=None, by=staff_a, issue_type=kind("hazard-fire-lane"))
    report.refresh_from_db()
    assert (report.state, report.category, report.issue_type.name) == (
        "accepted",
        "hazard",
        "消防通道堵塞",
    )
    assert balance(worker) == 20
    change = report.events.get(kind=Event.Kind.ISSUE_TYPE_CHANGED)
    assert change.text == "建议 → 随手拍/隐患 · 消防通道堵塞" and change.actor == staff_a


def test_a_hazard_without_type_points_earns_the_usual_points(tree, staff_a, settings):
    settings.FEEDBACK_HAZARD_POINTS = 7
    worker = WorkerFactory(area=tree.community_a)
    parking = SuggestionFactory(
        area=tree.community_a,
        category="hazard",
        worker=worker,
        issue_type=kind("hazard-road-parking"),
    )
    services.accept(parking, version=None, by=staff_a)
    assert balance(worker) == 7
    assert not parking.events.filter(kind=Event.Kind.ISSUE_TYPE_CHANGED).exists()


def test_staff_change_the_type_on_the_suggestion_page_with_a_timeline_row(
    english, staff_a, suggestion_a
):
    english.force_login(staff_a)
    page = english.get(reverse("feedback:suggestion", args=[suggestion_a.pk]))
    assert "Change the issue type" in page.text
    assert '<optgroup label="Hazard snapshot">' in page.text
    url = reverse("feedback:issue_type", args=[suggestion_a.pk])
    version = suggestion_a.version
    response = english.post(
        url, {"version": version, "issue_type": kind("complaint-online-trading").pk}, follow=True
    )
    assert f"Saved the issue type of {suggestion_a.tracking_code}." in response.text
    suggestion_a.refresh_from_db()
    assert (suggestion_a.category, suggestion_a.issue_type.code) == (
        "complaint",
        "complaint-online-trading",
    )
    event = suggestion_a.events.get(kind=Event.Kind.ISSUE_TYPE_CHANGED)
    assert "→ Complaint · 网络交易" in event.text
    assert "Issue type changed" in response.text  # on the timeline
    # a form from before the change is refused, and changes nothing
    stale = english.post(url, {"version": version, "issue_type": ""}, follow=True)
    assert "Someone else changed this suggestion" in stale.text
    suggestion_a.refresh_from_db()
    assert suggestion_a.issue_type.code == "complaint-online-trading"
    # back to none: the category stays
    english.post(url, {"version": suggestion_a.version, "issue_type": ""})
    suggestion_a.refresh_from_db()
    assert (suggestion_a.category, suggestion_a.issue_type) == ("complaint", None)
    assert not AuditLog.objects.data_use().exists()  # not a change of state


def test_a_closed_suggestion_can_be_reclassed_but_not_to_the_type_it_has(tree, staff_a):
    closed = SuggestionFactory(
        area=tree.community_a, state=State.CLOSED, issue_type=kind("need-rest"), category="need"
    )
    with pytest.raises(FeedbackError) as refused:
        services.set_issue_type(closed, kind("need-rest"), version=None, by=staff_a)
    assert refused.value.code == "issue_type"
    services.set_issue_type(closed, kind("need-access"), version=None, by=staff_a)
    closed.refresh_from_db()
    assert (closed.state, closed.issue_type.code) == (State.CLOSED, "need-access")


def test_a_bad_type_on_the_page_says_why_and_changes_nothing(english, staff_a, suggestion_a):
    english.force_login(staff_a)
    response = english.post(
        reverse("feedback:issue_type", args=[suggestion_a.pk]),
        {"version": suggestion_a.version, "issue_type": "nonsense"},
        follow=True,
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    assert not suggestion_a.events.exists()


def test_staff_entering_a_suggestion_may_give_its_type(english, tree, staff_a):
    english.force_login(staff_a)
    response = english.post(
        reverse("feedback:enter"),
        {
            "channel": "phone",
            "category": "suggestion",
            "issue_type": kind("help-wages").pk,
            "text": "三个月工资没发",
            "area": tree.community_a.pk,
        },
    )
    assert response.status_code == 302
    assert (Suggestion.objects.get().category, Suggestion.objects.get().issue_type.name) == (
        "help",
        "工资拖欠",
    )


def test_the_list_filters_by_type(english, tree, staff_a):
    SuggestionFactory(area=tree.community_a, category="hazard", issue_type=kind("hazard-manhole"))
    SuggestionFactory(area=tree.community_a, category="hazard")
    english.force_login(staff_a)
    response = english.get(
        reverse("feedback:suggestions"), {"issue_type": kind("hazard-manhole").pk}
    )
    assert [row.issue_type.name for row in response.context["page"].object_list] == ["井盖破损"]
    assert "Hazard snapshot · 井盖破损" in response.text


# The department a new task proposes


@pytest.fixture
def bureaus(tree):
    """Two districts' market regulators, a street office, and one of another street."""
    return {
        "here": DepartmentFactory(name="梁园区市场监管局", area=tree.district),
        "there": DepartmentFactory(name="睢阳区市场监管局", area=tree.other_district),
        "street": DepartmentFactory(name="平原街道办事处", area=tree.street),
        "city": DepartmentFactory(name="商丘市街道办事处联席会", area=tree.city),
    }


def test_a_task_proposes_the_nearest_department_whose_name_holds_the_types_words(tree, bureaus):
    food = SuggestionFactory(
        area=tree.community_a, state="accepted", issue_type=kind("hazard-food-safety")
    )
    assert proposed_department(food) == bureaus["here"]
    wires = SuggestionFactory(
        area=tree.community_a, state="accepted", issue_type=kind("hazard-wire-charging")
    )
    assert proposed_department(wires) == bureaus["street"]  # nearer than the city's
    form = TaskForm(suggestion=wires)
    assert form.initial["department"] == bureaus["street"].pk
    assert "Proposed for the issue type 飞线充电" in str(form.fields["department"].help_text)


def test_no_proposal_without_a_type_words_or_a_match(tree, bureaus):
    plain = SuggestionFactory(area=tree.community_a, state="accepted")
    assert proposed_department(plain) is None
    assert "department" not in TaskForm(suggestion=plain).initial
    wages = SuggestionFactory(
        area=tree.community_a, state="accepted", issue_type=kind("help-wages")
    )
    assert proposed_department(wages) is None  # no 人社 department serves it
    IssueType.objects.filter(code="help-wages").update(default_department="")
    wages.refresh_from_db()
    assert proposed_department(wages) is None


def test_a_task_takes_the_types_urgency_unless_staff_choose_one(tree, staff_a, bureaus):
    manhole = SuggestionFactory(
        area=tree.community_a, state="accepted", issue_type=kind("hazard-manhole")
    )
    task = services.add_task(manhole, bureaus["street"], instructions="设置警示", by=staff_a)
    assert task.urgency.name == "紧急"
    plain = SuggestionFactory(area=tree.community_a, state="accepted", issue_type=kind("need-rest"))
    task = services.add_task(plain, bureaus["street"], instructions="核实", by=staff_a)
    assert task.urgency.name == "一般"  # the type has none: the default class


def test_the_suggestion_page_preselects_the_proposed_department(english, tree, staff_a, bureaus):
    food = SuggestionFactory(
        area=tree.community_a, state="accepted", issue_type=kind("hazard-food-safety")
    )
    english.force_login(staff_a)
    page = english.get(reverse("feedback:suggestion", args=[food.pk]))
    assert f'<option value="{bureaus["here"].pk}" selected>' in page.text


# Open311


def test_open311_lists_each_offered_type_as_a_service_in_its_categorys_group(client):
    IssueType.objects.filter(code="hazard-road-parking").update(active=False)
    listed = client.get(
        reverse("feedback:open311_services", args=["json"]), headers={"accept-language": "en"}
    ).json()
    codes = [service["service_code"] for service in listed]
    assert codes[:5] == Category.values
    assert "hazard-manhole" in codes and "hazard-road-parking" not in codes
    manhole = next(service for service in listed if service["service_code"] == "hazard-manhole")
    assert manhole["service_name"] == "井盖破损"
    assert manhole["group"] == listed[2]["group"] == "Problems to fix"
    assert manhole["description"] == "Hazard snapshot: 井盖破损"
    definition = client.get(reverse("feedback:open311_service", args=["hazard-manhole", "json"]))
    assert definition.json() == {"service_code": "hazard-manhole", "attributes": []}
    # retired: still defined, so the requests filed under it stay readable
    retired = client.get(reverse("feedback:open311_service", args=["hazard-road-parking", "json"]))
    assert retired.status_code == 200


def test_open311_files_under_a_type_and_finds_by_type_or_by_category(client, tree, staff_a):
    from feedback import apikeys
    from feedback.models import ApiKey

    key = ApiKey(name="城市 App", area=tree.community_a)
    raw = apikeys.issue(key)
    url = reverse("feedback:open311_requests", args=["json"])
    posted = client.post(
        url,
        {
            "api_key": raw,
            "service_code": "hazard-manhole",
            "address_string": "平原路",
            "description": "井盖缺失",
        },
    )
    assert posted.status_code == 200, posted.content
    filed = Suggestion.objects.get()
    assert (filed.category, filed.issue_type.code) == ("hazard", "hazard-manhole")
    services.accept(filed, version=None, by=staff_a)
    plain = SuggestionFactory(area=tree.community_a, category="hazard", state="accepted")
    Suggestion.objects.filter(pk=plain.pk).update(assessed_at=filed.assessed_at)

    def found(code):
        return [r["service_request_id"] for r in client.get(url, {"service_code": code}).json()]

    assert found("hazard-manhole") == [filed.public_id]
    assert set(found("hazard")) == {filed.public_id, plain.public_id}  # the old code: all
    one = client.get(reverse("feedback:open311_request", args=[filed.public_id, "json"])).json()[0]
    assert (one["service_code"], one["service_name"]) == ("hazard-manhole", "井盖破损")
    # an unknown code is refused as before; a retired type is no longer filed under
    assert client.get(url, {"service_code": "pothole"}).status_code == 400
    IssueType.objects.filter(code="hazard-manhole").update(active=False)
    refused = client.post(
        url,
        {"api_key": raw, "service_code": "hazard-manhole", "address_string": "平原路"}
        | {"description": "井盖缺失"},
    )
    assert refused.status_code == 400
    assert found("hazard-manhole") == [filed.public_id]  # still found
