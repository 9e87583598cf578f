import pytest
from django.urls import reverse

from portal.inbox import notify
from portal.models import Notification

pytestmark = pytest.mark.django_db


def test_the_inbox_lists_only_the_users_own_messages_newest_first(client, tree, staff_a, staff_b):
    notify(staff_a, "第一条")
    notify(staff_b, "别人的")
    notify(staff_a, "第二条", "正文", "/staff/")
    client.force_login(staff_a)
    response = client.get(reverse("inbox"))
    assert [n.title for n in response.context["page"]] == ["第二条", "第一条"]
    assert "别人的" not in response.text
    assert "正文" in response.text


def test_unread_messages_are_bold_and_read_ones_are_not(client, tree, staff_a):
    notify(staff_a, "未读的")
    Notification.objects.filter(pk=notify(staff_a, "读过的").pk).update(read_at="2026-01-01T00:00Z")
    client.force_login(staff_a)
    text = client.get(reverse("inbox")).text
    assert "<strong>未读的</strong>" in text
    assert "<strong>读过的</strong>" not in text
    assert "读过的" in text


def test_the_inbox_shows_25_messages_a_page(client, tree, staff_a):
    for n in range(30):
        notify(staff_a, f"提醒{n}")
    client.force_login(staff_a)
    first = client.get(reverse("inbox"))
    assert len(first.context["page"].object_list) == 25
    second = client.get(reverse("inbox"), {"page": 2})
    assert [n.title for n in second.context["page"]] == [f"提醒{n}" for n in range(4, -1, -1)]


def test_opening_a_message_marks_it_read_and_follows_its_link(client, tree, staff_a):
    notification = notify(staff_a, "护理提醒", url="/staff/registry/care/")
    client.force_login(staff_a)
    response = client.post(reverse("inbox_read", args=[notification.pk]))
    assert response.status_code == 302
    assert response["Location"] == "/staff/registry/care/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_opening_a_message_twice_keeps_when_it_was_first_read(client, tree, staff_a):
    notification = notify(staff_a, "提醒")
    client.force_login(staff_a)
    client.post(reverse("inbox_read", args=[notification.pk]))
    notification.refresh_from_db()
    first_read = notification.read_at
    client.post(reverse("inbox_read", args=[notification.pk]))
    notification.refresh_from_db()
    assert notification.read_at == first_read


def test_a_message_without_a_link_returns_to_the_inbox(client, tree, staff_a):
    notification = notify(staff_a, "提醒")
    client.force_login(staff_a)
    response = client.post(reverse("inbox_read", args=[notification.pk]))
    assert response["Location"] == reverse("inbox")


@pytest.mark.parametrize(
    "url", ["https://evil.example/staff/", "//evil.example/staff/", "javascript:alert(1)"]
)
def test_a_message_never_sends_the_user_off_the_site(client, tree, staff_a, url):
    notification = notify(staff_a, "提醒", url=url)
    client.force_login(staff_a)
    response = client.post(reverse("inbox_read", args=[notification.pk]))
    assert response["Location"] == reverse("inbox")


def test_nobody_opens_another_users_message(client, tree, staff_a, staff_b, administrator):
    notification = notify(staff_a, "提醒")
    for user in (staff_b, administrator):
        client.force_login(user)
        assert client.post(reverse("inbox_read", args=[notification.pk])).status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_marking_all_read_touches_only_the_users_own_messages(client, tree, staff_a, staff_b):
    notify(staff_a, "一")
    notify(staff_a, "二")
    others = notify(staff_b, "别人的")
    client.force_login(staff_a)
    response = client.post(reverse("inbox_read_all"), follow=True)
    assert response.redirect_chain == [(reverse("inbox"), 302)]
    assert not Notification.objects.filter(user=staff_a, read_at__isnull=True).exists()
    others.refresh_from_db()
    assert others.read_at is None


@pytest.mark.parametrize("persona", ["staff_a", "handler", "official", "administrator"])
def test_every_staff_role_sees_the_inbox_with_its_unread_count(client, request, tree, persona):
    user = request.getfixturevalue(persona)
    notify(user, "一")
    notify(user, "二")
    Notification.objects.filter(pk=notify(user, "读过").pk).update(read_at="2026-01-01T00:00Z")
    client.force_login(user)
    response = client.get(reverse("staff_home"))
    badges = {item.url_name: badge for item, badge in response.context["nav_items"]}
    assert badges["inbox"] == 2


def test_a_long_title_is_cut_to_fit(tree, staff_a):
    assert len(notify(staff_a, "长" * 300).title) == 200


def test_the_inbox_uses_the_same_number_of_queries_for_5_or_60_messages(
    client, tree, handler, django_assert_max_num_queries
):
    client.force_login(handler)
    for n in range(5):
        notify(handler, f"提醒{n}", url="/staff/")
    with django_assert_max_num_queries(7) as few:
        client.get(reverse("inbox"))
    for n in range(55):
        notify(handler, f"更多{n}")
    with django_assert_max_num_queries(7) as many:
        response = client.get(reverse("inbox"))
    assert len(few.captured_queries) == len(many.captured_queries)
    assert len(response.context["page"].object_list) == 25
