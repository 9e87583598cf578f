import pytest
from django.urls import reverse
from django.utils import timezone

from points.card import token_for
from portal.mobile import normalise_mobile
from registry import services
from registry.models import Channel, CheckIn, Worker, WorkerEvent, WorkerStatus
from registry.services.riders import SESSION_KEY as SIGNED_IN
from tests.factories import WorkerFactory
from tests.races import race
from tests.riders import sign_in_rider
from tests.sms import last_code

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("texts")]


def form(tree, **overrides):
    data = {
        "name": "张三",
        "mobile": "13812345678",
        "occupation": "food_delivery",
        "platform": "meituan",
        "area": tree.community_a.pk,
        "political_status": "masses",
        "consent": "on",
    }
    return {**data, **overrides}


def submit(client, data):
    """The form's step alone: valid details are kept waiting for the texted code."""
    return client.post(reverse("registry:register"), data)


def enter_code(client, code):
    return client.post(reverse("registry:register_code"), {"code": code})


def wrong(code):
    return "000000" if code != "000000" else "111111"


def register(client, data):
    """Both steps: the details, then the code texted to their mobile (none for the signed-in
    rider's own number)."""
    response = submit(client, data)
    assert response.status_code == 302, response.context["form"].errors
    if response["Location"] != reverse("registry:register_code"):
        return response
    return enter_code(client, last_code(normalise_mobile(data["mobile"])))


def test_the_page_preselects_the_community_from_the_qr_link(client, tree):
    response = client.get(reverse("registry:register") + f"?community={tree.community_a.code}")
    assert response.status_code == 200
    assert "您正在向建设路社区报到" in response.text
    assert response.context["form"].initial["area"] == tree.community_a


def test_without_a_qr_link_the_rider_taps_down_to_their_community(client, tree):
    url = reverse("registry:register")
    # One city: nothing to choose there, so the first step lists its districts.
    first = client.get(url)
    assert [area.name for area in first.context["choices"]] == ["梁园区", "睢阳区"]
    assert f'href="?area={tree.district.code}"' in first.text
    # 梁园区 has one street in this tree: the page skips to its communities.
    communities = client.get(url, {"area": tree.district.code})
    assert [area.name for area in communities.context["choices"]] == ["建设路社区", "平原路社区"]
    assert f'href="?community={tree.community_a.code}"' in communities.text
    assert "梁园区" in communities.text  # the trail back up


def test_choosing_another_community_keeps_where_the_rider_was_headed(client, tree):
    """A rider sent to registration by a check-in still gets back to it after changing community."""
    url = reverse("registry:register")
    heading = "/s/abc/check-in/"
    page = client.get(url, {"community": tree.community_a.code, "next": heading})
    assert f"?area={tree.street.code}&amp;next=%2Fs%2Fabc%2Fcheck-in%2F" in page.text
    step = client.get(url, {"area": tree.street.code, "next": heading})
    assert (
        f'href="?community={tree.community_b.code}&amp;next=%2Fs%2Fabc%2Fcheck-in%2F"' in step.text
    )
    chosen = client.get(url, {"community": tree.community_b.code, "next": heading})
    assert chosen.context["form"].initial["area"] == tree.community_b


def test_the_form_offers_the_communities_of_the_street_not_the_whole_province(client, tree):
    response = client.get(reverse("registry:register"), {"community": tree.community_a.code})
    choices = list(response.context["form"].fields["area"].queryset)
    assert choices == [tree.community_a, tree.community_b]


def test_an_unknown_code_starts_the_choice_from_the_top(client, tree):
    response = client.get(reverse("registry:register"), {"community": "999", "area": "abc"})
    assert response.status_code == 200
    assert [area.name for area in response.context["choices"]] == ["梁园区", "睢阳区"]


def test_the_consent_notice_says_what_why_who_how_long_and_your_rights(client, tree):
    text = client.get(reverse("registry:register") + f"?community={tree.community_a.code}").text
    for heading in ("收集哪些信息", "用途", "谁能看到", "保存多久", "您的权利", "敏感信息"):
        assert heading in text
    assert services.CONSENT_VERSION in text


def test_a_rider_registers_and_waits_for_confirmation(client, tree):
    response = register(client, form(tree))
    assert response.status_code == 302
    assert response["Location"] == reverse("registry:registered")
    worker = Worker.objects.get()
    assert (worker.name, worker.mobile, worker.status) == (
        "张三",
        "13812345678",
        WorkerStatus.PENDING,
    )
    assert (worker.name_pinyin, worker.name_initials) == ("zhangsan", "zs")
    assert worker.consent_version == services.CONSENT_VERSION
    assert worker.consented_at is not None
    assert worker.sensitive_consented_at is None
    check_in = CheckIn.objects.get()
    assert (check_in.area, check_in.channel, check_in.as_party_member) == (
        tree.community_a,
        Channel.SELF,
        False,
    )


def test_the_details_wait_for_the_texted_code_and_the_code_signs_the_rider_in(client, tree, texts):
    assert submit(client, form(tree)).status_code == 302
    assert not Worker.objects.exists()
    [(mobile, text)] = texts
    assert mobile == "13812345678"
    page = client.get(reverse("registry:register_code")).text
    assert "138****5678" in page and "13812345678" not in page
    enter_code(client, last_code(mobile))
    assert client.session[SIGNED_IN] == Worker.objects.get().pk


@pytest.fixture
def confirmed(tree):
    """王五, a confirmed rider with his ID number kept (with its separate consent)."""
    return WorkerFactory(
        name="王五",
        mobile="13900001111",
        occupation="courier",
        platform="sf",
        id_number="11010519491231002X",
        sensitive_consented_at=timezone.now(),
        area=tree.community_a,
        status=WorkerStatus.CONFIRMED,
    )


def takeover(tree):
    return form(tree, name="冒名者", mobile="139 0000 1111", occupation="food_delivery")


@pytest.mark.parametrize("code", [None, "wrong", "malformed"])
def test_re_registering_someone_elses_mobile_without_its_code_changes_nothing(
    client, tree, confirmed, code
):
    before = Worker.objects.values().get(pk=confirmed.pk)
    card, _until = token_for(confirmed)
    response = submit(client, takeover(tree))
    assert response["Location"] == reverse("registry:register_code")
    if code == "wrong":
        response = enter_code(client, wrong(last_code(confirmed.mobile)))
        assert "验证码不对，您还可以再试 4 次" in response.text
    elif code == "malformed":
        response = enter_code(client, "12ab")
        assert response.status_code == 200
    assert Worker.objects.values().get(pk=confirmed.pk) == before
    assert not confirmed.events.exists() and not CheckIn.objects.exists()
    assert SIGNED_IN not in client.session
    verified = client.get(reverse("points:verify", args=[card]))
    assert "王五" in verified.text and "冒名者" not in verified.text
    assert "工作证有效" in verified.text


def test_five_wrong_codes_spend_it_and_the_right_one_then_changes_nothing(client, tree, confirmed):
    before = Worker.objects.values().get(pk=confirmed.pk)
    submit(client, takeover(tree))
    code = last_code(confirmed.mobile)
    for _ in range(5):
        enter_code(client, wrong(code))
    response = enter_code(client, code)
    assert "输错 5 次" in response.text
    assert Worker.objects.values().get(pk=confirmed.pk) == before


def test_the_owner_with_the_right_code_updates_their_details(client, tree, confirmed):
    response = register(client, form(tree, name="王五一", mobile=confirmed.mobile))
    assert response["Location"] == reverse("registry:registered")
    confirmed.refresh_from_db()
    assert (confirmed.name, confirmed.occupation, confirmed.platform) == (
        "王五一",
        "food_delivery",
        "meituan",
    )
    assert confirmed.status == WorkerStatus.CONFIRMED
    update = confirmed.events.get(kind=WorkerEvent.Kind.UPDATED)
    assert update.actor is None  # the worker themselves, as the timeline says
    assert update.changes["name"] == ["王五", "王五一"]
    assert client.session[SIGNED_IN] == confirmed.pk


def test_a_blank_field_keeps_the_stored_value(client, tree, confirmed):
    # The ID number left empty: it is kept, and so is its consent.
    register(client, form(tree, mobile=confirmed.mobile, id_number=""))
    confirmed.refresh_from_db()
    assert confirmed.id_number == "11010519491231002X"
    assert confirmed.sensitive_consented_at is not None
    update = confirmed.events.get(kind=WorkerEvent.Kind.UPDATED)
    assert "id_number" not in update.changes


def test_a_party_member_who_leaves_a_box_unticked_keeps_it(client, tree):
    member = WorkerFactory(
        party_member=True, is_mobile_party_member=True, mobile="13900002222", area=tree.community_a
    )
    data = form(
        tree,
        mobile=member.mobile,
        political_status="party_member",
        party_branch="",
        sensitive_consent="on",
    )
    # The form asks a party member for their branch: a blank one is refused before any code.
    assert "party_branch" in submit(client, data).context["form"].errors
    register(client, {**data, "party_branch": "新支部"})
    member.refresh_from_db()
    assert (member.party_branch, member.is_mobile_party_member) == ("新支部", True)


def test_the_signed_in_rider_finds_their_details_filled_in_but_not_the_id_number(
    client, tree, confirmed
):
    sign_in_rider(client, confirmed)
    url = reverse("registry:register") + f"?community={tree.community_a.code}"
    initial = client.get(url).context["form"].initial
    assert (initial["name"], initial["mobile"], initial["platform"]) == (
        "王五",
        confirmed.mobile,
        "sf",
    )
    assert initial["area"] == tree.community_a and "id_number" not in initial


def test_the_signed_in_rider_is_not_told_a_code_will_be_texted(client, tree, confirmed):
    url = reverse("registry:register") + f"?community={tree.community_a.code}"
    assert "我们会向这个号码发送验证码" in client.get(url).content.decode()
    sign_in_rider(client, confirmed)
    page = client.get(url).content.decode()
    assert "我们会向这个号码发送验证码" not in page and "无需验证码" in page


def test_the_signed_in_rider_updates_their_own_details_without_another_code(
    client, tree, confirmed, texts
):
    sign_in_rider(client, confirmed)
    response = submit(client, form(tree, name="王五一", mobile=confirmed.mobile))
    assert response["Location"] == reverse("registry:registered")
    confirmed.refresh_from_db()
    assert confirmed.name == "王五一"
    assert texts == []


def test_a_signed_in_rider_registering_another_number_needs_its_code(client, tree, confirmed):
    sign_in_rider(client, WorkerFactory(area=tree.community_a))
    response = submit(client, takeover(tree))
    assert response["Location"] == reverse("registry:register_code")
    confirmed.refresh_from_db()
    assert confirmed.name == "王五"


def test_the_code_page_without_a_registration_waiting_goes_back_to_the_form(client):
    response = client.get(reverse("registry:register_code"))
    assert response["Location"] == reverse("registry:register")


def test_a_code_asked_for_again_within_a_minute_is_refused_politely(client, tree):
    submit(client, form(tree))
    response = submit(client, form(tree))
    assert response.status_code == 200
    assert "一分钟" in response.context["form"].errors["mobile"][0]


def test_the_pages_say_how_registering_again_works(client, tree):
    page = client.get(reverse("registry:register"), {"community": tree.community_a.code}).text
    assert "验证码" in page
    assert "验证码" in client.get(reverse("registry:registered")).text


def test_without_consent_nothing_is_kept(client, tree):
    response = submit(client, form(tree, consent=""))
    assert response.status_code == 200
    assert "未经您的同意，我们不能保存您的登记" in response.text
    assert not Worker.objects.exists()


def test_registering_again_with_the_same_mobile_updates_and_checks_in_again(client, tree, clock):
    register(client, form(tree))
    clock(61)  # one code a minute per number
    register(client, form(tree, mobile="138 1234 5678", occupation="courier", platform="sf"))
    worker = Worker.objects.get()
    assert (worker.occupation, worker.platform) == ("courier", "sf")
    assert worker.check_ins.count() == 2
    update = worker.events.get(kind=WorkerEvent.Kind.UPDATED)
    assert update.changes["occupation"] == ["food_delivery", "courier"]
    assert update.actor is None


@pytest.mark.parametrize("how", ["left", "withdrew consent"])
def test_someone_who_left_and_registers_again_waits_for_confirmation_anew(client, tree, how, clock):
    register(client, form(tree))
    worker = Worker.objects.get()
    if how == "left":
        services.leave(worker, reason="moved", by=None)
    else:
        services.withdraw_consent(worker)
    clock(61)
    register(client, form(tree))
    worker.refresh_from_db()
    assert (worker.status, worker.left_at, worker.consent_withdrawn_at) == ("pending", None, None)
    assert Worker.objects.consenting().filter(pk=worker.pk).exists()
    update = worker.events.filter(kind=WorkerEvent.Kind.UPDATED).get()
    assert update.changes["status"] == ["left", "pending"]


def test_a_party_member_reports_as_one_with_separate_consent(client, tree):
    data = form(
        tree,
        political_status="party_member",
        party_branch="美团商丘站党支部",
        membership_held_at="商丘市梁园区",
        is_mobile_party_member="on",
        id_number="11010519491231002x",
        sensitive_consent="on",
    )
    assert register(client, data).status_code == 302
    worker = Worker.objects.get()
    assert worker.is_mobile_party_member
    assert worker.id_number == "11010519491231002X"
    assert worker.sensitive_consented_at is not None
    assert CheckIn.objects.get().as_party_member


def test_party_membership_without_its_separate_consent_is_refused(client, tree):
    data = form(tree, political_status="party_member", party_branch="某党支部")
    response = submit(client, data)
    assert response.status_code == 200
    assert "敏感" in response.context["form"].errors["sensitive_consent"][0]
    assert not Worker.objects.exists()


def test_a_party_members_id_number_without_the_separate_consent_is_refused(client, tree):
    data = form(tree, political_status="party_member", party_branch="建设路社区党支部")
    response = submit(client, {**data, "id_number": "11010519491231002X"})
    assert "sensitive_consent" in response.context["form"].errors
    assert not Worker.objects.exists()


def test_a_non_members_id_number_is_not_kept_and_needs_no_consent(client, tree):
    """The ID number sits in the party members' block, which only party members see: a number
    typed there before choosing another status is dropped, not refused for want of consent."""
    register(client, form(tree, id_number="110105194912310021"))  # even a wrong one
    worker = Worker.objects.get()
    assert (worker.id_number, worker.sensitive_consented_at) == ("", None)


def test_party_details_of_a_non_member_are_not_kept(client, tree):
    register(client, form(tree, party_branch="随手填的支部", is_mobile_party_member="on"))
    worker = Worker.objects.get()
    assert (worker.party_branch, worker.is_mobile_party_member) == ("", False)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("mobile", "12345", "11 位"),
        ("name", "张", "2 到 30 个字"),
        ("name", "张" * 31, "2 到 30 个字"),
        ("id_number", "110105194912310021", "逐位核对"),
        ("area", "999999", "请选择您所在的社区"),
        ("area", "not-a-number", "请选择您所在的社区"),
        ("occupation", "pilot", "选择一个有效的选项"),
        ("platform", "other", "请填写具体的平台或用工单位"),
    ],
)
def test_bad_input_gets_a_chinese_message_and_changes_nothing(client, tree, field, value, message):
    data = form(tree, **{field: value})
    if field == "id_number":
        data.update(political_status="party_member", party_branch="党支部", sensitive_consent="on")
    response = submit(client, data)
    assert response.status_code == 200
    assert message in response.text
    assert not Worker.objects.exists()


def test_a_street_cannot_be_chosen_as_the_community(client, tree):
    response = submit(client, form(tree, area=tree.street.pk))
    assert response.status_code == 200
    assert not Worker.objects.exists()


def test_a_registration_with_no_fields_at_all_is_refused_politely(client, tree):
    response = client.post(reverse("registry:register"), {})
    assert response.status_code == 200
    assert "请填写“姓名”" in response.text
    assert "请选择“职业”" in response.text


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_submits_from_one_phone_make_one_worker(tree):
    from registry.forms import RegistrationForm

    details = RegistrationForm(form(tree))
    assert details.is_valid(), details.errors

    def submit():
        services.register(details.details(), sensitive_consent=False, channel=Channel.SELF)

    race([submit, submit])
    assert Worker.objects.count() == 1
    assert CheckIn.objects.count() == 2


def test_a_refused_registration_opens_at_a_summary_that_links_to_each_field(client, tree):
    response = submit(client, form(tree, name="", mobile="12345", occupation=""))
    assert response.status_code == 200
    html = response.text
    summary = html[
        html.index('id="error-summary"') : html.index("</ul>", html.index('id="error-summary"'))
    ]
    assert "autofocus" in summary and 'role="alert"' in summary
    assert summary.index("请填写“姓名”") < summary.index("11 位") < summary.index("请选择“职业”")
    for field in ["name", "mobile", "occupation"]:
        assert f'href="#id_{field}"' in summary
        assert f'id="id_{field}"' in html  # the link lands on the field
    # The summary comes before the form's fields.
    assert html.index('id="error-summary"') < html.index('id="id_name"')


def test_a_page_that_was_not_refused_has_no_summary(client, tree):
    response = client.get(reverse("registry:register"), {"community": tree.community_a.code})
    assert 'id="error-summary"' not in response.text


def test_the_drop_downs_start_at_please_choose(client, tree):
    response = client.get(reverse("registry:register"), {"community": tree.community_a.code})
    assert "---------" not in response.text
    for field in ["occupation", "platform", "political_status"]:
        assert '<option value="" selected>请选择</option>' in field_html(response, field)


def field_html(response, field):
    html = response.text
    start = html.index(f'id="id_{field}"')
    return html[start : html.index("</select>", start)]


def test_the_party_members_block_is_revealed_by_the_party_statuses_only(client, tree):
    """Without JavaScript: rider.css shows the block while an option marked data-reveals=party
    is chosen; the block holds the branch, where the membership is, mobile party member, the ID
    number and the separate consent."""
    response = client.get(reverse("registry:register"), {"community": tree.community_a.code})
    select = field_html(response, "political_status")
    assert select.count('data-reveals="party"') == 2
    assert 'value="party_member" data-reveals="party"' in select
    assert 'value="probationary" data-reveals="party"' in select
    html = response.text
    block = html[html.index('data-revealed-by="party"') :]
    block = block[: block.index("</fieldset>")]
    for field in PARTY_BLOCK:
        assert f'id="id_{field}"' in block, field
    assert 'id="id_consent"' not in block


PARTY_BLOCK = [
    "party_branch",
    "membership_held_at",
    "is_mobile_party_member",
    "id_number",
    "sensitive_consent",
]


def test_the_stylesheet_hides_the_block_only_where_it_can_reveal_it():
    from django.contrib.staticfiles import finders

    with open(finders.find("css/rider.css")) as file:
        css = file.read()
    # Hidden only inside @supports: a browser without :has() shows the block to everyone.
    supports = css.index("@supports selector(:has(*))")
    assert css.index("[data-revealed-by] { display: none; }") > supports
    assert 'option[data-reveals="party"]:checked) [data-revealed-by="party"]' in css[supports:]


def test_a_party_member_must_name_their_branch(client, tree):
    response = submit(client, form(tree, political_status="probationary", sensitive_consent="on"))
    assert response.context["form"].errors["party_branch"] == ["党员请填写所在党支部。"]
    assert 'href="#id_party_branch"' in response.text
