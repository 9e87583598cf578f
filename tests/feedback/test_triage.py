"""The staff side of collecting and assessing: queue, list, a suggestion's page, each assessment,
suggestions entered for riders, and who may do what."""

from datetime import date, timedelta
from io import BytesIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from feedback import services
from feedback.calendar import working_days_between, working_days_since
from feedback.models import CalendarDay, Event, ResponseTemplate, State, Suggestion, SuggestionPhoto
from portal.models import AuditLog, Role
from tests.factories import StationFactory, SuggestionFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def english(client, settings):
    """A client that reads the pages in English, the msgids these tests assert."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def alice(english, staff_a):
    english.force_login(staff_a)
    return english


def codes(response):
    return [row.tracking_code for row in response.context["page"].object_list]


def page_url(suggestion, **query):
    url = reverse("feedback:suggestion", args=[suggestion.pk])
    return url + ("?" + "&".join(f"{key}={value}" for key, value in query.items()) if query else "")


def post(client, action, suggestion, **data):
    data.setdefault("version", suggestion.version)
    return client.post(reverse(f"feedback:{action}", args=[suggestion.pk]), data, follow=True)


def shown_messages(response):
    return [str(message) for message in response.context["messages"]]


def jpeg(name="photo.jpg"):
    buffer = BytesIO()
    Image.new("RGB", (40, 30), "orange").save(buffer, "JPEG")
    return ContentFile(buffer.getvalue(), name=name)


# The queue


def test_the_queue_shows_what_waits_in_scope_oldest_first_with_the_overdue_marked(
    alice, tree, suggestion_a, suggestion_c
):
    now = timezone.now()
    old = SuggestionFactory(area=tree.community_a, queued_at=now - timedelta(days=30))
    SuggestionFactory(area=tree.community_a, state=State.ACCEPTED)
    SuggestionFactory(area=tree.community_b)
    response = alice.get(reverse("feedback:queue"))
    assert codes(response) == [old.tracking_code, suggestion_a.tracking_code]
    rows = response.context["page"].object_list
    assert (rows[0].overdue, rows[0].waited >= 12) == (True, True)
    assert (rows[1].overdue, rows[1].waited) == (False, 0)
    assert response.text.count('class="feedback-overdue"') == 1
    assert "Overdue" in response.text
    assert "2 working days" in response.text


def test_a_suggestion_reopened_or_passed_on_waits_from_when_it_was_queued_again(alice, tree):
    SuggestionFactory(
        area=tree.community_a,
        submitted_at=timezone.now() - timedelta(days=60),
        queued_at=timezone.now(),
    )
    row = alice.get(reverse("feedback:queue")).context["page"].object_list[0]
    assert (row.waited, row.overdue) == (0, False)


def test_waits_of_a_page_match_the_working_day_count_of_each_day(db):
    CalendarDay.objects.create(date=date(2026, 10, 1), name="国庆节")
    CalendarDay.objects.create(date=date(2026, 10, 10), name="调休", is_working_day=True)
    today = date(2026, 10, 12)
    starts = [today - timedelta(days=n) for n in range(0, 20)] + [today + timedelta(days=1)]
    waits = working_days_since(starts, today)
    for start in starts:
        assert waits.get(start, 0) == working_days_between(start, today)


@pytest.mark.parametrize("rows", [5, 50])
def test_the_queue_reads_the_same_few_queries_for_5_or_50_rows(
    alice, tree, station_a, django_assert_max_num_queries, rows
):
    now = timezone.now()
    for days in range(rows):
        SuggestionFactory(
            area=tree.community_a, station=station_a, queued_at=now - timedelta(days=days)
        )
    # session, user, its second factor, its area, count, rows, the holiday calendar (for the waits
    # and for the overdue line), navigation badges
    with django_assert_max_num_queries(12):
        response = alice.get(reverse("feedback:queue"))
    assert len(codes(response)) == rows


def test_the_navigation_counts_what_waits(alice, tree, suggestion_a):
    SuggestionFactory(area=tree.community_a)
    response = alice.get(reverse("staff_home"))
    assert response.context["nav_items"]
    badges = {item.url_name: badge for item, badge in response.context["nav_items"]}
    assert badges["feedback:queue"] == 2


# The list


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"state": "accepted"}, ["accepted"]),
        ({"category": "hazard"}, ["hazard"]),
        ({"channel": "phone"}, ["phone"]),
        ({"q": "路灯"}, ["lamp"]),
        ({"submitted_after": "2026-03-02", "submitted_before": "2026-03-02"}, ["march"]),
    ],
)
def test_the_list_filters_by_state_category_channel_text_and_date(alice, tree, query, expected):
    SuggestionFactory(area=tree.community_a, state=State.ACCEPTED, text="accepted")
    SuggestionFactory(area=tree.community_a, category="hazard", text="hazard")
    SuggestionFactory(area=tree.community_a, channel="phone", text="phone")
    SuggestionFactory(area=tree.community_a, text="lamp 路灯不亮")
    march = timezone.make_aware(timezone.datetime(2026, 3, 2, 23, 30))
    SuggestionFactory(area=tree.community_a, text="march", submitted_at=march)
    response = alice.get(reverse("feedback:suggestions"), query)
    assert [row.text.split()[0] for row in response.context["page"].object_list] == expected


def test_the_list_finds_a_tracking_code_typed_in_lower_case_with_spaces(
    alice, tree, suggestion_a, suggestion_c
):
    SuggestionFactory(area=tree.community_a)
    typed = f"{suggestion_a.tracking_code[:5].lower()} {suggestion_a.tracking_code[5:]}"
    response = alice.get(reverse("feedback:suggestions"), {"q": typed})
    assert codes(response) == [suggestion_a.tracking_code]
    response = alice.get(reverse("feedback:suggestions"), {"q": suggestion_c.tracking_code})
    assert codes(response) == []


@pytest.mark.parametrize("rows", [5, 50])
def test_the_list_reads_the_same_few_queries_for_5_or_50_rows(
    alice, tree, station_a, django_assert_max_num_queries, rows
):
    SuggestionFactory.create_batch(rows, area=tree.community_a, station=station_a)
    # session, user, its second factor, its area, area choices, issue type choices, count, rows,
    # navigation badges
    with django_assert_max_num_queries(12):
        response = alice.get(reverse("feedback:suggestions"), {"category": "suggestion"})
    assert len(codes(response)) == rows


# A suggestion's page


def test_the_page_shows_the_text_escaped_the_mobile_masked_and_the_timeline_with_staff_names(
    alice, tree, staff_a
):
    suggestion = services.submit(
        {"category": "complaint", "text": "<script>alert(1)</script>", "name": "小李"}
        | {"mobile": "13912345678", "address": "建设路口"},
        channel="phone",
        area=tree.community_a,
        by=staff_a,
    )
    response = alice.get(page_url(suggestion))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text
    assert "<script>alert" not in response.text
    assert "139****5678" in response.text and "13912345678" not in response.text
    assert "Phone call · entered by 张敏" in response.text
    assert "建设路口" in response.text
    assert response.context["events"][0].actor == staff_a
    assert not AuditLog.objects.data_use().exists()


def test_showing_the_full_mobile_writes_the_access_log(alice, tree, staff_a):
    suggestion = SuggestionFactory(area=tree.community_a, name="小李", mobile="13912345678")
    response = alice.get(page_url(suggestion, mobile="full"))
    assert "13912345678" in response.text
    entry = AuditLog.objects.data_use().get()
    assert (entry.user, entry.action, entry.subject) == (staff_a, "viewed", suggestion)


def test_the_page_links_the_original_and_lists_the_followers(alice, tree, staff_a, suggestion_a):
    follower = SuggestionFactory(area=tree.community_a)
    services.mark_duplicate(follower, suggestion_a, version=follower.version, by=staff_a)
    response = alice.get(page_url(suggestion_a))
    assert list(response.context["followers"]) == [follower]
    response = alice.get(page_url(follower))
    assert f">{suggestion_a.tracking_code}</a>" in response.text
    assert "accept_form" not in response.context


def test_an_official_reads_the_page_without_the_assessment_forms(english, official, suggestion_a):
    english.force_login(official)
    response = english.get(page_url(suggestion_a))
    assert response.status_code == 200
    assert "accept_form" not in response.context
    assert post(english, "accept", suggestion_a).status_code == 403


def test_staff_of_another_community_get_404_and_a_handler_403(
    english, staff_b, handler, suggestion_a
):
    english.force_login(staff_b)
    assert english.get(page_url(suggestion_a)).status_code == 404
    assert post(english, "accept", suggestion_a).status_code == 404
    english.force_login(handler)
    assert english.get(page_url(suggestion_a)).status_code == 403
    assert english.get(reverse("feedback:queue")).status_code == 403
    suggestion_a.refresh_from_db()
    assert suggestion_a.state == State.SUBMITTED


# Assessing


def test_accepting_moves_it_on_and_records_who_with_the_note(alice, staff_a, suggestion_a):
    response = post(alice, "accept", suggestion_a, note="交市政处理")
    assert f"Accepted {suggestion_a.tracking_code}." in shown_messages(response)[0]
    suggestion_a.refresh_from_db()
    assert suggestion_a.state == State.ACCEPTED
    event = suggestion_a.events.get()
    assert (event.kind, event.actor, event.text) == ("accepted", staff_a, "交市政处理")
    assert response.redirect_chain[-1][0] == page_url(suggestion_a)


def test_an_illegal_transition_is_refused_with_a_clear_message(alice, staff_a, suggestion_a):
    services.accept(suggestion_a, version=suggestion_a.version, by=staff_a)
    response = post(alice, "reject", suggestion_a, reply="不受理")
    assert shown_messages(response) == [
        "This cannot be done to a suggestion that is “Accepted, being worked on”."
    ]
    suggestion_a.refresh_from_db()
    assert (suggestion_a.state, suggestion_a.reply) == (State.ACCEPTED, "")
    assert list(suggestion_a.events.values_list("kind", flat=True)) == ["accepted"]


def test_of_two_staff_assessing_at_once_the_second_is_refused_and_nothing_changes(
    alice, client, tree, suggestion_a
):
    colleague = UserFactory(role=Role.COMMUNITY_STAFF, area=tree.community_a)
    shown = alice.get(page_url(suggestion_a)).context["accept_form"]["version"].value()
    client.force_login(colleague)
    post(client, "reject", suggestion_a, version=shown, reply="不属于受理范围")
    response = post(alice, "accept", suggestion_a, version=shown)
    assert shown_messages(response) == [
        "This cannot be done to a suggestion that is “Not taken up”."
    ]
    suggestion_a.refresh_from_db()
    assert (suggestion_a.state, suggestion_a.reply) == (State.REJECTED, "不属于受理范围")
    assert list(suggestion_a.events.values_list("kind", "actor")) == [("rejected", colleague.pk)]


def test_a_form_shown_before_a_colleagues_change_is_refused(alice, tree, suggestion_a):
    colleague = UserFactory(role=Role.COMMUNITY_STAFF, area=tree.community_a)
    shown = alice.get(page_url(suggestion_a)).context["reject_form"]["version"].value()
    other = SuggestionFactory(area=tree.community_a)
    services.merge(other, suggestion_a, version=other.version, by=colleague)
    response = post(alice, "reject", suggestion_a, version=shown, reply="不受理")
    assert "Someone else changed this suggestion" in shown_messages(response)[0]
    suggestion_a.refresh_from_db()
    assert (suggestion_a.state, suggestion_a.reply) == (State.SUBMITTED, "")
    assert list(suggestion_a.events.values_list("kind", flat=True)) == ["merged_in"]


def test_a_form_without_its_version_asks_to_reload(alice, suggestion_a):
    response = alice.post(reverse("feedback:accept", args=[suggestion_a.pk]), {})
    assert "This form is out of date: reload the page and try again." in response.text
    suggestion_a.refresh_from_db()
    assert suggestion_a.state == State.SUBMITTED


@pytest.mark.parametrize("reply", ["", "   "])
def test_rejecting_needs_a_reply(alice, suggestion_a, reply):
    response = post(alice, "reject", suggestion_a, reply=reply)
    assert "Write a reply to the submitter saying why." in response.text
    suggestion_a.refresh_from_db()
    assert suggestion_a.state == State.SUBMITTED
    assert not suggestion_a.events.exists()


def test_rejecting_with_a_reply_closes_it_and_returns_to_the_queue(alice, suggestion_a):
    response = post(alice, "reject", suggestion_a, reply="不属于受理范围")
    assert response.redirect_chain[-1][0] == reverse("feedback:queue")
    suggestion_a.refresh_from_db()
    assert (suggestion_a.state, suggestion_a.reply) == (State.REJECTED, "不属于受理范围")


def test_marking_a_duplicate_by_tracking_code_with_a_reply(alice, tree, suggestion_a):
    original = SuggestionFactory(area=tree.community_a)
    response = post(
        alice,
        "duplicate",
        suggestion_a,
        code=f" {original.tracking_code.lower()} ",
        reply="已有人反映",
    )
    assert "is marked as a duplicate" in shown_messages(response)[0]
    suggestion_a.refresh_from_db()
    assert (suggestion_a.state, suggestion_a.original, suggestion_a.reply) == (
        State.DUPLICATE,
        original,
        "已有人反映",
    )
    assert list(suggestion_a.events.values_list("kind", "text")) == [
        ("duplicate", original.tracking_code),
        ("replied", "已有人反映"),
    ]


@pytest.mark.parametrize("action", ["duplicate", "merge"])
def test_a_tracking_code_outside_the_scope_is_refused_like_an_unknown_one(
    alice, suggestion_a, suggestion_c, action
):
    for code in [suggestion_c.tracking_code, "ABCDEFGHJK", "X"]:
        response = post(alice, action, suggestion_a, code=code)
        assert f"No suggestion in your area has the tracking code {code}." in response.text
    suggestion_a.refresh_from_db()
    assert (suggestion_a.state, suggestion_a.original) == (State.SUBMITTED, None)


def test_a_suggestion_cannot_be_its_own_duplicate(alice, suggestion_a):
    response = post(alice, "merge", suggestion_a, code=suggestion_a.tracking_code)
    assert shown_messages(response) == ["A suggestion cannot follow itself."]
    suggestion_a.refresh_from_db()
    assert suggestion_a.state == State.SUBMITTED


def test_merging_moves_text_and_photos_into_the_other(alice, tree, media, suggestion_a):
    into = SuggestionFactory(area=tree.community_a)
    photo = SuggestionPhoto.objects.create(
        suggestion=suggestion_a, image=jpeg(), thumbnail=jpeg("thumb.jpg")
    )
    post(alice, "merge", suggestion_a, code=into.tracking_code)
    suggestion_a.refresh_from_db()
    photo.refresh_from_db()
    assert (suggestion_a.state, suggestion_a.original, photo.suggestion) == (
        State.MERGED,
        into,
        into,
    )
    response = alice.get(page_url(into))
    assert suggestion_a.text in response.text
    assert list(response.context["photos"]) == [photo]


def test_passing_to_the_parent_area_leaves_the_community_queue(alice, tree, suggestion_a):
    areas = alice.get(page_url(suggestion_a)).context["transfer_form"].fields["area"].queryset
    assert list(areas) == [tree.street]
    response = post(alice, "transfer", suggestion_a, area=tree.street.pk, note="跨社区")
    assert "is passed on" in shown_messages(response)[0]
    suggestion_a.refresh_from_db()
    assert suggestion_a.area == tree.street
    assert suggestion_a.events.get().text == "平原街道: 跨社区"
    assert codes(response) == []
    assert alice.get(page_url(suggestion_a)).status_code == 404


def test_street_staff_pass_a_suggestion_to_one_of_their_communities(english, tree, suggestion_a):
    english.force_login(UserFactory(role=Role.COMMUNITY_STAFF, area=tree.street))
    areas = english.get(page_url(suggestion_a)).context["transfer_form"].fields["area"].queryset
    assert list(areas) == [tree.street, tree.community_b]
    post(english, "transfer", suggestion_a, area=tree.community_b.pk)
    suggestion_a.refresh_from_db()
    assert suggestion_a.area == tree.community_b


def test_community_staff_cannot_pass_to_a_sibling_community(alice, tree, suggestion_a):
    response = post(alice, "transfer", suggestion_a, area=tree.community_b.pk)
    assert "Select a valid choice" in response.text
    suggestion_a.refresh_from_db()
    assert suggestion_a.area == tree.community_a


def test_hiding_a_photo_records_it_and_shows_it_hidden(alice, staff_a, media, suggestion_a):
    photo = SuggestionPhoto.objects.create(
        suggestion=suggestion_a, image=jpeg(), thumbnail=jpeg("thumb.jpg")
    )
    url = reverse("feedback:hide_photo", args=[photo.pk])
    response = alice.post(url, follow=True)
    assert shown_messages(response) == ["The photo is hidden from the public tracking page."]
    photo.refresh_from_db()
    assert photo.hidden
    assert suggestion_a.events.get().kind == Event.Kind.PHOTO_HIDDEN
    assert shown_messages(alice.post(url, follow=True)) == ["This photo is already hidden."]


def test_staff_of_another_community_cannot_hide_a_photo(english, staff_b, media, suggestion_a):
    photo = SuggestionPhoto.objects.create(
        suggestion=suggestion_a, image=jpeg(), thumbnail=jpeg("thumb.jpg")
    )
    english.force_login(staff_b)
    assert english.post(reverse("feedback:hide_photo", args=[photo.pk])).status_code == 404
    photo.refresh_from_db()
    assert not photo.hidden


# Response templates


def test_accept_is_the_open_primary_action_and_the_other_outcomes_are_folded(alice, suggestion_a):
    html = alice.get(page_url(suggestion_a)).text
    accept = html[html.index('id="accept"') - 80 : html.index('id="accept"')]
    assert "<section" in accept and "feedback-assessment-primary" in accept
    assert "Accept and split into tasks" in html and "btn btn-portal" in html
    for folded in ("reject", "duplicate", "merge", "transfer"):
        assert f'<details class="card mb-2 feedback-assessment" id="{folded}">' in html, folded


def test_no_reply_is_prefilled_until_a_template_is_picked(alice, suggestion_a):
    own = ResponseTemplate.objects.create(
        state=State.REJECTED, category="suggestion", title="建议已采纳过", text="own text"
    )
    ResponseTemplate.objects.create(
        state=State.REJECTED, category="hazard", title="隐患不成立", text="hazard text"
    )
    response = alice.get(page_url(suggestion_a))
    templates = response.context["reject_templates"]
    assert templates[0] == own  # the category's own first, then the general ones
    assert {template.category for template in templates} == {"suggestion", ""}
    assert response.context["reject_form"].initial["reply"] == ""
    assert response.context["duplicate_form"].initial["reply"] == ""
    assert "own text" not in response.text and "隐患不成立" not in response.text


def test_a_template_link_reloads_the_page_with_that_reply_and_its_section_open(alice, suggestion_a):
    general = ResponseTemplate.objects.filter(state=State.REJECTED, category="").last()
    response = alice.get(page_url(suggestion_a, template=general.pk))
    assert response.context["reject_form"].initial["reply"] == general.text
    assert f"?template={general.pk}#reject" in response.text
    assert 'id="reject" open' in response.text
    assert response.context["duplicate_form"].initial["reply"] == ""
    assert 'id="duplicate" open' not in response.text


def test_a_duplicate_template_opens_the_duplicate_section_only(alice, suggestion_a):
    template = ResponseTemplate.objects.get(state=State.DUPLICATE)
    response = alice.get(page_url(suggestion_a, template=template.pk))
    assert response.context["duplicate_form"].initial["reply"] == template.text
    assert 'id="duplicate" open' in response.text and 'id="reject" open' not in response.text


def test_a_refusal_sent_without_a_reply_comes_back_open_with_its_error(alice, suggestion_a):
    response = post(alice, "reject", suggestion_a, reply="")
    assert 'id="reject" open' in response.text
    assert "Write a reply to the submitter saying why." in response.text


# Similar suggestions


def test_similar_open_suggestions_from_the_same_area_or_station_are_shown(
    alice, english, tree, station_a, suggestion_a
):
    alike = SuggestionFactory(area=tree.community_a, text="建设路口路灯坏了，晚上很黑")
    at_station = SuggestionFactory(
        area=tree.community_b, station=station_a, text="建设路口晚上没有路灯"
    )
    suggestion_a.station = station_a
    suggestion_a.save()
    SuggestionFactory(area=tree.community_a, text="驿站的饮水机坏了")
    SuggestionFactory(area=tree.community_a, text=suggestion_a.text, state=State.REJECTED)
    SuggestionFactory(area=tree.community_b, text=suggestion_a.text)
    response = alice.get(page_url(suggestion_a))
    assert response.context["similar"] == [alike]  # the station's other one is outside her scope
    assert f"?original={alike.tracking_code}#duplicate" in response.text
    english.force_login(UserFactory(role=Role.COMMUNITY_STAFF, area=tree.street))
    similar = english.get(page_url(suggestion_a)).context["similar"]
    assert set(similar) == {alike, at_station}
    assert similar[0].similarity >= similar[1].similarity > 0


def test_the_code_of_a_similar_suggestion_prefills_the_duplicate_and_merge_forms(
    alice, suggestion_a
):
    response = alice.get(page_url(suggestion_a, original="ABCDEFGHJK"))
    assert response.context["duplicate_form"].initial["code"] == "ABCDEFGHJK"
    assert response.context["merge_form"].initial["code"] == "ABCDEFGHJK"


@pytest.mark.services
def test_similar_suggestions_by_trigram_similarity_on_postgresql(staff_a, tree, suggestion_a):
    from feedback.similar import similar_open

    alike = SuggestionFactory(area=tree.community_a, text="建设路口路灯坏了，晚上很黑")
    closer = SuggestionFactory(area=tree.community_a, text="建设路口晚上没有路灯，很不安全")
    SuggestionFactory(area=tree.community_a, text="驿站的饮水机坏了")
    SuggestionFactory(area=tree.community_c, text=suggestion_a.text)
    similar = similar_open(suggestion_a, staff_a)
    assert similar == [closer, alike]
    assert 0 < similar[1].similarity < similar[0].similarity <= 1


# Entering a suggestion collected offline


def entry(tree, **overrides):
    data = {
        "channel": "meeting",
        "category": "need",
        "text": "希望驿站增加充电柜",
        "area": tree.community_a.pk,
        "name": "王师傅",
        "mobile": "139 1234 5678",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_staff_enter_a_suggestion_from_a_forum_for_a_rider(alice, tree, staff_a, station_a):
    response = alice.post(reverse("feedback:enter"), entry(tree, station=station_a.pk), follow=True)
    suggestion = Suggestion.objects.get()
    assert f"Entered as {suggestion.tracking_code}." in shown_messages(response)[0]
    assert (suggestion.channel, suggestion.area, suggestion.station) == (
        "meeting",
        tree.community_a,
        station_a,
    )
    assert (suggestion.mobile, suggestion.created_by, suggestion.state) == (
        "13912345678",
        staff_a,
        State.SUBMITTED,
    )
    assert suggestion.events.get().actor == staff_a
    assert codes(alice.get(reverse("feedback:queue"))) == [suggestion.tracking_code]


def test_an_anonymous_phone_call_needs_no_name_or_mobile(alice, tree):
    alice.post(reverse("feedback:enter"), entry(tree, channel="phone", name=None, mobile=None))
    assert Suggestion.objects.get().is_anonymous


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"channel": "qr_code"}, "channel", "Select a valid choice"),
        ({"text": ""}, "text", "This field is required."),
        ({"text": "长" * 5000}, "text", "at most 4000 characters"),
        ({"mobile": "12345"}, "mobile", "Enter an 11-digit mainland mobile number"),
        ("community_b", "area", "Select a valid choice"),
        ("station_c", "station", "Select a valid choice"),
    ],
)
def test_bad_entries_get_a_message_and_save_nothing(alice, tree, media, overrides, field, message):
    if overrides == "community_b":
        overrides = {"area": tree.community_b.pk}
    elif overrides == "station_c":
        overrides = {"station": StationFactory(area=tree.community_c).pk}
    response = alice.post(reverse("feedback:enter"), entry(tree, **overrides))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not Suggestion.objects.exists()


def test_more_than_three_photos_are_refused(alice, tree):
    photos = [SimpleUploadedFile(f"{n}.jpg", b"x", "image/jpeg") for n in range(4)]
    response = alice.post(reverse("feedback:enter"), {**entry(tree), "photos": photos})
    assert "Send at most 3 photos (you chose 4)." in response.text
    assert not Suggestion.objects.exists()


def test_photos_are_stored_without_their_exif(
    alice, tree, media, django_capture_on_commit_callbacks, eager_tasks
):
    exif = Image.Exif()
    exif[0x010F] = "Phone maker"  # Make
    exif[0x8825] = {2: (34.0, 24.0, 51.0)}  # GPSInfo: GPSLatitude
    buffer = BytesIO()
    Image.new("RGB", (40, 30), "orange").save(buffer, "JPEG", exif=exif)
    upload = SimpleUploadedFile("a.jpg", buffer.getvalue(), "image/jpeg")
    with django_capture_on_commit_callbacks(execute=True):  # the photo processed (eager)
        alice.post(reverse("feedback:enter"), {**entry(tree), "photos": [upload]})
    photo = Suggestion.objects.get().photos.get()
    with Image.open(photo.image) as image:
        assert not image.getexif()
    assert photo.thumbnail


def test_a_file_that_is_no_photo_is_refused(alice, tree, media):
    upload = SimpleUploadedFile("a.jpg", b"not a photo", "image/jpeg")
    response = alice.post(reverse("feedback:enter"), {**entry(tree), "photos": [upload]})
    assert "is not a photo we can read" in response.text
    assert not Suggestion.objects.exists()
