"""The navigation bar: groups of items share a drop-down, with their badges added up."""

from django.urls import reverse

from portal.navigation import NavItem, menu
from tests.factories import SuggestionFactory


def test_a_group_becomes_one_drop_down_where_its_first_item_is(db):
    items = [
        (NavItem("首页", "staff_home"), None),
        (NavItem("待研判", "feedback:queue", group="建议诉求"), 2),
        (NavItem("消息", "inbox"), 1),
        (NavItem("全部建议", "feedback:suggestions", group="建议诉求"), 3),
    ]
    entries = menu(items)
    assert [(entry.label, entry.badge) for entry in entries] == [
        ("首页", None),
        ("建议诉求", 5),
        ("消息", 1),
    ]
    assert [item.label for item, _badge in entries[1].items] == ["待研判", "全部建议"]
    assert entries[1].urls == [reverse("feedback:queue"), reverse("feedback:suggestions")]


def test_a_group_with_one_item_for_the_user_is_a_plain_link(db):
    [entry] = menu([(NavItem("待研判", "feedback:queue", group="建议诉求"), 4)])
    assert (entry.label, entry.url, entry.badge, entry.items) == (
        "待研判",
        reverse("feedback:queue"),
        4,
        [],
    )


def test_staff_see_the_suggestions_drop_down_with_what_waits(client, tree, staff_a):
    SuggestionFactory(area=tree.community_a)
    client.force_login(staff_a)
    response = client.get(reverse("staff_home"))
    queue = reverse("feedback:queue")
    [suggestions] = [entry for entry in response.context["nav_menu"] if queue in entry.urls]
    assert suggestions.urls[:2] == [queue, reverse("feedback:suggestions")]
    assert suggestions.badge == 1
    assert 'data-bs-toggle="dropdown"' in response.text


def test_a_handler_sees_no_triage_in_the_navigation(client, tree, handler):
    client.force_login(handler)
    response = client.get(reverse("staff_home"))
    assert f'href="{reverse("feedback:queue")}"' not in response.text
    assert f'href="{reverse("feedback:tasks")}"' in response.text
